from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "hotline.care"
    label = "care"
    verbose_name = "居家关爱"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        (
            "居家关爱",
            "care:requests",
            frozenset({"agent", "volunteer_agent", "supervisor", "admin", "unit_handler"}),
        ),
        ("我的配送", "care:route", frozenset({"field_staff"})),
    )

    def ready(self) -> None:
        from . import subscribers  # noqa: F401  (registers the order-event subscriber)
