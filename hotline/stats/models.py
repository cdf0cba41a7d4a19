"""Statistics kept from the order events: one fact row per order, one per (order, unit), and
the hourly count cells the board reads; last year's counts imported from a CSV; the app's own
event log.

The rows here are derived data: ``hotline stats rebuild`` makes them again from the order
events, and the ``stats.rollup`` subscriber keeps them current one order at a time
(``services.refresh_order``). Nothing here is edited by hand.
"""

from __future__ import annotations

from django.db import models

from hotline.common.models import DomainEvent


class OrderFact(models.Model):
    """What statistics know of one order: its dimensions (from the order) and what its events
    say happened (first dispatch, acceptance, reply, close, returns, reopens, rating).

    Written only by ``services.refresh_order`` and ``services.rebuild``. The matching cells of
    ``HourlyCount`` hold exactly one count for every row here (``services`` keeps them in
    step), so a refresh that finds the same fact writes nothing.
    """

    order = models.OneToOneField(
        "orders.Order", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    received_at = models.DateTimeField("受理时间")
    day = models.DateField("受理日期")
    hour = models.PositiveSmallIntegerField("受理时段")
    channel = models.CharField("渠道", max_length=10)
    category = models.CharField("诉求分类", max_length=12)
    urgency = models.CharField("紧急程度", max_length=10)
    epidemic = models.BooleanField("涉疫", default=False)
    district = models.CharField("区县代码", max_length=12, blank=True)
    town = models.CharField("镇街代码", max_length=12, blank=True)
    #: The lead unit now (0 = with the center: not dispatched, or returned).
    unit_id = models.IntegerField("当前主办单位", default=0)
    status = models.CharField("状态", max_length=12)
    dispatched_at = models.DateTimeField("首次派单", null=True, blank=True)
    accepted_at = models.DateTimeField("首次签收", null=True, blank=True)
    resolved_at = models.DateTimeField("首次答复", null=True, blank=True)
    closed_at = models.DateTimeField("办结", null=True, blank=True)
    #: Minutes from receipt to the first dispatch, acceptance and reply (the pipeline's
    #: medians read these numbers instead of four timestamps per order).
    dispatch_minutes = models.FloatField("受理至派单（分钟）", null=True, blank=True)
    accept_minutes = models.FloatField("受理至签收（分钟）", null=True, blank=True)
    resolve_minutes = models.FloatField("受理至答复（分钟）", null=True, blank=True)
    first_contact = models.BooleanField("首呼解决", default=False)
    duplicate = models.BooleanField("重复件", default=False)
    overdue = models.BooleanField("曾超时", default=False)
    escalated = models.BooleanField("曾督办", default=False)
    returns = models.PositiveSmallIntegerField("退单次数", default=0)
    reopens = models.PositiveSmallIntegerField("重办次数", default=0)
    satisfaction = models.CharField("满意度", max_length=20, blank=True)

    class Meta:
        verbose_name = "工单统计事实"
        verbose_name_plural = "工单统计事实"
        indexes = [
            models.Index(fields=["day", "urgency"], name="stats_fact_day_urgency"),
            models.Index(fields=["day", "unit_id"], name="stats_fact_day_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} @ {self.day}"


class UnitFact(models.Model):
    """One unit's part in one order: the clocks it had and how it met them, its returns,
    reopens and ratings, and its first times to accept and to reply.

    Counters, not flags: an order can come back to the same unit (returned, dispatched again;
    reopened after a dissatisfied callback). ``day`` and ``district`` are the order's, so a
    league table over a period counts the orders received in that period.
    """

    # No index of their own: (order, unit) is unique, so that index serves lookups by order;
    # a unit's rows are read by day (the day × unit index). A unit-only index led SQLite's
    # planner to read every day of a unit for one day's figures.
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "geo.HandlingUnit",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    received_at = models.DateTimeField("受理时间")
    day = models.DateField("受理日期")
    district = models.CharField("区县代码", max_length=12, blank=True)
    urgency = models.CharField("紧急程度", max_length=10)
    dispatches = models.PositiveSmallIntegerField("派单次数", default=0)
    accept_due = models.PositiveSmallIntegerField("应签收", default=0)
    accept_on_time = models.PositiveSmallIntegerField("按时签收", default=0)
    resolve_due = models.PositiveSmallIntegerField("应办结", default=0)
    resolve_on_time = models.PositiveSmallIntegerField("按时办结", default=0)
    resolves = models.PositiveSmallIntegerField("答复次数", default=0)
    returns = models.PositiveSmallIntegerField("退单次数", default=0)
    reopens = models.PositiveSmallIntegerField("重办次数", default=0)
    rated = models.PositiveSmallIntegerField("回访评价", default=0)
    satisfied = models.PositiveSmallIntegerField("满意及基本满意", default=0)
    overdue = models.PositiveSmallIntegerField("超时次数", default=0)
    #: The order is with this unit now and not closed.
    open = models.BooleanField("在办", default=False)
    accept_minutes = models.FloatField("签收用时（分钟）", null=True, blank=True)
    resolve_minutes = models.FloatField("办理用时（分钟）", null=True, blank=True)

    class Meta:
        verbose_name = "承办单位统计事实"
        verbose_name_plural = "承办单位统计事实"
        constraints = [
            models.UniqueConstraint(fields=["order", "unit"], name="stats_unitfact_unique")
        ]
        indexes = [
            models.Index(fields=["day", "unit"], name="stats_unitfact_day_unit"),
            models.Index(fields=["day", "district"], name="stats_unitfact_day_district"),
            models.Index(fields=["day", "overdue"], name="stats_unitfact_day_overdue"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.unit_id}"


#: The dimensions of an hourly count cell, in the order of the unique constraint.
CELL_DIMENSIONS = (
    "day",
    "hour",
    "channel",
    "category",
    "urgency",
    "epidemic",
    "district",
    "town",
    "unit_id",
)


class HourlyCount(models.Model):
    """Orders received in one local hour with one combination of channel, category, urgency,
    epidemic flag, district, town and current lead unit (0 = the center). The board and the
    report read these cells, never the orders."""

    dimensions = CELL_DIMENSIONS

    day = models.DateField("日期")
    hour = models.PositiveSmallIntegerField("时段")
    channel = models.CharField("渠道", max_length=10)
    category = models.CharField("诉求分类", max_length=12)
    urgency = models.CharField("紧急程度", max_length=10)
    epidemic = models.BooleanField("涉疫")
    district = models.CharField("区县代码", max_length=12, blank=True)
    town = models.CharField("镇街代码", max_length=12, blank=True)
    unit_id = models.IntegerField("主办单位", default=0)
    count = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = "分时统计"
        verbose_name_plural = "分时统计"
        constraints = [
            models.UniqueConstraint(fields=list(CELL_DIMENSIONS), name="stats_hourlycount_cell")
        ]
        indexes = [models.Index(fields=["day", "unit_id"], name="stats_hourly_day_unit")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}时 {self.channel}/{self.category}: {self.count}"


#: The city board's hourly counts: the cells summed over district, town and unit.
CITY_HOUR_DIMENSIONS = ("day", "hour", "channel", "category", "urgency", "epidemic")
#: The city board's towns: the cells summed over the hours and every other dimension.
TOWN_DAY_DIMENSIONS = ("day", "town", "category")


class CityHourlyCount(models.Model):
    """Orders received in the whole city in one local hour with one channel, category,
    urgency and epidemic flag: ``HourlyCount`` summed over district, town and unit. A surge
    day is some hundreds of these rows instead of tens of thousands of cells, so the city
    board's curve, channels and categories read them (kept by the same -1/+1 deltas)."""

    dimensions = CITY_HOUR_DIMENSIONS

    day = models.DateField("日期")
    hour = models.PositiveSmallIntegerField("时段")
    channel = models.CharField("渠道", max_length=10)
    category = models.CharField("诉求分类", max_length=12)
    urgency = models.CharField("紧急程度", max_length=10)
    epidemic = models.BooleanField("涉疫")
    count = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = "全市分时统计"
        verbose_name_plural = "全市分时统计"
        constraints = [
            models.UniqueConstraint(fields=list(CITY_HOUR_DIMENSIONS), name="stats_cityhour_cell")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}时 {self.channel}/{self.category}: {self.count}"


class TownDailyCount(models.Model):
    """Orders received in one town on one local day in one category: ``HourlyCount`` summed
    over the hours, channels, urgencies and units (the city board's towns and heat table)."""

    dimensions = TOWN_DAY_DIMENSIONS

    day = models.DateField("日期")
    town = models.CharField("镇街代码", max_length=12, blank=True)
    category = models.CharField("诉求分类", max_length=12)
    count = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = "镇街每日统计"
        verbose_name_plural = "镇街每日统计"
        constraints = [
            models.UniqueConstraint(fields=list(TOWN_DAY_DIMENSIONS), name="stats_townday_cell")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.town}/{self.category}: {self.count}"


#: Every count table, finest first. Each holds, per combination of its ``dimensions``, how many
#: order facts have those values; the live path moves all of them by the same -1/+1 deltas,
#: the rebuild makes the finest from the facts and the others from the finest, and a query
#: reads the coarsest one that has every dimension it groups or filters by.
ROLLUPS = (HourlyCount, CityHourlyCount, TownDailyCount)


class HistoryCount(models.Model):
    """Last year's counts, imported from a CSV (``hotline stats import-history``): one row per
    day, or per day and hour, optionally split by channel and epidemic flag. The totals of a
    day are the sum of its rows; an import replaces the days it names."""

    day = models.DateField("日期", db_index=True)
    hour = models.PositiveSmallIntegerField("时段", null=True, blank=True)
    channel = models.CharField("渠道", max_length=10, blank=True)
    epidemic = models.BooleanField("涉疫", null=True, blank=True)
    count = models.PositiveIntegerField("件数")

    class Meta:
        verbose_name = "历史同期数据"
        verbose_name_plural = "历史同期数据"
        ordering = ["day", "hour"]

    def __str__(self) -> str:
        return f"{self.day} {self.hour if self.hour is not None else '全天'}: {self.count}"


class StatsEvent(DomainEvent):
    """One thing done to the statistics (a rebuild, a history import); append-only."""

    class Meta:
        verbose_name = "统计事件"
        verbose_name_plural = "统计事件"
        ordering = ["-at", "-id"]
