import pytest

from .factories import volunteer


@pytest.fixture
def vol(people, make_user):
    """A volunteer (field_staff) of 公馆镇 and one of 新坡镇."""

    class Vols:
        gongguan = volunteer(make_user, "440902101", "vol_gg")
        other = volunteer(make_user, "440902102", "vol_xp")

    return Vols
