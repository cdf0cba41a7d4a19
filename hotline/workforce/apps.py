from django.apps import AppConfig

from hotline.accounts.roles import Role


class WorkforceConfig(AppConfig):
    name = "hotline.workforce"
    label = "workforce"
    verbose_name = "人员与排班"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        (
            "排班表",
            "workforce:roster",
            frozenset({Role.SUPERVISOR, Role.ADMIN, Role.AGENT, Role.VOLUNTEER_AGENT}),
        ),
        ("人力测算", "workforce:staffing", frozenset({Role.SUPERVISOR, Role.ADMIN})),
        ("队伍调度", "workforce:teams", frozenset({Role.SUPERVISOR, Role.ADMIN, Role.FIELD_STAFF})),
        ("人员与培训", "workforce:people", frozenset({Role.SUPERVISOR, Role.ADMIN})),
        ("我的培训", "workforce:training", frozenset({Role.VOLUNTEER_AGENT, Role.AGENT})),
    )

    def ready(self):
        # The training rule holds at every door, not only on the console's intake page.
        from hotline.orders.services import add_desk_check

        from .services import desk_check

        add_desk_check(desk_check)
