import datetime as dt

import pytest
from django.utils import timezone

from hotline.knowledge.choices import Status, Validity
from hotline.knowledge.markdown import render
from hotline.knowledge.models import Article, split_terms

from .factories import draft, published

T0 = dt.datetime(2022, 11, 7, tzinfo=dt.UTC)


def test_validity_period_is_half_open():
    article = Article(valid_from=T0, valid_until=T0 + dt.timedelta(days=2))
    assert article.validity_at(T0 - dt.timedelta(seconds=1)) == Validity.NOT_YET
    assert article.validity_at(T0) == Validity.VALID
    assert article.validity_at(T0 + dt.timedelta(days=2)) == Validity.EXPIRED
    assert Article().validity_at(T0) == Validity.VALID


@pytest.mark.django_db
def test_manager_verbs_published_and_valid_at(people):
    live = published(people.author, people.reviewer, valid_until=T0)
    draft(people.author)
    assert list(Article.objects.published()) == [live]
    assert list(Article.objects.valid_at(T0 - dt.timedelta(hours=1))) == [live]
    assert not Article.objects.valid_at(T0).exists()


@pytest.mark.django_db
def test_permission_predicates(people):
    article = draft(people.author)
    assert article.can_edit(people.author) and article.can_submit(people.author)
    assert not article.can_edit(people.agent) and not article.can_submit(people.volunteer)
    article.status = Status.IN_REVIEW
    article.submitted_by = people.author
    assert not article.can_review(people.author)
    assert article.can_review(people.reviewer)
    assert not article.can_review(people.agent)
    assert not article.can_retire(people.reviewer)  # never published


@pytest.mark.django_db
def test_agents_see_only_published_articles(people):
    live = published(people.author, people.reviewer)
    hidden = draft(people.author)
    assert list(Article.objects.visible_to(people.agent)) == [live]
    assert set(Article.objects.visible_to(people.author)) == {live, hidden}


def test_split_terms_accepts_chinese_separators():
    assert split_terms("变回绿码，转码、转绿码, 转码") == ["变回绿码", "转码", "转绿码"]


def test_markdown_subset_escapes_html():
    html = render("## 要点\n- **每户**一人\n- <script>x</script>\n\n1. 第一步\n普通段落")
    assert "<h3>要点</h3>" in html
    assert "<li><strong>每户</strong>一人</li>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<ol>" in html and "<p>普通段落</p>" in html
    assert timezone.is_aware(T0)


@pytest.mark.django_db(transaction=True)
def test_migration_stores_the_tokens_of_existing_versions():
    """0004 fills ``search_tokens`` of versions written before tokens were stored."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from hotline.knowledge import analysis
    from hotline.knowledge.models import ArticleVersion

    before = [("knowledge", "0003_questions_and_search_tokens")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        old_article = apps.get_model("knowledge", "Article")
        old_version = apps.get_model("knowledge", "ArticleVersion")
        now = timezone.now()
        article = old_article.objects.create(
            key="old-one", title="核酸采样点", body="每天开放", created_at=now, updated_at=now
        )
        old_version.objects.create(
            article=article, number=1, title="核酸采样点", body="每天开放", published_at=now
        )
        executor = MigrationExecutor(connection)
        executor.migrate([("knowledge", "0004_store_search_tokens")])
        stored = ArticleVersion.objects.get(article__key="old-one").search_tokens
        assert stored["scheme"] == analysis.token_scheme()
        assert "采样点" in stored["words"]["title"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_synonym_table_matches_the_seed_file():
    """0002 seeds a new database from data/synonyms.txt and 0005 adds the later groups to an
    existing one: either way the table holds every line of the file, once."""
    from hotline.knowledge.evaluation import DATA
    from hotline.knowledge.models import SynonymGroup

    lines = [
        line.strip()
        for line in (DATA / "synonyms.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    table = list(SynonymGroup.objects.values_list("terms", flat=True))
    assert sorted(table) == sorted(lines)


@pytest.mark.django_db(transaction=True)
def test_migration_brings_an_older_synonym_table_up_to_date():
    """A database seeded before the later groups: 0005 extends the two groups it knows and
    adds the new ones, so the table ends up as the file is."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from hotline.knowledge.evaluation import DATA
    from hotline.knowledge.models import SynonymGroup

    later = importlib.import_module("hotline.knowledge.migrations.0005_more_synonyms")
    before = [("knowledge", "0004_store_search_tokens")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        lines = [
            line.strip()
            for line in (DATA / "synonyms.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        older = {new: old for old, new in later.EXTENDED.items()}
        groups = executor.loader.project_state(before).apps.get_model("knowledge", "SynonymGroup")
        groups.objects.all().delete()
        groups.objects.bulk_create(
            groups(terms=older.get(line, line)) for line in lines if line not in later.ADDED
        )
        executor = MigrationExecutor(connection)
        executor.migrate([("knowledge", "0005_more_synonyms")])
        assert sorted(SynonymGroup.objects.values_list("terms", flat=True)) == sorted(lines)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
