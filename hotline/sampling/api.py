"""The sampling API (a django-ninja Router added to /api/v1/ by hotline.config.api)."""

from ninja import Router

router = Router(tags=["核酸采样"])
