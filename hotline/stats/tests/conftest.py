import pytest

from .factories import fixture_city


@pytest.fixture
def city(people):
    return fixture_city(people)
