import pytest

from hotline.accounts.roles import Role


@pytest.fixture
def agent_client(demo_city, make_user, token_client):
    return token_client(make_user(Role.AGENT, "center"))


def test_divisions_need_authentication(client, demo_city):
    r = client.get("/api/v1/divisions")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_children_of_a_county(agent_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        r = agent_client.get("/api/v1/divisions", {"parent": "440902"})
    assert r.status_code == 200
    towns = r.json()
    assert len(towns) == 17
    assert {"code": "440902101", "name": "公馆镇", "short_name": "公馆", "level": "town",
            "parent": "440902"} in towns  # fmt: skip


def test_divisions_without_parent_are_provinces(agent_client):
    r = agent_client.get("/api/v1/divisions")
    assert [d["code"] for d in r.json()] == ["44"]


def test_unknown_parent_is_404(agent_client):
    r = agent_client.get("/api/v1/divisions", {"parent": "nope"})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_bad_level_is_422_with_field(agent_client):
    r = agent_client.get("/api/v1/divisions", {"level": "planet"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["field"] == "level"


def test_units_by_kind(agent_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        r = agent_client.get("/api/v1/units", {"kind": "epidemic_office"})
    assert r.status_code == 200
    codes = [u["code"] for u in r.json()]
    assert codes == ["440902-epi", "440904-epi", "440981-epi", "440982-epi", "440983-epi"]
    assert r.json()[0]["kind_label"] == "区县疫情防控办"
    assert r.json()[0]["parent"] == "440902-gov"


def test_units_bad_kind_is_422(agent_client):
    assert agent_client.get("/api/v1/units", {"kind": "bakery"}).status_code == 422


def test_session_login_works_for_api(client, demo_city, make_user):
    user = make_user(Role.SUPERVISOR, "center")
    client.force_login(user)
    assert client.get("/api/v1/units", {"kind": "hotline_center"}).json()[0]["code"] == "center"
