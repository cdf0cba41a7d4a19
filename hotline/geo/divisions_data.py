"""Reading the bundled division files (hotline/geo/data, see DATA.md there).

Pure functions over the files: the loader service writes what they yield, and triage may read
the same files without a database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVINCES_CITIES_CSV = DATA_DIR / "china_provinces_cities.csv"
COUNTIES_CSV = DATA_DIR / "china_counties.csv"
TOWNS_CSV = DATA_DIR / "china_townships.csv"
#: Village-level data is bundled for these cities only.
VILLAGE_FILES = {"4409": DATA_DIR / "maoming_4409_villages_2021.json"}


@dataclass(frozen=True, slots=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent_code: str | None


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


@cache
def provinces_and_cities() -> dict[str, tuple[str, str]]:
    """code -> (name, level) for every province (2 digits) and city (4 digits)."""
    return {r["code"]: (r["name"], r["level"]) for r in _read_csv(PROVINCES_CITIES_CSV)}


def known_city_codes() -> set[str]:
    return {code for code, (_, level) in provinces_and_cities().items() if level == "city"}


def city_rows(city_code: str) -> list[DivisionRow]:
    """Province, city, counties, towns and (where bundled) villages of one city, parents first.

    Raises KeyError for a city code that the bundled data does not know.
    """
    pc = provinces_and_cities()
    if city_code not in pc or pc[city_code][1] != "city":
        raise KeyError(city_code)
    province = city_code[:2]
    rows = [
        DivisionRow(province, pc[province][0], "province", None),
        DivisionRow(city_code, pc[city_code][0], "city", province),
    ]
    counties = [r for r in _read_csv(COUNTIES_CSV) if r["cityCode"] == city_code]
    rows += [DivisionRow(r["code"], r["name"], "county", city_code) for r in counties]
    towns = {
        r["code"]: DivisionRow(r["code"], r["name"], "town", r["county_code"])
        for r in _read_csv(TOWNS_CSV)
        if r["city_code"] == city_code
    }
    village_file = VILLAGE_FILES.get(city_code)
    villages: list[DivisionRow] = []
    if village_file is not None:
        tree: dict[str, dict[str, str]] = json.loads(village_file.read_text(encoding="utf-8"))
        county_codes = {r["code"] for r in counties}
        for county_code, county_towns in tree.items():
            if county_code not in county_codes:
                continue
            for town_code, town_name in county_towns.items():
                # The town list is the union of both sources (each misses a town or two).
                towns.setdefault(town_code, DivisionRow(town_code, town_name, "town", county_code))
                villages += [
                    DivisionRow(code, name, "village", town_code)
                    for code, name in tree.get(town_code, {}).items()
                ]
    rows += sorted(towns.values(), key=lambda r: r.code)
    rows += villages
    return rows


def all_town_rows() -> list[DivisionRow]:
    """Every province, city, county and town of China, parents first."""
    pc = provinces_and_cities()
    rows = [DivisionRow(c, n, "province", None) for c, (n, lv) in pc.items() if lv == "province"]
    rows += [DivisionRow(c, n, "city", c[:2]) for c, (n, lv) in pc.items() if lv == "city"]
    rows += [
        DivisionRow(r["code"], r["name"], "county", r["cityCode"]) for r in _read_csv(COUNTIES_CSV)
    ]
    rows += [
        DivisionRow(r["code"], r["name"], "town", r["county_code"]) for r in _read_csv(TOWNS_CSV)
    ]
    return rows
