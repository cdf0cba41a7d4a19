"""`make run`'s own path, end to end: a data directory set up by `hotline migrate` and
`hotline demo`, served by `hotline serve` — granian, the default, and gunicorn — and used from
the browser and over one keep-alive HTTP connection, as a person and a client system would.

The other browser tests drive pytest-django's live server (Django's threaded server inside the
test process, so that each test can set up its own rows); these check that what `make run`
starts is the same product: its server, its workers' warm-up, static files, sessions, CSRF,
htmx polling and the API behind a real HTTP server, against the demo city's data.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HOTLINE = str(Path(sys.executable).parent / "hotline")
DEMO_PASSWORD = "hotline-demo"  # hotline.accounts.services.DEMO_PASSWORD, shown on the login page
WATER_CUT = (
    "我腿脚残疾坐轮椅，一个人住在公馆镇，家里停水两天了，没有水喝也做不了饭，麻烦尽快派人来看看"
)
TOKEN = """
from django.contrib.auth import get_user_model
from hotline.accounts.services import create_token
print("TOKEN=" + create_token(get_user_model().objects.get(username="agent"), name="served-test"))
"""


def _env(data_dir: Path) -> dict:
    """What `make run` gives the commands: a data directory and nothing of the test run's own
    database settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "DATABASE_"))}
    env.update(HOTLINE_DATA_DIR=str(data_dir), HOTLINE_ACCESS_LOG="off", LOG_LEVEL="WARNING")
    return env


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """A migrated data directory with the demo city (`hotline demo`) and an API token of the
    demo agent."""
    data_dir = tmp_path_factory.mktemp("served")
    env = _env(data_dir)
    _run([HOTLINE, "migrate", "--no-input", "-v0"], env)
    _run([HOTLINE, "demo"], env)
    token = _run([HOTLINE, "shell", "-c", TOKEN], env).split("TOKEN=")[1].strip()
    return env, token


@contextlib.contextmanager
def serving(env: dict, server: str):
    """`hotline serve --server <server>` (2 workers) on a free port until the block ends."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(env["HOTLINE_DATA_DIR"]) / f"{server}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [HOTLINE, "serve", "--port", str(port), "--workers", "2", "--server", server],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"{server} exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"{server} never answered:\n{log.read_text()}"
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _sign_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def test_make_run_serves_the_demo_city_to_agent_and_town_office(browser, demo_site):
    env, _token = demo_site
    with serving(env, "granian") as base:
        handler = _sign_in(browser, base, "gongguan")
        handler.goto(f"{base}/inbox/")
        agent = _sign_in(browser, base, "agent")
        agent.goto(f"{base}/intake/")
        # the stylesheet and htmx come from the same server (whitenoise)
        assert agent.evaluate("document.styleSheets.length") > 0
        assert agent.evaluate("typeof window.htmx") == "object"
        agent.get_by_label("来电号码").fill("13900003333")
        agent.get_by_label("诉求内容").fill(WATER_CUT)
        expect(agent.locator("#triage [data-urgency]")).to_have_text("紧急")
        agent.get_by_label("诉求分类").select_option("living")
        agent.get_by_label("诉求内容").press("Control+Enter")
        expect(agent.locator(".messages")).to_contain_text("派往 茂南区公馆镇人民政府")
        number = re.search(r"\d{8}-\d{6}", agent.locator("h1").inner_text()).group(0)

        # the town office's inbox, refreshed by htmx through the same server, shows it
        row = handler.locator(f'tr[data-order="{number}"]')
        expect(row).to_be_visible(timeout=30_000)
        row.get_by_role("button", name="签收").click()
        expect(handler.locator(".messages")).to_contain_text("签收已完成")

        supervisor = _sign_in(browser, base, "supervisor")
        supervisor.goto(f"{base}/orders/?q={number}")
        row = supervisor.locator("table tbody tr", has_text=number)
        expect(row).to_contain_text("已签收")
        for page in (handler, agent, supervisor):  # stop the live pages' polling
            page.context.close()


def _post(conn, path: str, token: str, body, key: str | None = None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    conn.request("POST", path, json.dumps(body, ensure_ascii=False).encode(), headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read())


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_a_client_system_receives_over_one_keep_alive_connection(demo_site, server):
    env, token = demo_site
    appeal = {
        "channel": "app",
        "description": f"小区门口的路灯坏了一个星期（{server}）",
        "caller_name": "",
        "caller_phone": "",
        "address": "茂南区站南路",
    }
    with serving(env, server) as base:
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, first = _post(conn, "/api/v1/orders", token, appeal, key=f"served-{server}")
        assert status == 201, first
        status, again = _post(conn, "/api/v1/orders", token, appeal, key=f"served-{server}")
        assert (status, again["number"]) == (200, first["number"])  # a retry: the same order
        other = {**appeal, "description": "另一件事"}
        status, refused = _post(conn, "/api/v1/orders", token, other, key=f"served-{server}")
        assert (status, refused["code"]) == (409, "idempotency_conflict")

        items = [
            {**appeal, "idempotency_key": f"served-{server}-b1"},
            {**appeal, "description": "", "idempotency_key": f"served-{server}-b2"},
            {**appeal, "idempotency_key": f"served-{server}"},  # the single order's key again
        ]
        status, batch = _post(conn, "/api/v1/orders/batch", token, {"items": items})
        assert status == 200, batch
        assert [i["status"] for i in batch["items"]] == [201, 422, 200]
        assert batch["items"][2]["number"] == first["number"]

        conn.request("GET", f"/api/v1/orders/{first['number']}", headers={
            "Authorization": f"Bearer {token}"})  # fmt: skip
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["description"] == appeal["description"]
        conn.close()
