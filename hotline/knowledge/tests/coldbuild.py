"""A fresh process for the tests: builds the search index the way a new worker does on its
first search, and prints how many articles it had to tokenise and the keys a query finds."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")

import django

django.setup()

from hotline.knowledge import analysis, search  # noqa: E402

cut = []
field_words = analysis.field_words


def counting(*args, **kwargs):
    cut.append(args[0])
    return field_words(*args, **kwargs)


analysis.field_words = counting
result = search.search(sys.argv[1], limit=3)
print(json.dumps({"tokenised": len(cut), "keys": [h.key for h in result.hits]}), flush=True)
