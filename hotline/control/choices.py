"""Choices of the control app (one English name per Chinese term, see docs/GLOSSARY.md)."""

from django.db import models


class PassKind(models.TextChoices):
    #: The household's outing card (出入卡): one per household, valid for the whole period.
    CARD = "H", "家庭出入卡"
    #: A one-off outing pass (单次通行证) for one member, e.g. a medical exemption.
    OUTING = "O", "单次通行证"


class Direction(models.TextChoices):
    EXIT = "exit", "外出"
    RETURN = "return", "返回"


class Decision(models.TextChoices):
    ALLOWED = "allowed", "放行"
    REFUSED = "refused", "拦下"


class Exemption(models.TextChoices):
    """Why a member may go out outside the daily quota or without a fresh test."""

    NONE = "", "无"
    MEDICAL = "medical", "就医"
    APPROVED = "approved", "经批准"


class CheckpointKind(models.TextChoices):
    COMMUNITY = "community", "村居卡口"
    TRAFFIC = "traffic", "交通卡口"


class CodeColour(models.TextChoices):
    GREEN = "green", "绿码"
    YELLOW = "yellow", "黄码"
    RED = "red", "红码"


class AppealStatus(models.TextChoices):
    OPEN = "open", "待核定"
    DECIDED = "decided", "已核定"


class AppealDecision(models.TextChoices):
    TURN_GREEN = "turn_green", "准予转绿码"
    KEEP = "keep", "维持原码色"


#: Why a scan is refused: stable codes shared by the Python rules (rules.py) and the
#: checkpoint's JavaScript (static/control/checkpoint.js), with the words shown in large type.
REASONS = {
    "ok": "核验通过，可以通行",
    "malformed": "无法识别的二维码",
    "unknown_key": "签名密钥未知，卡证无效",
    "forged": "签名不符，疑似伪造卡证",
    "revoked": "此卡证已作废",
    "expired_pass": "卡证不在有效期内",
    "unknown_card": "本卡口名单中无此出入卡",
    "no_valid_test": "无 24 小时内核酸阴性证明",
    "quota_used": "今日本户外出次数已用完",
    "already_out": "本户已有人外出未归",
    "not_out": "本户今日无外出登记，无法登记返回",
    "no_rule": "本区域当前无出行管控规则",
}
