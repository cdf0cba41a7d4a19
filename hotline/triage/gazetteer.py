"""Find the district, town and village an appeal names, from the bundled divisions files.

Pure Python over ``hotline/geo/data`` (no database): an Aho-Corasick automaton holds every
district, town and village name of the city, with and without its suffix (区/市, 镇/街道,
村/社区/村委会 …). Matches are taken longest first; a name that fits several places (河西街道 is
in 茂南区 and in 化州市) is resolved by the other places named in the text or by the caller's
district, and when it stays ambiguous the candidates are returned instead of a guess.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick

GEO_DATA = Path(__file__).resolve().parent.parent / "geo" / "data"
DEFAULT_CITY = "4409"

_DISTRICT_SUFFIX = re.compile(r"(区|市|县|自治县)$")
_TOWN_SUFFIX = re.compile(r"(街道办事处|街道|镇|乡)$")
_VILLAGE_SUFFIX = re.compile(r"(村民委员会|村委会|社区居民委员会|居民委员会|社区居委会|居委会)$")
# Bare town names that are also everyday words or slogans: matched only with their suffix.
_BARE_STOPLIST = frozenset(
    [
        "红旗",
        "新华",
        "高地",
        "城南",
        "站前",
        "南海",
        "金山",
        "东山",
        "团结",
        "胜利",
        "和平",
        "大成",
        "白石",
        "水口",
        "新安",
        "平山",
        "石板",
        "合江",
        "文楼",
        "江湖",
        "分界",
        "东岸",
        "长坡",
        "宝光",
        "建设",
        "曙光",
        "火星",
        "红阳",
        "红峰",
        "新时代",
        "深镇",
        "东镇",
        "中区",
    ]
)


@dataclass(frozen=True, slots=True)
class Division:
    """One division of the NBS code tree (district, town or village)."""

    level: str  # "district" | "town" | "village"
    code: str
    name: str
    parent: str | None  # the parent's code ("4409" for districts)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an appeal is about. Names are the NBS names; ``None`` when unknown.

    ``ambiguous`` lists "区县+镇街" candidates when a name fits several places and nothing in the
    text decides between them; ``confidence`` is 0 when nothing was found.
    """

    district: str | None = None
    district_code: str | None = None
    town: str | None = None
    town_code: str | None = None
    village: str | None = None
    village_code: str | None = None
    confidence: float = 0.0
    ambiguous: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=(), compare=False)


