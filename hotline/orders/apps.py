from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "hotline.orders"
    label = "orders"
    verbose_name = "工单"
