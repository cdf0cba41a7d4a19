"""Two single-column indexes that a wider index already serves go, as the town's did in 0009:
each order and each of its events written then updates one B-tree fewer.

- ``orders_order.client_id``: the unique constraint (client, idempotency_key) leads with the
  client, so its index serves every lookup by client (the batch's key lookup, the database's
  check before a user is deleted).
- ``orders_orderevent.code`` (from the abstract ``DomainEvent``): the (code, at) index of 0007
  leads with the code, and every query by code (the board's calls in the last hour, the
  workforce forecast, the triage corrections) reads that one. PostgreSQL also had Django's
  ``varchar_pattern_ops`` copy of it, for LIKE, which no query uses: codes are matched whole.
  The other apps' event tables keep theirs: none has an index that starts with the code.

AlterField alone would rebuild the whole table on SQLite and drop and re-check the foreign key
constraint on PostgreSQL; the indexes are dropped by name instead (Django names them the same
on both engines). Reversing recreates them as Django created them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CLIENT_INDEX = "orders_order_client_id_67117a15"
CODE_INDEX = "orders_orderevent_code_85f77ea8"
#: PostgreSQL only: Django's LIKE index of a varchar column with db_index.
CODE_LIKE_INDEX = CODE_INDEX + "_like"


def _drop_like(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{CODE_LIKE_INDEX}"')


def _create_like(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{CODE_LIKE_INDEX}" ON "orders_orderevent" ("code" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_town_index_covered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="client",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="提交方",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderevent",
                    name="code",
                    field=models.CharField(max_length=64, verbose_name="事件"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{CLIENT_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{CLIENT_INDEX}" ON "orders_order" ("client_id")',
                ),
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{CODE_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{CODE_INDEX}" ON "orders_orderevent" ("code")',
                ),
                migrations.RunPython(_drop_like, _create_like),
            ],
        ),
    ]
