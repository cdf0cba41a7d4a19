from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "hotline.stats"
    label = "stats"
    verbose_name = "统计分析"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = ()
