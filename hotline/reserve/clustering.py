"""Detections → fires: DBSCAN over haversine distances with a time window. Pure numpy and
scikit-learn, no database.

Two detections are neighbours when their footprints nearly touch — the great-circle distance
between their centres is at most the two pixels' half-diagonals (from FIRMS ``scan`` and
``track``, km) plus ``gap_km`` — *and* they were seen within ``window_hours`` of each other.
The neighbour pairs come from a ``BallTree`` with the haversine metric (one radius query at the
largest possible threshold), each pair's distance is divided by its own threshold, and
``DBSCAN(metric="precomputed", eps=1)`` runs on that sparse graph. Dividing by a per-pair
threshold is how a MODIS 4.8 km pixel at the swath edge and a VIIRS 375 m pixel are both judged
by their real size, which a single ``eps`` cannot do. ``min_samples=1``: in a reserve one hot
spot is already worth a look, so no detection is noise.

Passes of different satellites over the same fire join because the threshold looks only at
positions, sizes and times; a fire that keeps burning is chained pass to pass (the S-NPP,
NOAA-20 and Aqua/Terra passes are a few hours apart, well inside the window).
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088
GAP_KM = 0.75
WINDOW_HOURS = 24.0
#: Added to every stored distance so that a zero distance (two passes over the same pixel
#: centre) is still an explicit entry of the sparse graph.
_NUDGE = 1e-6


def half_diagonal_km(scan, track) -> np.ndarray:
    """Half the diagonal of each pixel footprint (km)."""
    scan, track = np.asarray(scan, float), np.asarray(track, float)
    return 0.5 * np.hypot(scan, track)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (numpy, element-wise)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def cluster(
    lat,
    lon,
    seconds,
    half_diag,
    *,
    gap_km: float = GAP_KM,
    window_hours: float = WINDOW_HOURS,
) -> np.ndarray:
    """Cluster labels (0…k-1) for detections at ``lat``/``lon`` (degrees) seen at ``seconds``
    (epoch seconds) with pixel half-diagonals ``half_diag`` (km)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    t, h = np.asarray(seconds, float), np.asarray(half_diag, float)
    n = len(lat)
    if n == 0:
        return np.zeros(0, dtype=int)
    # scikit-learn and scipy are imported here, not at the top: importing them costs about a
    # second, and this module is loaded by every process (the reserve's event subscriptions
    # import its services at start-up) while only a fire import ever clusters.
    from scipy.sparse import csr_matrix
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import BallTree

    points = np.radians(np.column_stack([lat, lon]))
    tree = BallTree(points, metric="haversine")
    radius = (2 * float(h.max()) + gap_km) / EARTH_RADIUS_KM
    neighbours, distances = tree.query_radius(points, r=radius, return_distance=True)
    counts = np.fromiter((len(x) for x in neighbours), dtype=np.int64, count=n)
    rows = np.repeat(np.arange(n), counts)
    cols = np.concatenate(neighbours)
    dist = np.concatenate(distances) * EARTH_RADIUS_KM
    threshold = h[rows] + h[cols] + gap_km
    keep = (dist <= threshold) & (np.abs(t[rows] - t[cols]) <= window_hours * 3600.0)
    graph = csr_matrix(
        (dist[keep] / threshold[keep] + _NUDGE, (rows[keep], cols[keep])), shape=(n, n)
    )
    labels = DBSCAN(eps=1.0 + _NUDGE, min_samples=1, metric="precomputed").fit_predict(graph)
    return labels


def footprint_area_km2(lat, lon, scan, track) -> float:
    """The area a fire covers: the convex hull of its detection centres on a local plane,
    widened by half a pixel all round (hull area + perimeter × mean half-width + the pixel
    itself); a single detection or a line of them gives its pixels' area."""
    from scipy.spatial import ConvexHull, QhullError

    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    scan, track = np.asarray(scan, float), np.asarray(track, float)
    pixel = float((scan * track).max())
    k = np.unique(np.column_stack([lat, lon]).round(5), axis=0)
    if len(k) < 3:
        return round(float((scan * track).sum()) if len(k) > 1 else pixel, 3)
    y = (k[:, 0] - k[:, 0].mean()) * 111.195
    x = (k[:, 1] - k[:, 1].mean()) * 111.195 * np.cos(np.radians(k[:, 0].mean()))
    try:
        hull = ConvexHull(np.column_stack([x, y]))
    except QhullError:  # collinear
        return round(float((scan * track).sum()), 3)
    half = 0.5 * float(np.sqrt(scan * track).mean())
    # In 2-D, ConvexHull.volume is the area and .area the perimeter.
    return round(float(hull.volume + hull.area * half + pixel), 3)
