from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "hotline.control"
    label = "control"
    verbose_name = "出行管控"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = ()
