"""Write one benchmark's figures into docs/PERFORMANCE.md.

Each benchmark owns a section delimited by HTML comments, so running one benchmark
rewrites only its own figures and leaves the others as they were last measured.
"""

from __future__ import annotations

import datetime as dt
import platform
import re
from pathlib import Path

PERFORMANCE_MD = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"


def machine_line() -> str:
    """One line naming when and on what the figures were measured."""
    import os

    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"_Measured {now} with {python} on {os.cpu_count()} CPU(s), {platform.machine()}._"


def write_section(name: str, markdown: str, path: Path = PERFORMANCE_MD) -> None:
    """Replace (or append) the section ``name`` of docs/PERFORMANCE.md with ``markdown``."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{markdown.strip()}\n\n{machine_line()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
