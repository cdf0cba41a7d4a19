"""Data migrations of the sampling app run against rows written by the schema before them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hotline.common.identity import id_hash, person_key


@pytest.mark.django_db(transaction=True)
def test_0006_gives_existing_residents_and_swabs_their_person_key():
    before = [("sampling", "0005_sample_tube_no_constraint")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        division = apps.get_model("geo", "Division")
        village = division.objects.create(
            code="440902101216", name="艾屋村", short_name="艾屋", level="village"
        )
        digests = [id_hash(f"44090219500101{i:03d}1") for i in range(2005)]
        apps.get_model("sampling", "Resident").objects.bulk_create(
            apps.get_model("sampling", "Resident")(
                village=village, code=f"R{i:011d}", id_hash=d, id_masked="x", name="居民"
            )
            for i, d in enumerate(digests)
        )
        # the swabs' round, tube and grid carry no database constraint (0004, 0005)
        apps.get_model("sampling", "Sample").objects.bulk_create(
            apps.get_model("sampling", "Sample")(
                round_id=1, tube_id=1, grid_id=1, id_hash=d, id_masked="x",
                sampled_at=timezone.now(),
            )
            for d in digests[:3]
        )  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate([("sampling", "0006_person_key")])
        from hotline.sampling.models import Resident, Sample

        # more residents than one chunk of the migration (2,000)
        assert dict(Resident.objects.values_list("id_hash", "person")) == {
            d: person_key(d) for d in digests
        }
        assert sorted(Sample.objects.values_list("person", flat=True)) == sorted(
            person_key(d) for d in digests[:3]
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_roster_keeps_no_like_copy_of_its_unique_indexes():
    """0007: the resident code and ID hash are matched whole, so PostgreSQL keeps their unique
    indexes and drops Django's LIKE copies; the village's LIKE index (area prefixes) stays."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no LIKE indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'sampling_resident'")
        definitions = [row[0] for row in cursor.fetchall()]
    like = [d for d in definitions if "varchar_pattern_ops" in d]
    assert like and all("(village_id varchar_pattern_ops)" in d for d in like), like
    for column in ("code", "id_hash"):
        assert any(d.startswith("CREATE UNIQUE INDEX") and f"({column})" in d for d in definitions)
