from django.apps import AppConfig


class SamplingConfig(AppConfig):
    name = "hotline.sampling"
    label = "sampling"
    verbose_name = "核酸采样"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        (
            "核酸采样",
            "sampling:rounds",
            frozenset({"admin", "supervisor", "unit_handler", "field_staff"}),
        ),
    )
