from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "hotline.console"
    label = "console"
    verbose_name = "工作台页面"
