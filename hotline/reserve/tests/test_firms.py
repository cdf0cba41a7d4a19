"""FIRMS files in the four published layouts, and the clustering (no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hotline.reserve import clustering, firms

# ruff: noqa: E501  (the files' header lines are as FIRMS writes them)
# Fixtures written from the column lists FIRMS publishes for each product (values invented).
MODIS_STANDARD = """latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight
22.2861,111.1792,318.4,1.2,1.1,2022-11-07,305,Terra,29,6.1NRT,296.2,12.3,D
22.2875,111.1810,325.0,1.2,1.1,2022-11-07,0305,Terra,30,6.1NRT,297.0,15.1,D
22.2880,111.1822,331.9,2.1,1.4,2022-11-07,0545,Aqua,80,6.1NRT,298.4,22.0,D
"""
MODIS_ARCHIVE = """latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_t31,frp,daynight,type
22.2861,111.1792,318.4,1.2,1.1,2022-11-07,0305,Terra,MODIS,79,6.03,296.2,12.3,D,0
22.2875,111.1810,325.0,1.2,1.1,2022-11-07,0305,Aqua,MODIS,100,6.03,297.0,15.1,D,2
"""
VIIRS_STANDARD = """latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight
22.28612,111.17921,336.21,0.39,0.36,2022-11-07,0518,N,VIIRS,n,2.0NRT,292.1,4.8,D
22.28680,111.18050,341.70,0.39,0.36,2022-11-07,0609,N20,VIIRS,h,2.0NRT,293.0,7.9,D
22.28590,111.18110,338.00,0.41,0.37,2022-11-07,0609,1,VIIRS,low,2.0NRT,292.6,6.2,D
"""
VIIRS_ARCHIVE = """latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_t31,frp,daynight,type
36.24161,27.93253,354.65,0.57,0.52,2023-07-18,2323,N,VIIRS,n,2,304.36,24.71,N,0
36.23682,27.93172,314.39,0.57,0.52,2023-07-18,2323,N,VIIRS,n,2,299.14,6.77,N,0
"""


def test_modis_standard_bands_numeric_confidence_and_pads_times():
    parsed = firms.parse(MODIS_STANDARD)
    assert parsed.layout == "modis-standard" and not parsed.refused
    assert [r.confidence for r in parsed.rows] == ["low", "nominal", "high"]
    assert [r.instrument for r in parsed.rows] == ["MODIS"] * 3
    assert parsed.rows[0].acquired_at == dt.datetime(2022, 11, 7, 3, 5, tzinfo=dt.UTC)
    assert parsed.rows[2].satellite == "Aqua" and parsed.rows[2].scan == 2.1


def test_modis_archive():
    parsed = firms.parse(MODIS_ARCHIVE)
    assert parsed.layout == "archive"
    assert [(r.satellite, r.confidence, r.fire_type) for r in parsed.rows] == [
        ("Terra", "nominal", 0),
        ("Aqua", "high", 2),
    ]


def test_viirs_standard_reads_ti4_ti5_and_letter_confidence():
    parsed = firms.parse(VIIRS_STANDARD)
    assert parsed.layout == "viirs-standard"
    assert [r.satellite for r in parsed.rows] == ["S-NPP", "NOAA-20", "NOAA-20"]
    assert [r.confidence for r in parsed.rows] == ["nominal", "high", "low"]
    assert parsed.rows[0].brightness == 336.21 and parsed.rows[0].bright_t31 == 292.1


def test_viirs_archive_is_viirs_under_modis_names():
    parsed = firms.parse(VIIRS_ARCHIVE)
    assert parsed.layout == "archive"
    assert {r.instrument for r in parsed.rows} == {"VIIRS"}
    assert parsed.rows[0].brightness == 354.65 and parsed.rows[0].confidence == "nominal"


def test_bad_rows_are_counted_by_reason_never_dropped_silently():
    text = VIIRS_STANDARD + "\n".join(
        [
            "95.0,111.1,330,0.4,0.4,2022-11-07,0518,N,VIIRS,n,2,290,1,D",
            "22.2,111.1,330,0.4,0.4,2022-11-07,0518,N,VIIRS,x,2,290,1,D",
            "22.2,111.1,330,0.4,0.4,2022-13-07,0518,N,VIIRS,n,2,290,1,D",
            "22.2,111.1,330,0.4,0.4,2022-11-07,0518,Q,VIIRS,n,2,290,1,D",
            "22.2,111.1,330,0.4",
            "22.2,111.1,330,abc,0.4,2022-11-07,0518,N,VIIRS,n,2,290,1,D",
        ]
    )
    parsed = firms.parse(text)
    assert len(parsed.rows) == 3
    assert dict(parsed.refused) == {
        "bad_position": 1,
        "bad_confidence": 1,
        "bad_time": 1,
        "unknown_satellite": 1,
        "wrong_column_count": 1,
        "bad_number": 1,
    }
    assert parsed.first_refused_line["bad_position"] == 5


@pytest.mark.parametrize(
    "text", ["", "a,b,c\n1,2,3\n", "latitude,longitude,scan,track,acq_date,acq_time,satellite\n"]
)
def test_not_a_firms_file(text):
    with pytest.raises(firms.FirmsFormatError):
        firms.parse(text)


def _cluster(points, hours=None, half=0.27):
    lat = [p[0] for p in points]
    lon = [p[1] for p in points]
    t = [h * 3600 for h in (hours or [0] * len(points))]
    return list(clustering.cluster(lat, lon, t, [half] * len(points)))


def test_neighbours_join_far_points_and_old_points_do_not():
    # 0.5 km apart: one fire; 5 km apart: two
    assert len(set(_cluster([(22.28, 111.18), (22.2845, 111.18)]))) == 1
    assert len(set(_cluster([(22.28, 111.18), (22.325, 111.18)]))) == 2
    # the same pixel 30 hours later is a new fire; 12 hours later the same
    assert len(set(_cluster([(22.28, 111.18), (22.28, 111.18)], [0, 30]))) == 2
    assert len(set(_cluster([(22.28, 111.18), (22.28, 111.18)], [0, 12]))) == 1


def test_pixel_size_decides_the_distance():
    # 3 km apart: VIIRS pixels (half-diagonal 0.27 km) do not touch, MODIS edge pixels (2.4) do
    pts = [(22.28, 111.18), (22.307, 111.18)]
    assert len(set(_cluster(pts, half=0.27))) == 2
    assert len(set(_cluster(pts, half=2.4))) == 1


def test_a_chain_of_passes_is_one_fire():
    pts = [(22.28 + 0.004 * i, 111.18) for i in range(10)]
    assert len(set(_cluster(pts, [6 * i for i in range(10)]))) == 1


def test_area_grows_with_the_spread():
    one = clustering.footprint_area_km2([22.28], [111.18], [0.4], [0.4])
    assert one == pytest.approx(0.16)
    lat = np.array([22.28, 22.29, 22.29, 22.28])
    lon = np.array([111.18, 111.18, 111.19, 111.19])
    square = clustering.footprint_area_km2(lat, lon, [0.4] * 4, [0.4] * 4)
    # 1.11 km × 1.03 km = 1.15, a 0.2 km rim along 4.28 km of edges = 0.86, one pixel 0.16
    assert square == pytest.approx(2.16, abs=0.01)
