"""API authentication: bearer tokens for machines, the session (with CSRF) for browsers."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from .services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


#: Use on every authenticated endpoint: `auth=API_AUTH`.
API_AUTH = [BearerToken(), django_auth]