class Gazetteer:
    """The place-name matcher of one city; build it with :meth:`for_city` (cached)."""

    def __init__(self, divisions: list[Division]):
        self.by_code = {d.code: d for d in divisions}
        self.aliases: dict[str, list[tuple[str, bool]]] = {}  # alias -> [(code, exact)]
        for div in divisions:
            for alias, exact in _aliases(div):
                self.aliases.setdefault(alias, []).append((div.code, exact))
            if div.level == "town":
                # A bare name kept out for being an everyday word (城南, 分界) is still the town
                # right after its district's short name: "茂南城南", "高州分界".
                core = _TOWN_SUFFIX.sub("", div.name)
                parent = self.by_code.get(div.parent)
                if core in _BARE_STOPLIST and parent is not None:
                    district = _DISTRICT_SUFFIX.sub("", parent.name)
                    self.aliases.setdefault(district + core, []).append((div.code, False))
        self._automaton = ahocorasick.Automaton()
        for alias, entries in self.aliases.items():
            self._automaton.add_word(alias, (alias, tuple(entries)))
        self._automaton.make_automaton()

    @classmethod
    def for_city(cls, city: str = DEFAULT_CITY) -> Gazetteer:
        """Return the (process-wide, cached) gazetteer of ``city`` (NBS 4-digit city code)."""
        return _gazetteer(city)

    def mentions(self, text: str) -> list[tuple[int, int, str, tuple[tuple[str, bool], ...]]]:
        """Longest non-overlapping alias matches: ``(start, end, alias, ((code, exact), …))``."""
        found = []
        for end, (alias, entries) in self._automaton.iter(text):
            start = end - len(alias) + 1
            found.append((start, end + 1, alias, entries))
        found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
        taken: list[tuple[int, int]] = []
        chosen = []
        for m in found:
            if all(m[1] <= s or m[0] >= e for s, e in taken):
                taken.append((m[0], m[1]))
                chosen.append(m)
        chosen.sort(key=lambda m: m[0])
        return chosen

    def locate(self, text: str, *, district_hint: str | None = None) -> Place:
        """Resolve the place named in ``text``.

        ``district_hint`` (a district code, e.g. from the caller's registered address) breaks ties
        only when the text itself does not.
        """
        mentions = self.mentions(text)
        if not mentions:
            return _NOWHERE  # what the code below returns then; frozen, so one serves all
        districts: dict[str, bool] = {}
        towns: list[tuple[str, tuple[str, ...], bool]] = []  # (alias, codes, exact)
        villages: list[tuple[str, tuple[str, ...]]] = []
        for _s, _e, alias, entries in mentions:
            level = self.by_code[entries[0][0]].level
            codes = tuple(c for c, _x in entries)
            exact = any(x for _c, x in entries)
            if level == "district":
                districts[codes[0]] = districts.get(codes[0], False) or exact
            elif level == "town":
                towns.append((alias, codes, exact))
            else:
                villages.append((alias, codes))
        reasons: list[str] = []
        town_code = village_code = None
        ambiguous: tuple[str, ...] = ()
        confidence = 0.0
        village_towns = {self.by_code[c].parent for _a, codes in villages for c in codes}

        for alias, codes, exact in towns:
            pick = _narrow(codes, lambda c: self.by_code[c].parent in districts)
            why = "同句提到的区县"
            if len(pick) != 1:
                pick = _narrow(codes, lambda c: c in village_towns)
                why = "同句提到的村居"
            if len(pick) != 1 and district_hint:
                pick = _narrow(codes, lambda c: self.by_code[c].parent == district_hint)
                why = "来电人所在区县"
            if len(pick) == 1:
                town_code = pick[0]
                confidence = 0.95 if exact else 0.8
                if len(codes) > 1:
                    reasons.append(
                        f"地名“{alias}”有{len(codes)}处，依{why}定为{self._label(town_code)}"
                    )
                    confidence -= 0.1
                else:
                    reasons.append(f"地名“{alias}”→{self._label(town_code)}")
                break
            ambiguous = tuple(self._label(c) for c in codes)
            reasons.append(
                f"地名“{alias}”有{len(codes)}处（{'、'.join(ambiguous)}），无法确定，不作猜测"
            )

        for alias, codes in villages:
            pick = codes
            if town_code:
                pick = _narrow(codes, lambda c, t=town_code: self.by_code[c].parent == t)
            elif districts:
                pick = _narrow(
                    codes, lambda c: self.by_code[self.by_code[c].parent].parent in districts
                )
            if len(pick) == 1 and (town_code is None or self.by_code[pick[0]].parent == town_code):
                village_code = pick[0]
                reasons.append(f"村居“{alias}”→{self.by_code[village_code].name}")
                if town_code is None:
                    town_code = self.by_code[village_code].parent
                    confidence = 0.75
                    ambiguous = ()
                    reasons.append(f"由村居推定镇街为{self._label(town_code)}")
                break

        district_code = None
        if town_code:
            district_code = self.by_code[town_code].parent
            if districts and district_code not in districts:
                confidence -= 0.2
                reasons.append("所提区县与镇街不一致，以镇街为准")
        elif len(districts) == 1 and not ambiguous:
            district_code = next(iter(districts))
            confidence = 0.9 if districts[district_code] else 0.75
            reasons.append(f"地名→{self.by_code[district_code].name}")
        elif len(districts) > 1 and not ambiguous:
            ambiguous = tuple(self.by_code[c].name for c in districts)
            reasons.append(f"提到多个区县（{'、'.join(ambiguous)}），无法确定")

        def name(code: str | None) -> str | None:
            return self.by_code[code].name if code else None

        return Place(
            district=name(district_code),
            district_code=district_code,
            town=name(town_code),
            town_code=town_code,
            village=name(village_code),
            village_code=village_code,
            confidence=round(max(confidence, 0.0), 2),
            ambiguous=ambiguous,
            reasons=tuple(reasons),
        )

    def _label(self, town_code: str) -> str:
        town = self.by_code[town_code]
        return (
            self.by_code[town.parent].name + town.name if town.parent in self.by_code else town.name
        )


