"""The map: its tile settings, and GeoJSON (RFC 7946), a FeatureCollection of points written straight from rows.

Building 10,000 nested dicts and handing them to json.dumps costs about four times as much as
writing the text directly; strings go through the json module's own escaping, numbers are ints
(ids) and finite floats (coordinates, kept finite by the database's range constraint).
"""

from json.encoder import encode_basestring

from django.conf import settings
from django.urls import reverse


def map_settings() -> dict:
    return {"tile_url": settings.APTIC_MAP_TILE_URL, "attribution": settings.APTIC_MAP_ATTRIBUTION}


def feature_collection(rows) -> str:
    """rows: (id, latitude, longitude, name, commune, distance_km or None), as directory.selectors.map_rows gives them.

    Coordinates are [longitude, latitude], rounded to 5 decimals (about a metre).
    """
    url_prefix = reverse("directory:detail", kwargs={"pk": 0})[: -len("0/")]
    features = []
    for pk, lat, lng, name, commune, distance in rows:
        distance_part = "" if distance is None else f',"distance_km":{distance:.1f}'
        features.append(
            f'{{"type":"Feature","id":{pk:d},"geometry":{{"type":"Point","coordinates":[{lng:.5f},{lat:.5f}]}},'
            f'"properties":{{"name":{encode_basestring(name)},"commune":{encode_basestring(commune)},'
            f'"url":"{url_prefix}{pk:d}/"{distance_part}}}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
