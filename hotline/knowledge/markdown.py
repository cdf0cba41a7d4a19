"""A small, safe Markdown subset for article bodies: headings, bullet and numbered lists,
paragraphs and **bold**. Everything is HTML-escaped first, so a body can never inject markup."""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_OL = re.compile(r"^\d+[.、)]\s+")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text))


def render(text: str) -> SafeString:
    out: list[str] = []
    para: list[str] = []
    list_tag: str | None = None

    def close_para():
        if para:
            out.append("<p>" + "<br>".join(_inline(p) for p in para) + "</p>")
            para.clear()

    def close_list():
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            close_para()
            close_list()
            continue
        heading = re.match(r"^(#{1,4})\s+(.*)$", line)
        if heading:
            close_para()
            close_list()
            level = min(len(heading.group(1)) + 1, 5)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        bullet = line[:2] in ("- ", "* ")
        numbered = _OL.match(line)
        if bullet or numbered:
            close_para()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            item = line[2:] if bullet else line[numbered.end() :]
            out.append(f"<li>{_inline(item)}</li>")
            continue
        close_list()
        para.append(line)
    close_para()
    close_list()
    return mark_safe("\n".join(out))
