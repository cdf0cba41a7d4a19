"""The reserve's bundled map data (``data/reserve_map.json``): a *schematic* outline, the towns
around it, the watch area (outline + buffer), the nearest town, and the projection used to draw
it as SVG without map tiles. Pure functions, no database.

Why by hand: the lock has no GIS library, and a dozen vertices need only ray casting, a point-
to-segment distance on a local plane and an equirectangular projection.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAP_FILE = Path(__file__).with_name("data") / "reserve_map.json"
KM_PER_DEG = 111.195


@cache
def reserve_map() -> dict:
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def outline() -> list[tuple[float, float]]:
    return [tuple(p) for p in reserve_map()["outline"]]


def _xy(lat: float, lon: float, lat0: float) -> tuple[float, float]:
    return lon * KM_PER_DEG * math.cos(math.radians(lat0)), lat * KM_PER_DEG


def inside_outline(lat: float, lon: float, polygon=None) -> bool:
    """Ray casting on (lat, lon) vertices."""
    polygon = polygon or outline()
    inside = False
    j = len(polygon) - 1
    for i, (yi, xi) in enumerate(polygon):
        yj, xj = polygon[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def distance_to_outline_km(lat: float, lon: float, polygon=None) -> float:
    """0 inside the outline, else the distance to its nearest edge (km, local plane)."""
    polygon = polygon or outline()
    if inside_outline(lat, lon, polygon):
        return 0.0
    px, py = _xy(lat, lon, lat)
    best = math.inf
    for (ay, ax), (by, bx) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        x1, y1 = _xy(ay, ax, lat)
        x2, y2 = _xy(by, bx, lat)
        dx, dy = x2 - x1, y2 - y1
        length2 = dx * dx + dy * dy
        u = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
        best = min(best, math.hypot(px - (x1 + u * dx), py - (y1 + u * dy)))
    return best


def in_watch_area(lat: float, lon: float, buffer_km: float | None = None) -> bool:
    """Inside the reserve or within its buffer (``buffer_km`` of the map file by default)."""
    if buffer_km is None:
        buffer_km = reserve_map()["buffer_km"]
    return distance_to_outline_km(lat, lon) <= buffer_km


def bounds(buffer_km: float | None = None) -> tuple[float, float, float, float]:
    """(min lat, min lon, max lat, max lon) of the watch area: a cheap first filter."""
    if buffer_km is None:
        buffer_km = reserve_map()["buffer_km"]
    pts = outline()
    dlat = buffer_km / KM_PER_DEG
    mid = sum(p[0] for p in pts) / len(pts)
    dlon = buffer_km / (KM_PER_DEG * math.cos(math.radians(mid)))
    return (
        min(p[0] for p in pts) - dlat,
        min(p[1] for p in pts) - dlon,
        max(p[0] for p in pts) + dlat,
        max(p[1] for p in pts) + dlon,
    )


def nearest_town(lat: float, lon: float) -> dict:
    """The bundled town nearest to a point (its NBS code routes an order to the town office)."""
    return min(
        reserve_map()["towns"],
        key=lambda t: (t["lat"] - lat) ** 2 + ((t["lon"] - lon) * math.cos(math.radians(lat))) ** 2,
    )


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of a lat/lon box onto an SVG viewBox (y grows downwards)."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float
    width: float = 800.0

    @property
    def scale(self) -> float:
        mid = (self.min_lat + self.max_lat) / 2
        return self.width / ((self.max_lon - self.min_lon) * math.cos(math.radians(mid)))

    @property
    def height(self) -> float:
        return round((self.max_lat - self.min_lat) * self.scale, 1)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        mid = (self.min_lat + self.max_lat) / 2
        x = (lon - self.min_lon) * math.cos(math.radians(mid)) * self.scale
        y = (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def map_projection(margin_deg: float = 0.06) -> Projection:
    pts = outline() + [(t["lat"], t["lon"]) for t in reserve_map()["towns"]]
    return Projection(
        min(p[0] for p in pts) - margin_deg,
        min(p[1] for p in pts) - margin_deg,
        max(p[0] for p in pts) + margin_deg,
        max(p[1] for p in pts) + margin_deg,
    )
