"""Demo data of the knowledge app: the Maoming demo articles, imported through the same code
path as ``hotline kb import`` (a second run changes nothing)."""

from .evaluation import DEMO_ARTICLES
from .importer import import_file


def load(stdout) -> None:
    counts = import_file(DEMO_ARTICLES)
    stdout.write(
        f"知识库演示条目：新增 {counts['created']}，更新 {counts['updated']}，"
        f"未变 {counts['unchanged']}"
    )
