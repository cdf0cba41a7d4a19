"""An order's town loses its single-column index: the list index (town, received_at) of 0007
leads with the same column, so every lookup by town (a list filter, the database's check before
a division is deleted) reads that one, and each order written updates one B-tree fewer
(PostgreSQL: two, with the varchar_pattern_ops copy Django adds for a varchar key, which no query
uses: towns are matched by their whole code).

District and handling_unit keep their single-column indexes although list indexes lead with
them too: such an index ends with the rowid, and SQLite reads an overdue list narrowed to a
district or a unit as (district_id=? AND rowid=?) per overdue id; without it, it reads every
order of the district (hotline/console/tests/test_list_plans.py).

AlterField(db_index=False) alone would rebuild the whole table on SQLite and drop and re-check
the foreign key constraint on PostgreSQL; the index is dropped by name instead (Django names it
the same on both engines). Reversing recreates it as Django created it.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "orders_order_town_id_ec6f69e9"
#: PostgreSQL only: Django's LIKE index of a varchar foreign key (division keys are codes).
LIKE_INDEX = INDEX + "_like"


def _drop_like(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{LIKE_INDEX}"')


def _create_like(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{LIKE_INDEX}" ON "orders_order" ("town_id" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("orders", "0008_list_combined_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="town",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="geo.division",
                        verbose_name="镇街",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "orders_order" ("town_id")',
                ),
                migrations.RunPython(_drop_like, _create_like),
            ],
        ),
    ]
