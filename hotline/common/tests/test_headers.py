"""Security headers on every response, secure cookies in production, and no inline script or
style in any template (the CSP would block it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HOTLINE = Path(__file__).resolve().parents[2]


def _csp(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/health", "/no-such-page/"])
def test_every_response_carries_the_headers(client, db, path):
    r = client.get(path)
    csp = _csp(r)
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in r["Content-Security-Policy"]
    assert "'unsafe-eval'" not in r["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "microphone=()" in r["Permissions-Policy"]


def test_signed_in_pages_too(client, people):
    client.force_login(people.supervisor)
    for path in ("/", "/board/", "/orders/"):
        r = client.get(path)
        assert r.status_code == 200 and "script-src 'self'" in r["Content-Security-Policy"]


def test_hsts_only_over_tls(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in client.get("/api/v1/health")
    r = client.get("/api/v1/health", secure=True)
    assert r["Strict-Transport-Security"] == "max-age=31536000"


def _settings_in(env: dict) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({k: getattr(s, k, None) for k in ['SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER',"
        "'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS']}))"
    )
    full = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HOTLINE_ENV")},
        "DJANGO_SETTINGS_MODULE": "hotline.config.settings",
        "HOTLINE_ENV_FILE": "/nonexistent",
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    prod = _settings_in(
        {
            "HOTLINE_ENV": "production",
            "SECRET_KEY": "x" * 50,
            "ID_HASH_KEY": "y" * 40,
            "HOTLINE_DATA_DIR": str(tmp_path),
        }
    )
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"]
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SESSION_COOKIE_HTTPONLY"] and prod["X_FRAME_OPTIONS"] == "DENY"
    dev = _settings_in({"HOTLINE_ENV": "development", "HOTLINE_DATA_DIR": str(tmp_path)})
    assert not dev["SESSION_COOKIE_SECURE"] and dev["SECURE_HSTS_SECONDS"] == 0


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>\s*\S"  # a script body
    r"|\son[a-z]+\s*=\s*[\"']"  # onclick= and the other event attributes
    r"|\sstyle\s*=\s*[\"']"  # style attributes
    r"|<style[\s>]",  # style elements
    re.I,
)


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in HOTLINE.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for match in INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(HOTLINE)}:{line}: {match.group(0).strip()}")
    assert not offenders, "inline script/style (move it to a static file):\n" + "\n".join(offenders)
