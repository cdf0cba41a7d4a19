"""Demo data of the accounts app: the role groups and the demo users."""

from .services import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users, ensure_groups


def load(stdout) -> None:
    ensure_groups()
    made = ensure_demo_users()
    stdout.write(f"演示账号：新增 {made}（共 {len(DEMO_USERS)} 个，密码 {DEMO_PASSWORD}）")
