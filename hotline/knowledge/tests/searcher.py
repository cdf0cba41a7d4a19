"""A second process for the tests: reads one query per line on stdin and prints the keys it
finds as a JSON list — with its own in-memory index, kept current only by the database stamp."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")

import django

django.setup()

from hotline.knowledge import search  # noqa: E402

for line in sys.stdin:
    result = search.search(line.strip(), limit=5)
    print(json.dumps([h.key for h in result.hits]), flush=True)
