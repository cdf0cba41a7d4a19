#!/usr/bin/env python
"""Django's manage.py; `hotline` (the console script) does the same with friendlier names."""

from hotline.cli import main

if __name__ == "__main__":
    main()
