"""Guards that keep issue #12 fixed on pages not written yet: every URL the resolver knows is fed odd
integers and long strings in every GET parameter it may read (never a 500), a page that serves
itself as a file (?format=, the dashboards' and the diagnostic's reports) is asked each format with
the same odd values beside it, and every CSV or Excel export it serves is downloaded with
formula-looking names in the data (no cell may start like a formula in a CSV, no cell is a formula
in an XLSX, ADR 0021)."""

import csv
import inspect
import io
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from aptic.core import tabular
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.diagnostic.services import diagnostic_compute
from aptic.payouts import services as payouts
from aptic.payouts.models import RunKind
from aptic.payouts.tests.conftest import World

pytestmark = pytest.mark.django_db

FILE_FORMATS = ("pdf", "csv", "xlsx")
ODD = ["²", "٣", "５", str(10**30), "-1", "x" * 10_000]
# Parameters pages commonly read; each page's own are added from its <form method="get"> and its view's code.
COMMON = [
    "page", "p", "o", "q", "e", "t", "rayon", "recu", "lieu", "service", "commune", "mois", "periode", "order",
    "etat", "statut", "code", "field", "categorie", "typologie", "public", "format", "du", "au", "annee", "tri",
    "kind", "id", "pk", "next",
]  # fmt: skip
FORMULAS = {"provider": "@SUM(1)", "place": "=cmd|' /C calc'!A0", "offer": "-2+3", "funder": "+SUM(1)"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _path(route: str, values: dict) -> str | None:
    """The route with its converters filled; None for the catch-all regular expressions."""
    route = route.replace("^[cC]/(?P<code>[^/]+)/$", "c/X/")
    if "^" in route or "(?P" in route:
        return None

    def fill(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        return "1" if converter in ("int", "path") else "x"

    return "/" + _CONVERTER.sub(fill, route)


def _view_parameters(callback) -> set[str]:
    """The GET parameters a view's own code names (request.GET.get("x"), request.GET["x"], "x" in request.GET)."""
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return set()
    found = set(re.findall(r"GET(?:\.get|\.getlist)?\(\s*[\"'](\w+)", source))
    found |= set(re.findall(r"GET\[[\"'](\w+)", source)) | set(re.findall(r"[\"'](\w+)[\"'] in request\.GET", source))
    return found


def _form_parameters(html: str) -> set[str]:
    names = set()
    for form in re.findall(r"<form\b[^>]*method=[\"']get[\"'][^>]*>(.*?)</form>", html, re.S | re.I):
        names |= set(re.findall(r"\bname=[\"']([\w-]+)[\"']", form))
    return names


@pytest.fixture
def people(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    world = World()
    provider = world.provider("Fablab du guet")
    world.redeem(provider, 2)
    world.funder.commune = world.commune  # a territory: the funder's diagnostic and its report
    world.funder.save(update_fields=["commune"])
    diagnostic_compute()  # the diagnostic's pages with their figures, and their reports (ADR 0056)
    distributor = OrganisationFactory(kind="distributor")
    return world, {
        "anonyme": (None, provider.slug),
        "commanditaire": (MembershipFactory(organisation=world.funder, role="admin").user, world.funder.slug),
        "structure": (provider.admin, provider.slug),
        "aiguilleur": (MembershipFactory(organisation=distributor, role="admin").user, distributor.slug),
        "equipe": (world.staff, provider.slug),
    }


@pytest.mark.parametrize("who", ["anonyme", "commanditaire", "structure", "aiguilleur", "equipe"])
def test_no_get_parameter_of_any_page_gives_a_500(people, who):
    world, accounts = people
    user, slug = accounts[who]
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    values = {"org_slug": slug, "insee_code": world.commune.insee_code, "fmt": "csv"}
    failures, pages, files = [], 0, set()
    for route, pattern in _patterns():
        if route.startswith("back-office/") and not (
            who == "equipe" and pattern.lookup_str.endswith("changelist_view")
        ):
            continue  # the back office: its lists' filters, for staff (the rest is Django's own)
        path = _path(route, values)
        if path is None:
            continue
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, "", ""))
        if response.status_code != 200:
            continue
        pages += 1
        html = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        own = (_view_parameters(pattern.callback) | _form_parameters(html)) - {"csrfmiddlewaretoken"}
        for value in ODD:
            status = client.get(path, dict.fromkeys(set(COMMON) | own, value)).status_code
            if status >= 500:
                failures.append((path, "*", value[:20]))
            for name in own:
                if client.get(path, {name: value}).status_code >= 500:
                    failures.append((path, name, value[:20]))
        if "format" in own:  # the page as a file: each format, then the odd values beside the one it serves
            for fmt in FILE_FORMATS:
                response = client.get(path, {"format": fmt})
                if response.status_code >= 500:
                    failures.append((path, "format", fmt))
                if response.status_code != 200:
                    continue
                files.add(route)
                for value in ODD:
                    if client.get(path, dict.fromkeys(own, value) | {"format": fmt}).status_code >= 500:
                        failures.append((path, f"*&format={fmt}", value[:20]))
    assert pages >= 3, "the walk must reach pages"
    assert "diagnostic/" in files, "the walk must reach the diagnostic's report"
    if who == "commanditaire":
        assert "espace/<slug:org_slug>/diagnostic/" in files
    assert failures == []


PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def _cells(path, response) -> list[str]:
    """The text cells of a downloaded CSV or XLSX, each checked as a spreadsheet would open it: no
    CSV cell starts like a formula; no XLSX cell is a formula, and a text that looks like one is a
    string cell with Excel's quotePrefix (shown as typed, never run, with no "'" to see)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        text = body.decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        cells = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]
        for cell in cells:
            assert not cell.startswith(TRIGGERS) or PLAIN_NUMBER.fullmatch(cell), (path, cell)
        return cells
    texts = []
    for row in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f", (path, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                if cell.value.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (path, cell.coordinate, cell.value)
                assert not cell.value[1:].startswith(TRIGGERS) or cell.value[0] != "'", (path, "a visible '")
                texts.append(cell.value)
    return texts


# Files holding no text a user typed: the open statistics count by commune, category and typology,
# whose names come from the reference data (still written through the neutralising writer).
NO_FREE_TEXT = ("opendata/statistiques/",)


def _exports():
    """Every route of the resolver that serves a CSV or an Excel file (by its name or its format)."""
    for route, pattern in _patterns():
        if "<str:fmt>" in route:
            for fmt in ("csv", "xlsx"):
                yield route, pattern, {"fmt": fmt}
        elif route.endswith((".csv", ".xlsx")):
            # The open statistics (ADR 0051) by table name: the places by commune hold the world's place.
            yield route, pattern, {"name": "lieux-communes-categories"} if "<str:name>" in route else {}


def test_every_export_neutralises_formula_looking_names(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.PRIVATE_ROOT = tmp_path
    world = World()
    world.funder.name = FORMULAS["funder"]
    world.funder.save()
    provider = world.provider(FORMULAS["provider"])
    type(provider).objects.filter(pk=provider.pk).update(siret="12345678200010")  # as open data requires
    provider.place.name = FORMULAS["place"]
    provider.place.save()
    provider.offer.title = FORMULAS["offer"]
    provider.offer.save()
    world.redeem(provider, 2)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.run_create(kind=RunKind.MONTHLY, month=world.month, user=world.staff)

    exports = list(_exports())
    assert len(exports) >= 5, exports  # open data, the provider's and staff's statements, CSV and Excel
    for route, pattern, values in exports:
        downloaded = []
        candidates = _ids_of_the_app(pattern.callback) if "<int:" in route else [None]
        for user in (None, provider.admin, world.staff):
            client = Client()
            if user is not None:
                client.force_login(user)
            for pk in candidates:
                path = _path(route, {"org_slug": provider.slug, "pk": pk, **values})
                response = client.get(path)
                if response.status_code == 200 and response["Content-Type"] in (
                    tabular.CSV_CONTENT_TYPE,
                    tabular.XLSX_CONTENT_TYPE,
                ):
                    downloaded.append((path, _cells(path, response)))
        assert downloaded, f"{route}: no file downloaded"
        if route.startswith(NO_FREE_TEXT):
            continue
        for path, cells in downloaded:
            shown = [cell for cell in cells if cell.lstrip("'") in FORMULAS.values()]
            assert shown, f"{path}: the formula-looking names are not in the file"


def _ids_of_the_app(callback) -> list[int]:
    """The ids of the objects of the view's own app (up to 50 of each model): one of them is the
    object the export is about, whichever model that is."""
    app = apps.get_containing_app_config(inspect.unwrap(callback).__module__)
    ids = set()
    for model in app.get_models():
        if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField"):
            ids.update(model.objects.order_by("-pk").values_list("pk", flat=True)[:50])
    return sorted(ids)
