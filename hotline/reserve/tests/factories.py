"""Test data of the reserve app: places, people, FIRMS lines and signed signals."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

from PIL import Image

from hotline.common.identity import check_digit

TZ = ZoneInfo("Asia/Shanghai")
#: The seed's instant: bookings suspended from 6 Nov 2022 12:00 (Maoming time).
SUSPENSION_START = dt.datetime(2022, 11, 6, 12, 0, tzinfo=TZ)
SECOND = dt.timedelta(seconds=1)

VIIRS_STANDARD_HEADER = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,"
    "confidence,version,bright_ti5,frp,daynight"
)
#: A point well inside the (schematic) reserve, near 大田顶.
INSIDE = (22.2860, 111.1790)


def id_number(serial: int, birth: str = "19900315") -> str:
    """A valid 18-character ID number of a 茂南区 resident (check digit computed)."""
    first = f"440902{birth}{serial % 1000:03d}"
    return first + check_digit(first)


def visitor(serial: int = 1, party_size: int = 2, **extra):
    from hotline.reserve.services import VisitorIn

    values = {
        "name": "林晓东",
        "phone": f"139{serial:08d}",
        "id_number": id_number(serial),
        "party_size": party_size,
    }
    values.update(extra)
    return VisitorIn(**values)


def viirs_line(lat, lon, when: dt.datetime, *, sat="N", conf="n", frp=5.0, scan=0.39, track=0.36):
    u = when.astimezone(dt.UTC)
    return (
        f"{lat},{lon},330.1,{scan},{track},{u:%Y-%m-%d},{u:%H%M},{sat},VIIRS,{conf},2.0NRT,"
        f"291.2,{frp},D"
    )


def viirs_file(*lines: str) -> str:
    return "\n".join([VIIRS_STANDARD_HEADER, *lines]) + "\n"


def signed(source, payload: dict) -> tuple[bytes, dict]:
    from hotline.reserve.services import sign

    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, {"HTTP_X_SOURCE": source.code, "HTTP_X_SIGNATURE": sign(source, body)}


def photo_bytes(fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 20)).save(buffer, fmt)
    return buffer.getvalue()
