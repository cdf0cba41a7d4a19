"""Printable outing cards: QR codes with segno, A4 sheets of eight cards with WeasyPrint."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from django.template.loader import render_to_string
from django.utils import timezone

#: The sheet's layout, a static file like the pages' (no inline style in templates).
PRINT_CSS = Path(__file__).resolve().parent / "static" / "control" / "cards_print.css"


def qr_svg_data_uri(token: str, *, scale: int = 4) -> str:
    """The token's QR code as an SVG data URI (level M: survives a creased, smudged card)."""
    return segno.make(token, error="m", micro=False).svg_data_uri(scale=scale, border=2)


def qr_png(token: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(token, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def cards_pdf(issued_passes) -> bytes:
    """One PDF with a card for each pass, eight to an A4 page (cut along the lines)."""
    from weasyprint import CSS, HTML

    cards = []
    for p in issued_passes:
        household = p.household
        cards.append(
            {
                "pass": p,
                "household": household,
                "qr": qr_svg_data_uri(p.token),
                "members": list(household.members.all()),
                "until": timezone.localtime(p.valid_until),
            }
        )
    html = render_to_string("control/cards_pdf.html", {"cards": cards})
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
