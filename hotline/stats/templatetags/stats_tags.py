"""Template filters of the stats pages."""

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A rate in percent, or a dash when nothing was due (never "0 %" for "no data")."""
    return "—" if value is None else f"{value}%"


@register.filter
def minutes(value) -> str:
    return "—" if value is None else f"{value} 分钟"
