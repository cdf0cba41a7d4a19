"""NASA FIRMS active-fire CSV files, as FIRMS publishes them: pure functions, no database.

Four column layouts are read (the header decides; column order does not matter):

* MODIS C6.1 standard/NRT: ``latitude, longitude, brightness, scan, track, acq_date, acq_time,
  satellite, confidence, version, bright_t31, frp, daynight`` — confidence 0–100.
* MODIS C6.1 archive: the same plus ``instrument`` and ``type``.
* VIIRS (S-NPP, NOAA-20, NOAA-21) standard/NRT: ``latitude, longitude, bright_ti4, scan,
  track, acq_date, acq_time, satellite, instrument, confidence, version, bright_ti5, frp,
  daynight`` — confidence ``l``/``n``/``h`` (or ``low``/``nominal``/``high``).
* VIIRS archive: VIIRS values under the MODIS names (``brightness`` = I4, ``bright_t31`` = I5)
  plus ``type`` — the layout of ``../shared/data/firms``.

``acq_date``/``acq_time`` are UTC (``acq_time`` is HHMM and loses its leading zeros in some
exports: ``5`` is 00:05). A detection is keyed by (satellite, acquired_at, latitude, longitude);
the import uses that key to be idempotent.

Why by hand: the files are small and flat, the layouts differ in a few names, and the lock has
no pandas; the csv module reads them into typed rows with a reason for every row refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

REQUIRED = ("latitude", "longitude", "scan", "track", "acq_date", "acq_time", "satellite")

#: Satellite codes as FIRMS writes them → the name kept on the detection.
SATELLITES = {
    "T": "Terra",
    "TERRA": "Terra",
    "A": "Aqua",
    "AQUA": "Aqua",
    "N": "S-NPP",
    "NPP": "S-NPP",
    "SNPP": "S-NPP",
    "SUOMI NPP": "S-NPP",
    "1": "NOAA-20",
    "N20": "NOAA-20",
    "NOAA-20": "NOAA-20",
    "NOAA20": "NOAA-20",
    "2": "NOAA-21",
    "N21": "NOAA-21",
    "NOAA-21": "NOAA-21",
    "NOAA21": "NOAA-21",
}
VIIRS_SATELLITES = frozenset({"S-NPP", "NOAA-20", "NOAA-21"})
LETTER_CONFIDENCE = {
    "l": "low",
    "low": "low",
    "n": "nominal",
    "nominal": "nominal",
    "h": "high",
    "high": "high",
}


@dataclass(frozen=True)
class Row:
    """One detection read from a FIRMS file."""

    satellite: str
    instrument: str
    acquired_at: dt.datetime
    latitude: float
    longitude: float
    scan: float
    track: float
    brightness: float | None
    bright_t31: float | None
    frp: float | None
    confidence: str
    confidence_raw: str
    daynight: str
    fire_type: int | None
    version: str

    @property
    def key(self) -> tuple:
        return (self.satellite, self.acquired_at, round(self.latitude, 5), round(self.longitude, 5))


@dataclass
class Parsed:
    layout: str
    rows: list[Row] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)  # reason → count
    first_refused_line: dict = field(default_factory=dict)  # reason → line number


class FirmsFormatError(ValueError):
    """The file is not a FIRMS CSV of a known layout."""


def detect_layout(header: list[str]) -> str:
    """``viirs-standard`` (VIIRS names: bright_ti4/bright_ti5), ``modis-standard`` (MODIS
    names, no ``type``) or ``archive`` (MODIS names and ``type``: MODIS, or VIIRS values under
    MODIS names — each row's satellite says which); FirmsFormatError if columns are missing."""
    cols = {c.strip().lower() for c in header}
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise FirmsFormatError(f"不是 FIRMS 火点文件：缺少列 {', '.join(missing)}。")
    if "bright_ti4" in cols:
        return "viirs-standard"
    if "brightness" not in cols:
        raise FirmsFormatError("不是 FIRMS 火点文件：缺少亮温列（brightness 或 bright_ti4）。")
    return "archive" if "type" in cols else "modis-standard"


def modis_band(value: float) -> str:
    """MODIS confidence 0–100 in FIRMS's three classes: < 30 low, 30–79 nominal, ≥ 80 high."""
    if value < 30:
        return "low"
    if value < 80:
        return "nominal"
    return "high"


def _float(value: str) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _acquired(date_text: str, time_text: str) -> dt.datetime:
    day = dt.date.fromisoformat(date_text.strip())
    hhmm = time_text.strip().replace(":", "").zfill(4)
    if len(hhmm) != 4 or not hhmm.isdigit():
        raise ValueError("acq_time")
    hour, minute = int(hhmm[:2]), int(hhmm[2:])
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def parse(text: str | io.TextIOBase) -> Parsed:
    """Read a FIRMS CSV (text or an open text file) into rows; refused rows are counted by
    reason, never silently dropped."""
    handle = io.StringIO(text) if isinstance(text, str) else text
    reader = csv.reader(handle)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FirmsFormatError("文件为空。") from None
    layout = detect_layout(header)
    pos = {name: i for i, name in enumerate(header)}
    bright = pos.get("bright_ti4", pos.get("brightness"))
    bright2 = pos.get("bright_ti5", pos.get("bright_t31"))
    parsed = Parsed(layout=layout)
    ncols = len(header)

    def get(cells, name):
        i = pos.get(name)
        return cells[i] if i is not None else ""

    for line, cells in enumerate(reader, start=2):
        if not cells or not any(c.strip() for c in cells):
            continue
        if len(cells) != ncols:
            _refuse(parsed, "wrong_column_count", line)
            continue
        try:
            lat, lon = float(get(cells, "latitude")), float(get(cells, "longitude"))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
        except ValueError:
            _refuse(parsed, "bad_position", line)
            continue
        try:
            acquired = _acquired(get(cells, "acq_date"), get(cells, "acq_time"))
        except ValueError:
            _refuse(parsed, "bad_time", line)
            continue
        satellite = SATELLITES.get(get(cells, "satellite").strip().upper())
        if satellite is None:
            _refuse(parsed, "unknown_satellite", line)
            continue
        instrument = "VIIRS" if satellite in VIIRS_SATELLITES else "MODIS"
        raw = get(cells, "confidence").strip()
        if instrument == "MODIS":
            try:
                confidence = modis_band(float(raw))
            except ValueError:
                _refuse(parsed, "bad_confidence", line)
                continue
        else:
            confidence = LETTER_CONFIDENCE.get(raw.lower())
            if confidence is None:
                _refuse(parsed, "bad_confidence", line)
                continue
        try:
            scan, track = float(get(cells, "scan")), float(get(cells, "track"))
            if scan <= 0 or track <= 0:
                raise ValueError
            fire_type = get(cells, "type").strip()
            row = Row(
                satellite=satellite,
                instrument=instrument,
                acquired_at=acquired,
                latitude=lat,
                longitude=lon,
                scan=scan,
                track=track,
                brightness=_float(cells[bright]) if bright is not None else None,
                bright_t31=_float(cells[bright2]) if bright2 is not None else None,
                frp=_float(get(cells, "frp")),
                confidence=confidence,
                confidence_raw=raw[:8],
                daynight=get(cells, "daynight").strip()[:1].upper(),
                fire_type=int(fire_type) if fire_type else None,
                version=get(cells, "version").strip()[:16],
            )
        except ValueError:
            _refuse(parsed, "bad_number", line)
            continue
        parsed.rows.append(row)
    return parsed


def _refuse(parsed: Parsed, reason: str, line: int) -> None:
    parsed.refused[reason] += 1
    parsed.first_refused_line.setdefault(reason, line)
