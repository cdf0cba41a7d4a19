"""PostgreSQL: the roster's resident code and ID hash lose Django's LIKE copies of their unique
indexes.

``Resident.code`` and ``Resident.id_hash`` are ``unique=True`` varchar columns, so PostgreSQL got
a unique index for each and, beside it, a ``varchar_pattern_ops`` index for ``LIKE`` — which no
query uses: both are only ever matched whole (``code__in``, ``id_hash__in``, the import's
per-person probes). At a city's roster of 6.2 million each copy was ~0.5 GB that every roster
import kept up to date, and the planner even picked one of them for the import's probes, where
the unique index serves as well. The village's LIKE index stays: rounds read their area's
roster by code prefix.

Only the indexes go (by the names Django gave them, found in the catalog), not the columns'
state: the fields stay ``unique=True``. Django drops LIKE indexes with ``IF EXISTS`` when a
later migration alters such a field, so the missing ones do not get in its way. SQLite never had
them. Reversing recreates them as Django created them.
"""

from django.db import migrations

TABLE = "sampling_resident"
COLUMNS = ("code", "id_hash")


def _drop_like(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [TABLE, f"%({column} varchar_pattern_ops)"],
            )
            for (name,) in cursor.fetchall():
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def _create_like(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        name = schema_editor._create_index_name(TABLE, [column], suffix="_like")
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ("{column}" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0006_person_key"),
    ]

    operations = [migrations.RunPython(_drop_like, _create_like, elidable=False)]
