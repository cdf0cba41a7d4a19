from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "hotline.stats"
    label = "stats"
    verbose_name = "统计分析"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        ("统计看板", "stats:board", frozenset({"supervisor", "admin", "unit_handler"})),
        ("考核排名", "stats:league", frozenset({"supervisor", "admin", "unit_handler"})),
        ("日报", "stats:report", frozenset({"supervisor", "admin"})),
    )

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (registers the order-event subscriber)
