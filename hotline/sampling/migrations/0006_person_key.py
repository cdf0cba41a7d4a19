"""The swabs' person index keyed on ``person`` (the ID hash's first 64 bits as an integer)
instead of the 64-character hash: a quarter of the size, and the roster carries the same key
so that its rows probe that index. Existing rows get their key from their hash."""

from django.db import migrations, models

from hotline.common.identity import person_key

CHUNK = 2000


def fill_keys(apps, schema_editor):
    alias = schema_editor.connection.alias
    for name in ("Resident", "Sample"):
        model = apps.get_model("sampling", name)
        last = 0
        while True:  # by primary key ranges: SQLite gives no isolation to an open cursor
            batch = list(
                model.objects.using(alias)
                .filter(pk__gt=last)
                .order_by("pk")
                .only("pk", "id_hash")[:CHUNK]
            )
            if not batch:
                break
            for row in batch:
                row.person = person_key(row.id_hash)
            model.objects.using(alias).bulk_update(batch, ["person"])
            last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0005_sample_tube_no_constraint"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="sample", name="sampling_sample_person"),
        migrations.AddField(
            model_name="resident",
            name="person",
            field=models.BigIntegerField(default=0, verbose_name="人员键"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sample",
            name="person",
            field=models.BigIntegerField(default=0, verbose_name="人员键"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="sample",
            index=models.Index(fields=["round", "person"], name="sampling_sample_key"),
        ),
    ]
