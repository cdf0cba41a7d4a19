"""WSGI entry point (gunicorn: hotline.config.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
application = get_wsgi_application()
