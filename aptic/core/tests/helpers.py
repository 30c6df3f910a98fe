import html

from django.db import connection


def text(response) -> str:
    """The response body as a reader sees it: decoded, HTML entities unescaped."""
    return html.unescape(response.content.decode())


def empty_territories():
    """Remove committed territories loaded by a module or package fixture (children first)."""
    from aptic.core.models import ReferenceDataset
    from aptic.territories.models import Commune, Departement, Epci, PostalCode, Region
    from aptic.territories.services import DATASET

    with connection.cursor() as cursor:
        for model in (PostalCode, Commune, Epci, Departement, Region):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    ReferenceDataset.objects.filter(name=DATASET).delete()
