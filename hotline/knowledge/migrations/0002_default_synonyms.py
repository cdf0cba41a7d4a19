"""Seed the default synonym groups from data/synonyms.txt (editable in admin afterwards);
re-running only adds groups that are missing."""

from pathlib import Path

from django.db import migrations

SYNONYMS = Path(__file__).resolve().parent.parent / "data" / "synonyms.txt"


def seed(apps, schema_editor):
    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    IndexStamp = apps.get_model("knowledge", "IndexStamp")
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            SynonymGroup.objects.get_or_create(terms=line)
    IndexStamp.objects.get_or_create(pk=1, defaults={"version": 1})


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
