"""The nearest place from each commune's centre, with a spatial index (ADR 0052).

Points go onto the unit sphere as 3D vectors; a KD-tree (scipy's cKDTree) finds the nearest by
straight chord, which orders points as the great-circle distance does, and the chord converts back
to kilometres along the sphere exactly.
"""

import numpy as np
from scipy.spatial import cKDTree

from aptic.places.geo import EARTH_RADIUS_KM

THRESHOLDS_KM = (5, 10, 20)
COVERED_KM = 10  # ADR 0052: coverage is the share of inhabitants within this of a place
MAP_LIMIT = 1000  # a map and its table show at most this many communes, the farthest first


def unit_vectors(latitudes, longitudes) -> np.ndarray:
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    # The chord c subtends the angle 2·asin(c/2); clipping guards rounding just above 2.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))


def nearest(origins: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each origin (unit vectors), the great-circle km to the nearest target and its index;
    with no target, infinite km and index -1."""
    if len(targets) == 0:
        return np.full(len(origins), np.inf), np.full(len(origins), -1)
    chord, index = cKDTree(targets).query(origins, k=1)
    return chord_to_km(chord), index


def group_sum(groups: np.ndarray, size: int, weights: np.ndarray) -> np.ndarray:
    """Sums of weights by group index (-1: no group, left out)."""
    kept = groups >= 0
    return np.bincount(groups[kept], weights=weights[kept], minlength=size)


def farthest_ranks(km: np.ndarray) -> np.ndarray:
    """1 for the largest distance (infinite first), ties in index order, up to MAP_LIMIT; 0 beyond."""
    order = np.lexsort((np.arange(len(km)), -km))[:MAP_LIMIT]
    ranks = np.zeros(len(km), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks
