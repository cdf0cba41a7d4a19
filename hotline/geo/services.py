"""Writes of the geo app: loading divisions, creating handling units."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from . import divisions_data
from .choices import UnitKind
from .models import Division, HandlingUnit, short_name


class GeoError(Exception):
    """A geo operation that cannot be carried out; the message is for people (Chinese)."""

    def __init__(self, message: str, code: str = "geo_error"):
        super().__init__(message)
        self.code = code


@dataclass
class LoadResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


BATCH = 2000


def load_divisions(
    *,
    city: str | None = None,
    all_towns: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load divisions from the bundled data in one transaction; idempotent.

    ``city`` loads one city's tree (with villages where bundled); ``all_towns`` loads every
    province, city, county and town of China. Rows that exist with the same name and parent
    are left alone; changed ones are updated. ``progress(done, total)`` is called per batch.
    """
    if bool(city) == bool(all_towns):
        raise GeoError("请指定 --city 城市代码 或 --all-towns 其中之一。", "bad_arguments")
    if city:
        try:
            rows = divisions_data.city_rows(city)
        except KeyError:
            raise GeoError(
                f"未知的城市代码：{city}。城市代码为 4 位国家统计局区划代码，例如茂名市为 4409。",
                "unknown_city",
            ) from None
    else:
        rows = divisions_data.all_town_rows()
    return _upsert(rows, progress)


def _upsert(rows: list[divisions_data.DivisionRow], progress) -> LoadResult:
    created = updated = unchanged = 0
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            existing = {
                code: (name, parent)
                for code, name, parent in Division.objects.filter(
                    code__in=[r.code for r in chunk]
                ).values_list("code", "name", "parent_id")
            }
            to_write = []
            for r in chunk:
                current = existing.get(r.code)
                if current == (r.name, r.parent_code):
                    unchanged += 1
                    continue
                if current is None:
                    created += 1
                else:
                    updated += 1
                to_write.append(
                    Division(
                        code=r.code,
                        name=r.name,
                        short_name=short_name(r.name),
                        level=r.level,
                        parent_id=r.parent_code,
                    )
                )
            if to_write:
                Division.objects.bulk_create(
                    to_write,
                    update_conflicts=True,
                    unique_fields=["code"],
                    update_fields=["name", "short_name", "level", "parent"],
                )
            if progress:
                progress(len(chunk), len(rows))
    return LoadResult(created, updated, unchanged)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    division_code: str | None = None
    parent_code: str | None = None
    duty_phone: str = ""


def upsert_units(specs: Iterable[UnitSpec]) -> LoadResult:
    """Create or update handling units by code, parents before children; idempotent."""
    created = updated = unchanged = 0
    with transaction.atomic():
        for spec in specs:
            values = {
                "name": spec.name,
                "kind": spec.kind,
                "division_id": spec.division_code,
                "parent_id": (
                    HandlingUnit.objects.only("pk").get(code=spec.parent_code).pk
                    if spec.parent_code
                    else None
                ),
                "duty_phone": spec.duty_phone,
            }
            unit = HandlingUnit.objects.select_for_update().filter(code=spec.code).first()
            if unit is None:
                unit = HandlingUnit(code=spec.code, **values)
                unit.full_clean()
                unit.save()
                created += 1
                continue
            changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(unit, k, v)
                unit.full_clean()
                unit.save(update_fields=list(changed))
                updated += 1
            else:
                unchanged += 1
    return LoadResult(created, updated, unchanged)


def city_unit_specs(city_code: str) -> list[UnitSpec]:
    """The territorial units of a loaded city: a government and an epidemic-control office per
    county, an office per town. Codes follow docs/GLOSSARY.md."""
    specs: list[UnitSpec] = []
    counties = Division.objects.filter(level="county", parent_id=city_code).order_by("code")
    for county in counties:
        specs.append(
            UnitSpec(
                f"{county.code}-gov",
                f"{county.name}人民政府",
                UnitKind.DISTRICT_GOVERNMENT,
                county.code,
                "center",
            )
        )
        specs.append(
            UnitSpec(
                f"{county.code}-epi",
                f"{county.name}新冠肺炎疫情防控指挥部办公室",
                UnitKind.EPIDEMIC_OFFICE,
                county.code,
                f"{county.code}-gov",
            )
        )
    towns = Division.objects.filter(level="town", parent__parent_id=city_code).order_by("code")
    for town in towns.select_related("parent"):
        specs.append(
            UnitSpec(
                town.code,
                town_office_name(town.parent.name, town.name),
                UnitKind.TOWN_OFFICE,
                town.code,
                f"{town.parent_id}-gov",
            )
        )
    return specs


def town_office_name(county_name: str, town_name: str) -> str:
    """茂南区 + 红旗街道 → 茂南区红旗街道办事处; 茂南区 + 公馆镇 → 茂南区公馆镇人民政府."""
    if town_name.endswith("街道"):
        return f"{county_name}{town_name}办事处"
    if town_name.endswith(("镇", "乡")):
        return f"{county_name}{town_name}人民政府"
    # Farms and other special towns are named in full already (信宜市国营红旗农场).
    return town_name if town_name.startswith(county_name) else f"{county_name}{town_name}"
