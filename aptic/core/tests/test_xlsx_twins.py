"""Every CSV the platform offers has its XLSX twin (ADR 0044): the downloads are collected from the URL
conf (a route ending in ".csv", or taking a `fmt`), each twin is fetched and opened by openpyxl, and
must hold the CSV's rows, numbers and dates typed, under a frozen header. Every page that links a CSV
also links its XLSX."""

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aptic.accounts.models import Organisation
from aptic.opendata.tests.factories import siret
from aptic.payouts import services as payouts
from aptic.payouts.models import RunKind
from aptic.payouts.tests.conftest import World
from aptic.places.models import Place

pytestmark = pytest.mark.django_db

DECIMAL = re.compile(r"-?[0-9]+[.,][0-9]+")
DATES = (re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2})?"), re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"))


def _routes(patterns=None, prefix="", namespace=""):
    """(name, route) of every URL pattern of the platform."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}".strip(":"), prefix + str(pattern.pattern)


def csv_downloads() -> dict[str, str]:
    routes = dict(_routes())
    return {name: route for name, route in routes.items() if route.endswith(".csv") or "<str:fmt>" in route}


def _twin_name(name: str, route: str) -> str | None:
    """The URL name of the XLSX twin: the same one with fmt="xlsx", or the route ending in .xlsx."""
    if "<str:fmt>" in route:
        return name
    wanted = route[: -len(".csv")] + ".xlsx"
    return next((other for other, r in _routes() if r == wanted), None)


def _same(text: str, value) -> bool:
    if value is None:
        return text == ""
    if isinstance(value, datetime.datetime):
        return text in {value.strftime(f) for f in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S")}
    if isinstance(value, (int, float)):
        return text != "" and float(text.replace(",", ".")) == value
    return text in (value, "'" + value)  # the CSV's quote before a formula-looking text (ADR 0021)


def _typed(text: str, value) -> bool:
    """A number or a date in the CSV is one in the workbook, not a text."""
    if DECIMAL.fullmatch(text):
        return isinstance(value, (int, float))
    if any(p.fullmatch(text) for p in DATES):
        return isinstance(value, datetime.datetime)
    return True


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    delimiter = ";" if text.startswith("\ufeff") else ","
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    return [_trimmed(row, "") for row in rows]


def _trimmed(row, empty):
    row = list(row)
    while row and row[-1] in (empty, ""):
        row.pop()
    return row


@pytest.fixture
def samples(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """Who may download each file, and its URL's arguments, in a world with a paid run, redemptions and
    published places. A CSV download without a sample fails the test: add it here."""
    settings.PRIVATE_ROOT = tmp_path
    pay = World()
    provider = pay.provider("Fablab Alpha & Cie")
    # Published, with its SIRET, under a name a spreadsheet would run as a formula.
    Organisation.objects.filter(pk=provider.pk).update(siret=siret())
    Place.objects.filter(pk=provider.place.pk).update(is_published=True, name="=SOMME(A1:A9)")
    pay.redeem(provider, 3)
    with django_capture_on_commit_callbacks(execute=True):
        run = payouts.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    payout = run.payouts.get(provider=provider)
    return {
        "payouts:provider_statement": (provider.admin, {"org_slug": provider.slug, "pk": payout.pk}),
        "payouts:staff_statement": (pay.staff, {"pk": payout.pk}),
        "vouchers:redemptions_export": (provider.admin, {"org_slug": provider.slug}),
        "opendata:places_csv": (None, {}),
        # The open statistics (ADR 0051): the places by commune hold the published place.
        "opendata:statistics_csv": (None, {"name": "lieux-communes-categories"}),
    }


def _get(client, user, name, kwargs) -> bytes:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, kwargs, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_csv_download_has_an_xlsx_twin_with_the_same_rows(client, samples):
    downloads = csv_downloads()
    assert {"payouts:provider_statement", "opendata:places_csv"} <= set(downloads)
    assert set(downloads) <= set(samples), f"a CSV download with no sample: {set(downloads) - set(samples)}"
    for name, route in downloads.items():
        user, kwargs = samples[name]
        twin = _twin_name(name, route)
        assert twin, f"{name} ({route}) has no XLSX twin in the URL conf"
        with_fmt = "<str:fmt>" in route
        rows = _csv_rows(_get(client, user, name, {**kwargs, "fmt": "csv"} if with_fmt else kwargs))
        data = _get(client, user, twin, {**kwargs, "fmt": "xlsx"} if with_fmt else kwargs)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        assert sheet.freeze_panes == "A2", name
        cells = [_trimmed(row, None) for row in sheet.iter_rows(values_only=True)]
        assert len(rows) > 1 and len(cells) == len(rows), (name, len(rows), len(cells))
        for number, (line, values) in enumerate(zip(rows, cells, strict=True)):
            assert len(line) == len(values), (name, number, line, values)
            for text, value in zip(line, values, strict=True):
                assert _same(text, value) and _typed(text, value), (name, number, text, value)


CSV_LINKS = re.compile(r"""fmt=['"]csv['"]|format=csv|[._]csv['"]""")
XLSX_LINKS = re.compile(r"""fmt=['"]xlsx['"]|format=xlsx|[._]xlsx['"]""")


def test_every_page_that_links_a_csv_links_its_xlsx():
    templates = list(Path(settings.BASE_DIR, "aptic").rglob("templates/**/*.html"))
    assert any("places_csv" in p.read_text(encoding="utf-8") for p in templates)
    for path in templates:
        text = path.read_text(encoding="utf-8")
        csv_links, xlsx_links = len(CSV_LINKS.findall(text)), len(XLSX_LINKS.findall(text))
        assert xlsx_links >= csv_links, f"{path}: {csv_links} CSV links, {xlsx_links} XLSX links"
