"""Demo data of the geo app: the Maoming tree and its handling units."""

from __future__ import annotations

from .choices import UnitKind
from .services import UnitSpec, city_unit_specs, load_divisions, upsert_units

DEMO_CITY = "4409"

#: The departments and utilities a surge needs (codes documented in docs/GLOSSARY.md).
DEMO_DEPARTMENTS = [
    UnitSpec("dept-health", "茂名市卫生健康局", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec("dept-market", "茂名市市场监督管理局", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec("dept-transport", "茂名市交通运输局", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec("dept-hrss", "茂名市人力资源和社会保障局", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec("dept-education", "茂名市教育局", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec("dept-water", "茂名市供水公司", UnitKind.UTILITY, parent_code="center"),
    UnitSpec("dept-power", "茂名供电局", UnitKind.UTILITY, parent_code="center"),
    UnitSpec("dept-gas", "茂名市燃气公司", UnitKind.UTILITY, parent_code="center"),
    UnitSpec("dept-police", "茂名市公安局", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec("dept-fire", "茂名市消防救援支队", UnitKind.DEPARTMENT, parent_code="center"),
    UnitSpec(
        "dept-emergency120", "茂名市120急救指挥中心", UnitKind.DEPARTMENT, parent_code="center"
    ),
    UnitSpec(
        "dept-forestry",
        "茂名市林业局（云开山自然保护区）",
        UnitKind.DEPARTMENT,
        parent_code="center",
    ),
]


def load(stdout) -> None:
    result = load_divisions(city=DEMO_CITY)
    stdout.write(f"区划：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
    center = UnitSpec(
        "center",
        "茂名市12345政务服务便民热线中心",
        UnitKind.HOTLINE_CENTER,
        division_code=DEMO_CITY,
        duty_phone="12345",
    )
    units = upsert_units([center, *DEMO_DEPARTMENTS, *city_unit_specs(DEMO_CITY)])
    stdout.write(f"承办单位：新增 {units.created}，更新 {units.updated}，未变 {units.unchanged}")
