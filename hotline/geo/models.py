"""Administrative divisions and the handling units that own places and matters."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .choices import DivisionLevel, UnitKind

# Suffixes stripped from official names to get the short form people say ("公馆" for 公馆镇,
# "红旗南" for 红旗南社区居民委员会). Longest first so the longest suffix wins.
NAME_SUFFIXES = (
    "社区居民委员会",
    "居民委员会",
    "村民委员会",
    "村委会",
    "居委会",
    "社区",
    "街道办事处",
    "街道",
    "办事处",
    "民族乡",
    "自治县",
    "林场",
    "农场",
    "镇",
    "乡",
    "区",
    "县",
    "市",
    "村",
)


def short_name(name: str) -> str:
    """The name without its administrative suffix, as people say it (公馆镇 → 公馆).

    A name is never shortened below two characters: 茂南区 → 茂南, but 东区 stays 东区.
    """
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class DivisionQuerySet(models.QuerySet):
    def of_city(self, city_code: str) -> DivisionQuerySet:
        """Every division of a city (the city itself included)."""
        return self.filter(code__startswith=city_code)

    def level(self, level: str) -> DivisionQuerySet:
        return self.filter(level=level)


class Division(models.Model):
    """An administrative division with its NBS code (统计用区划代码).

    Codes: province 2 digits, city 4, county 6, town 9, village 12. The parent is the
    division one level up, so a town's parent is its county.
    """

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    short_name = models.CharField("简称", max_length=64, db_index=True)
    level = models.CharField("层级", max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class HandlingUnitQuerySet(models.QuerySet):
    def active(self) -> HandlingUnitQuerySet:
        return self.filter(active=True)


class HandlingUnit(models.Model):
    """A unit that handles work orders (承办单位): an office, a department, a utility.

    Codes are stable and meaningful: ``center`` for the hotline center, a town office has its
    town's division code, ``<county>-gov`` a district government, ``<county>-epi`` a district
    epidemic-control office, ``dept-<slug>`` a department (see docs/GLOSSARY.md).
    """

    code = models.CharField("单位代码", max_length=40, unique=True)
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("类型", max_length=24, choices=UnitKind.choices)
    division = models.ForeignKey(
        Division,
        verbose_name="所属区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    duty_phone = models.CharField("值班电话", max_length=32, blank=True)
    active = models.BooleanField("启用", default=True)

    objects = HandlingUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    #: Kinds that own a territory and so must name their division.
    TERRITORIAL_KINDS = frozenset(
        {
            UnitKind.DISTRICT_GOVERNMENT,
            UnitKind.EPIDEMIC_OFFICE,
            UnitKind.TOWN_OFFICE,
            UnitKind.COMMUNITY,
        }
    )

    def clean(self) -> None:
        if self.kind in self.TERRITORIAL_KINDS and self.division_id is None:
            raise ValidationError(
                {"division": "属地承办单位（区县、镇街、村居）必须填写所属区划。"}
            )
