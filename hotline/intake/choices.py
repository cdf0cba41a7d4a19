"""Choices of the intake app: its doors, import job states, event codes."""

from django.db import models


class Door(models.TextChoices):
    """The way an appeal came in, as the intake app names its adapters."""

    OPEN311 = "open311", "Open311 接口"
    PORTAL = "portal", "居民网页端"
    IMPORT = "import", "批量导入"
    HOOK = "hook", "消息推送（短信/微信/App）"


#: The channels an inbound webhook may carry (orders.choices.Channel codes).
HOOK_CHANNELS = ("sms", "wechat", "app")


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (xlsx)"
    JSONL = "jsonl", "JSON Lines"


class JobStatus(models.TextChoices):
    VALIDATED = "validated", "已校验待导入"
    INVALID = "invalid", "校验未通过"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "导入出错"


#: Channels a bulk import may file its orders under.
IMPORT_CHANNELS = ("import", "phone", "web", "wechat", "app", "sms", "email")


class RateKind(models.TextChoices):
    CODE_PHONE = "code_phone", "验证码（按手机号）"
    CODE_IP = "code_ip", "验证码（按 IP）"
    LOOKUP_IP = "lookup_ip", "查询失败（按 IP）"


class EventCode:
    """Dotted codes of intake events."""

    CODE_SENT = "intake.code.sent"
    CODE_REFUSED = "intake.code.refused"
    CODE_VERIFIED = "intake.code.verified"
    CODE_FAILED = "intake.code.failed"
    PORTAL_SUBMITTED = "intake.portal.submitted"
    PORTAL_RATED = "intake.portal.rated"
    OPEN311_RECEIVED = "intake.open311.received"
    HOOK_RECEIVED = "intake.hook.received"
    HOOK_REFUSED = "intake.hook.refused"
    IMPORT_VALIDATED = "intake.import.validated"
    IMPORT_STARTED = "intake.import.started"
    IMPORT_FINISHED = "intake.import.finished"
    IMPORT_FAILED = "intake.import.failed"
