"""`python -m hotline.common.dbcheck URL`: fail loudly when a test database is unreachable.

`make test` runs this before the PostgreSQL pass so that a set-but-unreachable
HOTLINE_TEST_DATABASE_URL fails the build instead of being skipped.
"""

from __future__ import annotations

import sys

import environ


def main(url: str) -> int:
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        print(f"HOTLINE_TEST_DATABASE_URL 应指向 PostgreSQL，而不是 {config['ENGINE']}。")
        return 2
    import psycopg

    try:
        with psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname=config.get("NAME") or "postgres",
            connect_timeout=5,
        ) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        print(f"无法连接 HOTLINE_TEST_DATABASE_URL 指向的 PostgreSQL：{exc}".strip())
        return 1
    print(f"PostgreSQL {version} 可用。")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("用法：python -m hotline.common.dbcheck postgres://user@host:5432/name")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
