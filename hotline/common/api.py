"""Platform endpoints: health."""

from django.db import connection
from ninja import Router, Schema, Status

from hotline import __version__

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: str
    version: str


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None)
def health(request):
    """Liveness and database reachability; no authentication needed."""
    vendor = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        body = {"status": "database_unavailable", "database": vendor, "version": __version__}
        return Status(503, body)
    return {"status": "ok", "database": vendor, "version": __version__}
