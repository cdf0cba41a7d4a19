"""The platform around the apps: settings, health, CLI, pages."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def run_hotline(*args, env_extra=None, data_dir=None, timeout=120):
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"HOTLINE_ENV", "SECRET_KEY"}}
    if data_dir is not None:
        env["HOTLINE_DATA_DIR"] = str(data_dir)
        env.pop("DATABASE_URL", None)
    env.update(env_extra or {})
    return subprocess.run(
        [HOTLINE, *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO
    )


def test_health_without_authentication(client, db):
    from django.db import connection

    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"] == connection.vendor
    assert body["database"] in {"sqlite", "postgresql"}
    assert body["version"]


def test_openapi_and_local_docs(client, db):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/v1/health", "/api/v1/divisions", "/api/v1/units"} <= set(paths)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_unknown_api_path_is_json_404(client, db):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404


def test_login_page_is_chinese(client, db):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'lang="zh-Hans"' in html
    assert "用户名" in html and "密码" in html and "登录" in html


def test_home_requires_login(client, db):
    r = client.get("/")
    assert r.status_code == 302
    assert r.url.startswith("/accounts/login/")


def test_login_with_wrong_password_explains(client, demo_city, make_user):
    make_user("agent", "center", username="agent_x")
    r = client.post("/accounts/login/", {"username": "agent_x", "password": "wrong"})
    assert r.status_code == 200
    assert "用户名或密码不正确" in r.content.decode()


def test_navigation_by_role(client, demo_city, make_user):
    client.force_login(make_user("agent", "center"))
    html = client.get("/").content.decode()
    assert "工作台" in html and "接线员" in html
    assert "管理后台" not in html
    client.force_login(make_user("admin"))
    html = client.get("/").content.decode()
    assert "管理后台" in html and "接口文档" in html


def test_static_files_served_by_whitenoise(client, db):
    # whitenoise answers before Django's URL routing; the test client goes through it.
    r = client.get("/static/hotline/hotline.css")
    assert r.status_code == 200


def test_production_refuses_to_start_without_secret_key(tmp_path):
    r = run_hotline("check", env_extra={"HOTLINE_ENV": "production"}, data_dir=tmp_path)
    assert r.returncode != 0
    assert "SECRET_KEY is required" in r.stderr


def test_unknown_command_prints_usage_and_fails(tmp_path):
    r = run_hotline("frobnicate", data_dir=tmp_path)
    assert r.returncode != 0
    assert "Unknown command" in r.stderr


def test_unknown_option_fails(tmp_path):
    r = run_hotline("load-divisions", "--town", "1", data_dir=tmp_path)
    assert r.returncode != 0
    assert "usage" in r.stderr.lower()


@pytest.fixture(scope="module")
def migrated_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    r = run_hotline("migrate", "-v0", data_dir=data)
    assert r.returncode == 0, r.stderr
    return data


def test_sqlite_data_file_is_in_wal_mode(migrated_dir):
    import sqlite3

    con = sqlite3.connect(migrated_dir / "hotline.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cli_unknown_city_clear_message_nothing_loaded(migrated_dir):
    import sqlite3

    r = run_hotline("load-divisions", "--city", "9999", "--no-progress", data_dir=migrated_dir)
    assert r.returncode != 0
    assert "未知的城市代码：9999" in r.stderr
    con = sqlite3.connect(migrated_dir / "hotline.sqlite3")
    assert con.execute("select count(*) from geo_division").fetchone()[0] == 0


def test_cli_demo_twice_changes_nothing_and_createuser_checks_unit(migrated_dir):
    first = run_hotline("demo", data_dir=migrated_dir)
    assert first.returncode == 0, first.stderr
    second = run_hotline("demo", data_dir=migrated_dir)
    assert second.returncode == 0, second.stderr
    assert "新增 0，更新 0" in second.stdout
    assert "演示账号：新增 0" in second.stdout

    bad = run_hotline(
        "createuser", "zhang", "--role", "unit_handler", "--unit", "nope", data_dir=migrated_dir
    )
    assert bad.returncode != 0
    assert "承办单位代码不存在：nope" in bad.stderr

    ok = run_hotline(
        "createuser", "zhang", "--role", "unit_handler", "--unit", "440902101",
        "--password", "Long-enough-pass-9", data_dir=migrated_dir,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    token = run_hotline("createtoken", "zhang", data_dir=migrated_dir)
    assert token.returncode == 0
    assert token.stdout.strip().startswith("hl_")
    assert len(token.stdout.strip().splitlines()) == 1


def test_demo_refused_in_production(migrated_dir):
    r = run_hotline(
        "demo",
        env_extra={"HOTLINE_ENV": "production", "SECRET_KEY": "x" * 50, "ID_HASH_KEY": "k" * 40},
        data_dir=migrated_dir,
    )
    assert r.returncode != 0
    assert "生产环境" in r.stderr


def test_login_page_names_demo_accounts_only_outside_production(client, db, settings):
    assert "hotline-demo" in client.get("/accounts/login/").content.decode()
    settings.PRODUCTION = True
    assert "hotline-demo" not in client.get("/accounts/login/").content.decode()
