"""Coverage and hourly counts kept by the writes (GridTally, HourTally) instead of two more
indexes on the swabs: the indexes (grid, mode) and (round, sampled_at) go, and the tallies of
rounds that already exist are counted from their swabs and roster."""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models

COUNTS = """
SELECT COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM sampling_sample s WHERE s.round_id = %s
                                      AND s.id_hash = r.id_hash) THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM sampling_sample s WHERE s.round_id = %s
                                      AND s.id_hash = r.id_hash AND s.mode = 'site')
                         THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM sampling_sample s WHERE s.round_id = %s
                                      AND s.id_hash = r.id_hash AND s.mode = 'door')
                         THEN 1 ELSE 0 END), 0)
FROM sampling_resident r WHERE r.village_id = %s
"""
VISITORS = """
SELECT COUNT(*) FROM sampling_sample s
WHERE s.round_id = %s AND s.grid_id = %s AND NOT EXISTS (
    SELECT 1 FROM sampling_resident r WHERE r.id_hash = s.id_hash AND r.village_id = %s
)
"""


def count_existing(apps, schema_editor):
    Grid = apps.get_model("sampling", "Grid")
    GridTally = apps.get_model("sampling", "GridTally")
    HourTally = apps.get_model("sampling", "HourTally")
    Sample = apps.get_model("sampling", "Sample")
    connection = schema_editor.connection
    tallies, hours = [], {}
    with connection.cursor() as cursor:
        for grid_id, round_id, village in Grid.objects.values_list("pk", "round_id", "village_id"):
            cursor.execute(COUNTS, [round_id, round_id, round_id, village])
            sampled, on_site, door = cursor.fetchone()
            cursor.execute(VISITORS, [round_id, grid_id, village])
            (visitors,) = cursor.fetchone()
            tallies.append(GridTally(grid_id, sampled, on_site, door, visitors))
    GridTally.objects.bulk_create(tallies, batch_size=500)
    for round_id, at in Sample.objects.values_list("round_id", "sampled_at").iterator():
        key = (round_id, int(at.timestamp()) // 3600)
        hours[key] = hours.get(key, 0) + 1
    HourTally.objects.bulk_create(
        [
            HourTally(round_id=r, hour=dt.datetime.fromtimestamp(h * 3600, dt.UTC), count=n)
            for (r, h), n in hours.items()
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0002_recall_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="GridTally",
            fields=[
                (
                    "grid",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tally",
                        serialize=False,
                        to="sampling.grid",
                    ),
                ),
                ("sampled", models.PositiveIntegerField(default=0, verbose_name="已采样")),
                ("on_site", models.PositiveIntegerField(default=0, verbose_name="采样点")),
                ("door", models.PositiveIntegerField(default=0, verbose_name="上门")),
                ("visitors", models.PositiveIntegerField(default=0, verbose_name="外来")),
            ],
            options={
                "verbose_name": "网格采样计数",
                "verbose_name_plural": "网格采样计数",
            },
        ),
        migrations.CreateModel(
            name="HourTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hour", models.DateTimeField(verbose_name="小时")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="人次")),
            ],
            options={
                "verbose_name": "每小时采样计数",
                "verbose_name_plural": "每小时采样计数",
            },
        ),
        migrations.RemoveIndex(
            model_name="sample",
            name="sampling_sample_grid",
        ),
        migrations.RemoveIndex(
            model_name="sample",
            name="sampling_sample_time",
        ),
        migrations.AddField(
            model_name="hourtally",
            name="round",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sampling.round",
            ),
        ),
        migrations.AddConstraint(
            model_name="hourtally",
            constraint=models.UniqueConstraint(
                fields=("round", "hour"), name="sampling_hour_unique"
            ),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
