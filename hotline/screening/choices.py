"""Choices of the screening app (筛查台账与一日一报告)."""

from django.db import models


class PersonKind(models.TextChoices):
    STAFF = "staff", "干部职工"
    CONTRACTOR = "contractor", "外包（劳务）人员"
    RANGER = "ranger", "护林员"


class TestResult(models.TextChoices):
    NEGATIVE = "negative", "阴性"
    POSITIVE = "positive", "阳性"
    PENDING = "pending", "已采样待出结果"
    NOT_TESTED = "not_tested", "未检测"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交待审核"
    APPROVED = "approved", "已审核通过"
    RETURNED = "returned", "已退回待重报"


class FieldType(models.TextChoices):
    INTEGER = "int", "整数"
    TEXT = "text", "文字"
    YES_NO = "bool", "是/否"
    CHOICE = "choice", "选项"


class EventCode:
    LEDGER_FILLED = "screening.ledger.filled"
    LEDGER_FILLER_SET = "screening.ledger.filler_set"
    PERSON_ADDED = "screening.person.added"
    PERSON_LEFT = "screening.person.left"
    REPORT_SUBMITTED = "screening.report.submitted"
    REPORT_APPROVED = "screening.report.approved"
    REPORT_RETURNED = "screening.report.returned"
