"""The screening API (a django-ninja Router added to /api/v1/ by hotline.config.api)."""

from ninja import Router

router = Router(tags=["筛查台账与日报"])
