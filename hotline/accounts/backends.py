"""Authentication backends."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for requests only.

    An ``authenticate()`` without a request (the test client's ``login``, a management command)
    comes from code running inside the server, not from a client that could guess passwords;
    axes would refuse it outright, so it is passed on to the password backend unchecked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
