"""Choices of the stats app."""

from django.db import models

#: Channels a person reaches the hotline by telephone; every other channel counts as online
#: (网络渠道) in the daily report's split, as the seed's "31,216 by phone and 1,416 online".
PHONE_CHANNELS = frozenset({"phone"})
#: Channels made by the platform itself (a field app's record), reported apart from appeals.
SYSTEM_CHANNELS = frozenset({"system"})


class StatsEventCode(models.TextChoices):
    """Dotted codes of the stats app's own events."""

    REBUILT = "stats.rollup.rebuilt", "统计重建"
    HISTORY_IMPORTED = "stats.history.imported", "导入历史同期数据"


class Table(models.TextChoices):
    """The tables of the board and the report, each exportable as CSV and Excel."""

    HOURS = "hours", "分时段受理量"
    CHANNELS = "channels", "渠道构成"
    CATEGORIES = "categories", "诉求分类"
    TOWNS = "towns", "镇街分布"
    PIPELINE = "pipeline", "紧急工单流转"
    OVERDUE = "overdue", "超时工单（按承办单位）"
    UNITS = "units", "承办单位考核（三率）"
    DISTRICTS = "districts", "区县考核"
