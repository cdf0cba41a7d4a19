"""Abstract models the apps share (no tables of their own)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DomainEvent(models.Model):
    """One thing that happened, append-only, with a dotted code (``orders.order.dispatched``,
    ``knowledge.article.published``): who did it, what it carried and when. Each app's event
    model adds the object it belongs to."""

    code = models.CharField("事件", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payload = models.JSONField("内容", default=dict, blank=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} @ {self.at:%Y-%m-%d %H:%M}"
