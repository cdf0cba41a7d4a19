from django.apps import AppConfig


class ReserveConfig(AppConfig):
    name = "hotline.reserve"
    label = "reserve"
    verbose_name = "自然保护区"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = ()
