from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "hotline.intake"
    label = "intake"
    verbose_name = "受理渠道"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        ("批量导入", "intake:import", frozenset({"supervisor", "admin"})),
        ("居民端", "intake:portal_home", frozenset()),
    )
