"""WSGI entry point (granian or gunicorn: hotline.config.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
application = get_wsgi_application()

if os.environ.get("HOTLINE_WARM_ON_LOAD") == "1":
    # Set by `hotline serve` for servers without a worker hook (granian): load what the first
    # request would otherwise wait for (hotline.config.gunicorn does this for gunicorn).
    from hotline.common.warmup import warm

    warm()
