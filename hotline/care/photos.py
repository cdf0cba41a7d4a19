"""Handover photos: checked and re-encoded with Pillow before they are stored.

A phone photo can carry the volunteer's GPS position and the camera's serial number in its
EXIF block; re-encoding the pixels drops it, and bounding the size keeps the table small.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from .errors import invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def clean_photo(data: bytes) -> CleanPhoto:
    """Check that ``data`` is a JPEG, PNG or WebP image of at most 5 MB and return it as a JPEG
    of at most 1600 px a side without metadata; raise a 422 CareError otherwise."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise invalid("照片为空，请重新拍摄。", "photo_empty")
    if len(data) > MAX_BYTES:
        raise invalid("照片不能超过 5 MB，请压缩后再上传。", "photo_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img).convert("RGB")
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                img.save(out, "JPEG", quality=80, optimize=True)
                width, height = img.size
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise invalid(
            "无法识别的图片文件，请上传 JPG、PNG 或 WebP 照片。", "photo_invalid"
        ) from exc
    if fmt not in FORMATS:
        raise invalid("只接受 JPG、PNG 或 WebP 照片。", "photo_format")
    return CleanPhoto(out.getvalue(), width, height)
