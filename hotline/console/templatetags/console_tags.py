from django import template

from hotline.console.queries import VULNERABLE_LABELS

register = template.Library()


@register.filter
def vulnerable_labels(codes) -> str:
    """['elderly', 'disabled'] → 老年人、残障 (empty string when none)."""
    return "、".join(VULNERABLE_LABELS.get(c, c) for c in codes or [])
