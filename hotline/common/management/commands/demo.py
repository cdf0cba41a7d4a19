"""`hotline demo`: load the Maoming demo city, idempotently.

Each Hotline app that has demo data provides ``<app>/demo.py`` with ``load(stdout)``; this
command calls them in INSTALLED_APPS order inside one transaction, so a later issue adds its
demo data by adding that module, not by editing this command.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hotline.accounts.services import AccountError
from hotline.geo.services import GeoError


class Command(BaseCommand):
    help = "载入茂名市演示数据（区划、承办单位、演示账号……）；可重复执行，不会重复创建。"

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                for config in apps.get_app_configs():
                    if not config.name.startswith("hotline."):
                        continue
                    module_name = f"{config.name}.demo"
                    if find_spec(module_name) is None:
                        continue
                    import_module(module_name).load(self.stdout)
        except (GeoError, AccountError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
