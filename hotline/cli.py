"""The `hotline` console script: Django's management commands under one name.

`hotline load-divisions --city 4409` runs the command `load_divisions`; hyphens and underscores
are interchangeable in the command name.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        if argv[1] == "help" and len(argv) > 2:
            argv[2] = argv[2].replace("-", "_")
    argv[0] = "hotline"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
