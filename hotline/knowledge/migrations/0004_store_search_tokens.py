"""Store the search tokens of every existing version, so that the first search of a new process
loads them instead of tokenising every live article. Versions whose tokens stay empty (or whose
scheme later changes) are tokenised by search and stored then, or by `hotline kb tokens`."""

from django.db import migrations


def store(apps, schema_editor):
    from hotline.knowledge.analysis import stored_tokens

    ArticleVersion = apps.get_model("knowledge", "ArticleVersion")
    batch = []
    versions = ArticleVersion.objects.filter(search_tokens__isnull=True).only(
        "title", "tags", "questions", "body"
    )
    for version in versions.iterator(chunk_size=500):
        version.search_tokens = stored_tokens(
            version.title, version.tags, version.questions, version.body
        )
        batch.append(version)
        if len(batch) == 500:
            ArticleVersion.objects.bulk_update(batch, ["search_tokens"])
            batch = []
    ArticleVersion.objects.bulk_update(batch, ["search_tokens"])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_questions_and_search_tokens")]
    operations = [migrations.RunPython(store, migrations.RunPython.noop)]
