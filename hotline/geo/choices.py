"""Choices of the geo app."""

from django.db import models


class DivisionLevel(models.TextChoices):
    """Administrative level of a division (NBS 统计用区划代码)."""

    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "区县"
    TOWN = "town", "乡镇街道"
    VILLAGE = "village", "村居"


class UnitKind(models.TextChoices):
    """Kind of handling unit (承办单位)."""

    HOTLINE_CENTER = "hotline_center", "热线中心"
    DISTRICT_GOVERNMENT = "district_government", "区县政府"
    EPIDEMIC_OFFICE = "epidemic_office", "区县疫情防控办"
    TOWN_OFFICE = "town_office", "镇街办事处"
    COMMUNITY = "community", "村居委会"
    DEPARTMENT = "department", "职能部门"
    UTILITY = "utility", "公用事业单位"
