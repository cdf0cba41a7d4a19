from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "hotline.geo"
    label = "geo"
    verbose_name = "区划与承办单位"
