"""Choices of the care app (居家关爱). Codes are stable; labels are what people read."""

from django.db import models


class Need(models.TextChoices):
    """What a sealed or home-quarantined household needs brought to its door."""

    GROCERIES = "groceries", "生活物资（米面粮油、蔬菜）"
    MEALS = "meals", "配送饭菜"
    MEDICINE = "medicine", "药品（凭处方）"
    FORMULA = "formula", "婴幼儿奶粉"
    DIALYSIS = "dialysis", "透析等就医接送"
    OTHER = "other", "其他帮扶"


class RequestStatus(models.TextChoices):
    OPEN = "open", "待安排"
    IN_PROGRESS = "in_progress", "配送中"
    DONE = "done", "已送达"
    CANCELLED = "cancelled", "已取消"


OPEN_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待分派"
    ASSIGNED = "assigned", "已分派"
    ON_THE_WAY = "on_the_way", "配送中"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "未能送达"
    CANCELLED = "cancelled", "已取消"


OPEN_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.ASSIGNED, TaskStatus.ON_THE_WAY)
#: Statuses that end a task; a request is done when none of its tasks is open and one delivered.
CLOSED_TASK_STATUSES = (TaskStatus.DELIVERED, TaskStatus.FAILED, TaskStatus.CANCELLED)


class Origin(models.TextChoices):
    ORDER = "order", "热线工单转入"
    COMMUNITY = "community", "社区（村居）登记"


class EventCode:
    """Dotted codes of care events (the request's history reads them)."""

    REQUEST_CREATED = "care.request.created"
    REQUEST_DONE = "care.request.done"
    REQUEST_CANCELLED = "care.request.cancelled"
    REQUEST_REOPENED = "care.request.reopened"
    ORDER_CLOSED = "care.request.order_closed"
    TASK_CREATED = "care.task.created"
    TASK_ASSIGNED = "care.task.assigned"
    TASK_STARTED = "care.task.started"
    TASK_DELIVERED = "care.task.delivered"
    TASK_FAILED = "care.task.failed"
    TASK_CANCELLED = "care.task.cancelled"
    ROUTE_PLANNED = "care.route.planned"
    STOCK_RECEIVED = "care.stock.received"
    STOCK_ISSUED = "care.stock.issued"


EVENT_LABELS = {
    EventCode.REQUEST_CREATED: "登记关爱需求",
    EventCode.REQUEST_DONE: "全部送达",
    EventCode.REQUEST_CANCELLED: "取消需求",
    EventCode.REQUEST_REOPENED: "重新办理",
    EventCode.ORDER_CLOSED: "工单已办结",
    EventCode.TASK_CREATED: "新建配送任务",
    EventCode.TASK_ASSIGNED: "分派任务",
    EventCode.TASK_STARTED: "出发配送",
    EventCode.TASK_DELIVERED: "送达交接",
    EventCode.TASK_FAILED: "未能送达",
    EventCode.TASK_CANCELLED: "取消任务",
    EventCode.ROUTE_PLANNED: "排定配送路线",
    EventCode.STOCK_RECEIVED: "物资入库",
    EventCode.STOCK_ISSUED: "物资出库",
}
