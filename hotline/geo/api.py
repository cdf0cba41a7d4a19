"""Read endpoints for divisions and handling units."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema

from .choices import DivisionLevel, UnitKind
from .models import Division, HandlingUnit
from .schemas import DivisionOut, UnitOut

router = Router(tags=["geo"])

LevelCode = Literal["province", "city", "county", "town", "village"]
KindCode = Literal[
    "hotline_center",
    "district_government",
    "epidemic_office",
    "town_office",
    "community",
    "department",
    "utility",
]


class DivisionFilter(Schema):
    parent: str | None = None
    level: LevelCode | None = None


@router.get("/divisions", response=list[DivisionOut])
def list_divisions(request, filters: Query[DivisionFilter]):
    """Children of ``parent`` (a division code); without it, the provinces. Filter by level."""
    qs = Division.objects.all()
    if filters.parent:
        if not Division.objects.filter(code=filters.parent).exists():
            raise Http404
        qs = qs.filter(parent_id=filters.parent)
    elif filters.level is None:
        qs = qs.filter(level=DivisionLevel.PROVINCE)
    if filters.level:
        qs = qs.filter(level=filters.level)
    return [
        DivisionOut(code=d.code, name=d.name, short_name=d.short_name, level=d.level,
                    parent=d.parent_id)
        for d in qs.order_by("code")[:5000]
    ]  # fmt: skip


class UnitFilter(Schema):
    kind: KindCode | None = None
    division: str | None = None
    active: bool | None = True


@router.get("/units", response=list[UnitOut])
def list_units(request, filters: Query[UnitFilter]):
    """Handling units, filtered by kind, division (code) and active (default: active only)."""
    qs = HandlingUnit.objects.select_related("parent").order_by("code")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.division:
        qs = qs.filter(division_id=filters.division)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return [
        UnitOut(
            code=u.code,
            name=u.name,
            kind=u.kind,
            kind_label=UnitKind(u.kind).label,
            division=u.division_id,
            parent=u.parent.code if u.parent else None,
            duty_phone=u.duty_phone,
            active=u.active,
        )
        for u in qs
    ]
