"""The live server's database behaves as the served one does (see the root conftest's
``django_db_modify_db_settings``)."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_live_servers_sqlite_database_is_a_file_in_wal_mode(live_server):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    name = str(connection.settings_dict["NAME"])
    assert "memory" not in name and Path(name).is_file(), name
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
