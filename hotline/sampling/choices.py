"""Choices of the sampling app."""

from django.db import models


class RoundStatus(models.TextChoices):
    OPEN = "open", "采样中"
    CLOSED = "closed", "已结束"


class RiskLevel(models.TextChoices):
    """The risk level of a grid; it decides how many swabs share a tube (see POOL_SIZES)."""

    LOW = "low", "低风险"
    MEDIUM = "medium", "中风险"
    HIGH = "high", "高风险"


#: Default pool size per risk level (10-in-1, 5-in-1, 1-in-1); a round copies these when it is
#: created (settings.SAMPLING_POOL_SIZES overrides them), so a change of configuration never
#: alters tubes already filled.
POOL_SIZES = {RiskLevel.LOW: 10, RiskLevel.MEDIUM: 5, RiskLevel.HIGH: 1}


class HomeReason(models.TextChoices):
    """Why a resident is sampled at home (上门采样)."""

    IMMOBILE = "immobile", "行动不便"
    RED_CODE = "red_code", "红码居家"
    ELDERLY_ALONE = "elderly_alone", "独居老人"


class Mode(models.TextChoices):
    SITE = "site", "采样点"
    DOOR = "door", "上门"


class TubeStatus(models.TextChoices):
    OPEN = "open", "采集中"
    CLOSED = "closed", "已封管"
    RESULTED = "resulted", "已出结果"


class Result(models.TextChoices):
    NEGATIVE = "negative", "阴性"
    POSITIVE = "positive", "阳性"
    INVALID = "invalid", "无效"


#: How a lab file may spell a result.
RESULT_WORDS = {
    "negative": Result.NEGATIVE,
    "阴性": Result.NEGATIVE,
    "neg": Result.NEGATIVE,
    "-": Result.NEGATIVE,
    "positive": Result.POSITIVE,
    "阳性": Result.POSITIVE,
    "pos": Result.POSITIVE,
    "+": Result.POSITIVE,
    "invalid": Result.INVALID,
    "无效": Result.INVALID,
}


class RecallReason(models.TextChoices):
    POSITIVE_POOL = "positive_pool", "混管阳性"
    INVALID = "invalid", "样本无效"


class RecallStatus(models.TextChoices):
    OPEN = "open", "待单采复核"
    NEGATIVE = "negative", "单管阴性，已解除"
    POSITIVE = "positive", "单管阳性"


RECALL_KIND = "sampling.recall"
