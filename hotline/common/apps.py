from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "hotline.common"
    label = "common"
    verbose_name = "公共"
