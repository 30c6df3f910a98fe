"""Commune search, shared by the autocomplete field and every form that asks for a place."""

import re

from django.db.models import Case, IntegerField, Q, Value, When

from .models import Commune, PostalCode
from .normalise import abbreviated_prefix, ends_with_whole_word, normalise_name

MAX_QUERY_LENGTH = 100
POSTAL_PREFIX = re.compile(r"^\d{2,5}$")
INSEE_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
# "Mérignac (33700)", as str(commune) and the autocomplete write it, or typed "merignac 33700".
NAME_AND_POSTAL_CODE = re.compile(r"^(.*?[^\W\d_].*?)[\s,]*\(?\s*(\d{5})\s*\)?$")


class SearchError(ValueError):
    """The query cannot be searched; the message is for the user."""


def clean_query(raw) -> str:
    if not isinstance(raw, str):
        raise SearchError("Tapez le nom ou le code postal d'une commune.")
    if len(raw) > MAX_QUERY_LENGTH:
        raise SearchError("Votre recherche est trop longue : tapez le nom ou le code postal d'une commune.")
    if "\x00" in raw:
        raise SearchError("Votre recherche contient des caractères non valides.")
    return raw.strip()


def search_communes(raw, *, limit: int = 10):
    """Current communes matching a name (accents, case, 'st'/'saint' ignored) or a postal code prefix.

    Exact names first, then names starting with the query, then by population.
    """
    query = clean_query(raw)
    qs = Commune.objects.filter(is_current=True).select_related("departement")
    if POSTAL_PREFIX.match(query):
        postal = PostalCode.objects.filter(code__startswith=query).values("commune_id")
        found = list(qs.filter(pk__in=postal).order_by("-population", "name")[:limit])
        # Five digits that are no postal code may be an INSEE code (75056 is Paris).
        return found or (list(qs.filter(insee_code=query)) if len(query) == 5 else [])
    needle = normalise_name(query)
    if not needle:
        return []
    if len(needle) < 2:
        # One letter is too short to search, but a commune may be called so ("Y", in the Somme).
        return list(qs.filter(search_name=needle).order_by("-population")[:limit])
    starts = Q(search_name__startswith=needle)
    if ends_with_whole_word(query):
        matches = (
            Q(search_name=needle) | Q(search_name__startswith=needle + " ") | Q(search_name__contains=f" {needle} ")
        )
        matches |= Q(search_name__endswith=" " + needle)
    else:
        matches = Q(search_name__startswith=needle) | Q(search_name__contains=" " + needle)
        if abbreviated := abbreviated_prefix(query):
            other, whole = abbreviated
            if whole:
                other_matches = Q(search_name__startswith=other + " ") | Q(search_name__contains=f" {other} ")
            else:
                other_matches = Q(search_name__startswith=other) | Q(search_name__contains=" " + other)
            matches |= other_matches
            starts |= Q(search_name__startswith=other)
    ranked = qs.filter(matches).annotate(
        rank=Case(
            When(search_name=needle, then=Value(0)),
            When(starts, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    return list(ranked.order_by("rank", "-population", "name")[:limit])


def resolve_commune(raw) -> Commune:
    """The one commune a typed or picked label designates, or a SearchError saying what to do."""
    query = clean_query(raw)
    if not query:
        raise SearchError("Indiquez une commune.")
    # A name and a postal code first (accents, case, brackets and spaces aside): "Lyon 69003" is
    # Lyon, not the commune whose INSEE code is 69003.
    if named := NAME_AND_POSTAL_CODE.match(query):
        name, postal = normalise_name(named.group(1)), named.group(2)
        within = Commune.objects.filter(is_current=True, postal_codes__contains=postal, search_name=name)
        found = [c for c in within if postal in c.postal_codes.split()]
        if len(found) == 1:
            return found[0]
    code = re.search(r"([0-9][0-9AB][0-9]{3})\s*$", query)
    if code and INSEE_CODE.match(code.group(1)) and not POSTAL_PREFIX.match(query):
        commune = Commune.objects.filter(insee_code=code.group(1), is_current=True).first()
        if commune:
            return commune
    if POSTAL_PREFIX.match(query) and len(query) == 5:
        # People type postal codes; an INSEE code is the fallback (69003 is Lyon 3e before Affoux).
        current = Commune.objects.filter(is_current=True)
        candidates = list(current.filter(postal_code_rows__code=query)[:2]) or list(current.filter(insee_code=query))
    else:
        exact = [c for c in search_communes(query, limit=20) if c.search_name == normalise_name(query)]
        candidates = exact or search_communes(query, limit=2)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SearchError(f"Aucune commune ne correspond à « {query[:50]} ».")
    raise SearchError(f"Plusieurs communes correspondent à « {query[:50]} » : choisissez-en une dans la liste.")
