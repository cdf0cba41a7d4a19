from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "hotline.screening"
    label = "screening"
    verbose_name = "筛查台账与日报"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        ("排查台账", "screening:ledger", frozenset({"unit_handler"})),
        ("日报汇总", "screening:review", frozenset({"unit_handler", "supervisor", "admin"})),
    )
