from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "hotline.control"
    label = "control"
    verbose_name = "出行管控"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        (
            "出行管控",
            "control:overview",
            frozenset({"admin", "supervisor", "unit_handler", "field_staff"}),
        ),
        ("卡口核验", "control:checkpoints", frozenset({"admin", "field_staff", "unit_handler"})),
        (
            "健康码申诉",
            "control:appeals",
            frozenset({"agent", "volunteer_agent", "supervisor", "admin", "unit_handler"}),
        ),
    )