#: The place of a text that names none.
_NOWHERE = Place()


def _narrow(codes: tuple[str, ...], keep) -> tuple[str, ...]:
    kept = tuple(c for c in codes if keep(c))
    return kept or codes


def _aliases(div: Division) -> list[tuple[str, bool]]:
    name = div.name
    out = [(name, True)]
    if div.level == "district":
        core = _DISTRICT_SUFFIX.sub("", name)
        if core != name and len(core) >= 2:
            out.append((core, False))
    elif div.level == "town":
        core = _TOWN_SUFFIX.sub("", name)
        if core != name and len(core) >= 2:
            out += [(core + "街", False)] if name.endswith("街道") else []
            if core not in _BARE_STOPLIST:
                out.append((core, False))
    else:
        base = _VILLAGE_SUFFIX.sub("", name)
        if name.endswith(("村委会", "村民委员会")) and not base.endswith("村"):
            base += "村"  # "谭屋村委会" is 谭屋村, not a 谭屋 community
        if base.endswith("社区"):
            core = base[:-2]
            out += [(base, True), (core + "居委会", True), (core + "居委", True)]
        elif base.endswith("村"):
            core = base[:-1]
            out += [(base, True), (base + "委", True), (base + "委会", True)]
        elif base != name:  # e.g. "XX居委会" without 社区
            out += [(base + "社区", True), (base + "居委", True), (base, False)]
        out = [(a, x) for a, x in out if len(a) >= 3]
    return list(dict.fromkeys(out))


def load_divisions(city: str = DEFAULT_CITY, data_dir: Path = GEO_DATA) -> list[Division]:
    """Read the districts, towns and (where bundled) villages of ``city`` from the data files."""
    divisions: list[Division] = []
    with open(data_dir / "china_counties.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["cityCode"] == city and row["name"] != "市辖区":
                divisions.append(Division("district", row["code"], row["name"], city))
    district_codes = {d.code for d in divisions}
    with open(data_dir / "china_townships.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["city_code"] == city and row["county_code"] in district_codes:
                divisions.append(Division("town", row["code"], row["name"], row["county_code"]))
    town_codes = {d.code for d in divisions if d.level == "town"}
    for path in sorted(data_dir.glob(f"*_{city}_villages_*.json")):
        tree = json.loads(path.read_text(encoding="utf-8"))
        for town in town_codes:
            for code, name in tree.get(town, {}).items():
                divisions.append(Division("village", code, name, town))
    return divisions


_lock = threading.Lock()


@cache
def _gazetteer(city: str) -> Gazetteer:
    with _lock:
        return Gazetteer(load_divisions(city))


def dictionary_words(city: str = DEFAULT_CITY) -> list[str]:
    """Every place alias of ``city``, for the tokeniser's domain dictionary."""
    return list(Gazetteer.for_city(city).aliases)


def locate(text: str, *, city: str = DEFAULT_CITY, district_hint: str | None = None) -> Place:
    """Shortcut for ``Gazetteer.for_city(city).locate(text, district_hint=district_hint)``."""
    return Gazetteer.for_city(city).locate(text, district_hint=district_hint)
