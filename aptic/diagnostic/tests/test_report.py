"""The diagnostic's PDF report (ADR 0056), downloaded as a visitor does from each page: its text
holds the territory, its figures and its sections, its map is drawn as vectors (one disc of its
band's colour per commune), its fonts are embedded, the funder's report is closed to others and
bad input gets a French answer, never a 500."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ContentStream

from aptic.billing.models import Offer
from aptic.core import formats
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.diagnostic.models import CommuneCoverage, CommuneSummary, Run, TerritoryFigures
from aptic.diagnostic.report_pdf import BAND_COLOURS, MAX_KILOBYTES
from aptic.diagnostic.selectors import BANDS
from aptic.diagnostic.services import diagnostic_compute
from aptic.printing.tests.conftest import sold_order  # noqa: F401 (an order sold by an offer, a fixture)
from aptic.printing.tests.helpers import fonts_not_embedded, pdffonts_rows
from aptic.reporting.tests.test_usage import spend, world  # noqa: F401 (the counter's world, a fixture)
from aptic.territories.models import Commune
from aptic.vouchers.models import Voucher
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401

from .places import BORDEAUX_METROPOLE
from .test_pages import url

PDF = "application/pdf"
SECTIONS = (
    "Chiffres clés",
    "Lecture et pistes",
    "Services manquants",
    "Lieux par catégorie de service",
    "Habitants éloignés des lieux",
    "Utilisations des chèques pour 1 000 habitants",
    "Carte des communes",
    "Les communes les moins couvertes",
    "Besoins de formation des acteurs",
    "Méthode et sources",
)
FILLS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


def download(client, path, **query):
    response = client.get(path, {**query, "format": "pdf"})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="diagnostic-')
    return response.content


def words(data: bytes) -> str:
    """The file's text as a reader copies it, every space (no-break or not) a plain one."""
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"[\s\u00a0]+", " ", " ".join(page.extract_text() for page in pages))


def spaced(value: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", value)


def population(level, code) -> int:
    if level == "commune":
        return Commune.objects.get(pk=code).population
    figures = TerritoryFigures.objects.filter(level=level, code=code or "").first()
    return figures.population


def map_page(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    return next(page for page in reader.pages if "Chaque disque est le centre" in page.extract_text())


def fills_by_colour(page) -> dict[tuple, int]:
    """How many paths the page fills in each RGB colour (the colour set before each fill)."""
    stream = ContentStream(page.get_contents(), page.pdf)
    colour, counts = None, {}
    for operands, operator in stream.operations:
        if operator == b"rg":
            colour = tuple(round(float(v), 3) for v in operands)
        elif operator in FILLS:
            counts[colour] = counts.get(colour, 0) + 1
    return counts


def rgb(colour) -> tuple:
    return tuple(round(v, 3) for v in (colour.red, colour.green, colour.blue))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("level", "code", "title"),
    [
        ("france", None, "France"),
        ("region", "75", "Nouvelle-Aquitaine"),
        ("departement", "33", "Gironde (33)"),
        ("epci", BORDEAUX_METROPOLE, "Bordeaux Métropole"),
        ("commune", "33063", "Bordeaux"),
    ],
)
def test_every_territory_s_report_holds_its_name_figures_and_sections(client, computed, level, code, title):
    page = text(client.get(url(level, code)))
    first = computed["categories"][0]
    link = f'href="?categorie={first.code}&amp;format=pdf"'
    assert link.replace("&amp;", "&") in page or link in page
    assert f"Télécharger le rapport (PDF, format A4, moins de {MAX_KILOBYTES} ko, carte : {first.label})" in page
    data = download(client, url(level, code))
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    content = words(data)
    assert title in content
    run = Run.objects.get()
    assert f"Calculé le {formats.date(run.computed_at)}" in content
    people = population(level, code)
    assert spaced(formats.count(people, "habitant")) in content  # "1 654 970 habitants"
    for section in SECTIONS:
        if section != "Les communes les moins couvertes" or level != "commune":  # a commune has no communes
            assert spaced(section) in content, section
    for category in computed["categories"]:
        assert category.label in content
    assert "en ligne droite" in content
    assert "Pour 10 000 hab." in content  # the header's no-break space measured whole, never cut
    assert "INSEE" in content and "cartographie nationale" in content
    assert f"Page 2 sur {len(reader.pages)}" in content
    assert reader.metadata.title.startswith(f"Diagnostic territorial : {title}")
    # The last category is offered nowhere: it is missing everywhere, and the reading says so.
    assert f"• {computed['categories'][-1].label} : aucun lieu du territoire ne le propose" in content
    nowhere = f"« {computed['categories'][-1].label} »"
    assert re.search(f"Aucun lieu du territoire ne propose [^.]*{nowhere}", content) or (
        "Aucun lieu connu n'est situé sur le territoire" in content
    )
    assert all(not page.images for page in reader.pages)  # vectors only


@pytest.mark.django_db
def test_the_map_draws_one_disc_per_commune_in_its_band_s_colour(client, computed):
    category = computed["categories"][0]
    data = download(client, url("departement", "33"), categorie=category.code)
    fills = fills_by_colour(map_page(data))
    rows = CommuneCoverage.objects.filter(category=category, commune__departement_id="33")
    expected = dict.fromkeys(css for _, css, _ in BANDS)
    for band in expected:
        expected[band] = 0
    for nearest in rows.values_list("nearest_km", flat=True):
        band = next(css for limit, css, _ in BANDS if limit is None or (nearest is not None and nearest <= limit))
        expected[band] += 1
    assert sum(expected.values()) == Commune.objects.filter(departement_id="33", is_current=True).count() > 500
    for band, communes in expected.items():
        # One disc per commune, plus the legend's one disc per band.
        assert fills.get(rgb(BAND_COLOURS[band]), 0) == communes + 1, band
    # The category offered nowhere: every commune of Bordeaux Métropole in the last band.
    nowhere = computed["categories"][-1]
    fills = fills_by_colour(map_page(download(client, url("epci", BORDEAUX_METROPOLE), categorie=nowhere.code)))
    communes = Commune.objects.filter(epci_id=BORDEAUX_METROPOLE, is_current=True).count()
    assert fills.get(rgb(BAND_COLOURS["band-none"])) == communes + 1
    assert fills.get(rgb(BAND_COLOURS["band-near"])) == 1  # the legend's alone
    # France: its farthest communes, the overseas left out of a map of the metropolis (and said to be).
    ranked = CommuneCoverage.objects.filter(category=category, france_rank__isnull=False)
    overseas = ranked.filter(commune__insee_code__startswith="97").count()
    assert 0 < overseas < ranked.count() == 1000
    data = download(client, url("france"), categorie=category.code)
    fills = fills_by_colour(map_page(data))
    assert sum(fills.get(rgb(colour), 0) for colour in BAND_COLOURS.values()) == ranked.count() - overseas + 4
    assert f"{formats.number(overseas, space=' ')} communes d'outre-mer ne sont pas sur la carte" in words(data)


@pytest.mark.django_db
def test_every_font_is_embedded_and_the_largest_report_keeps_the_size_the_link_states(client, computed):
    data = download(client, url("france"))
    assert len(data) < MAX_KILOBYTES * 1024
    rows = pdffonts_rows(data)
    assert rows and all(row[-5] == "yes" for row in rows), rows  # the "emb" column
    assert fonts_not_embedded(PdfReader(io.BytesIO(data))) == []


@pytest.mark.django_db
def test_the_reading_is_drawn_from_the_territory_s_figures(client, computed):
    content = words(download(client, url("departement", "33")))
    reading = content[content.index("Lecture et pistes", content.index("Sommaire") + 200) :]
    reading = reading[: reading.index("Services manquants")]
    first = CommuneSummary.objects.filter(commune__departement_id="33").order_by(
        "-far_categories", "-commune__population", "commune_id"
    )[0]
    assert f"Les communes les moins couvertes sont {first.commune.name} ({first.far_categories} catégorie" in reading
    figures = TerritoryFigures.objects.filter(level="departement", code="33").select_related("category")
    worst = max(figures, key=lambda f: (f.beyond_10 / f.population, f.beyond_10))
    assert f"La catégorie la plus éloignée des habitants est « {worst.category.label} »" in reading
    assert spaced(formats.count(worst.beyond_10, "habitant")) in reading
    # Another territory, another reading: Bordeaux Métropole has no place at all in this world.
    epci = TerritoryFigures.objects.filter(level="epci", code=BORDEAUX_METROPOLE)
    assert sum(f.aptic_places + f.reference_places for f in epci) == 0
    other = words(download(client, url("epci", BORDEAUX_METROPOLE)))
    other = other[other.index("Lecture et pistes", other.index("Sommaire") + 200) :]
    other = other[: other.index("Services manquants")]
    no_place = "Aucun lieu connu n'est situé sur le territoire"
    assert no_place in other and no_place not in reading


@pytest.mark.django_db
def test_the_funder_s_report_carries_its_uses_and_is_closed_to_others(client, computed):
    gironde = OrganisationFactory(kind="funder", name="Département de la Gironde", commune_id="33063")
    member = MembershipFactory(organisation=gironde, role="member").user
    other = MembershipFactory(organisation=OrganisationFactory(kind="funder", commune_id="42218")).user
    path = reverse("diagnostic:funder", kwargs={"org_slug": gironde.slug})
    client.force_login(member)
    assert "format=pdf" in text(client.get(path))
    response = client.get(path, {"format": "pdf"})
    assert response["Cache-Control"] == "private, no-store"
    content = words(response.content)
    assert "Rapport préparé pour le Département de la Gironde" in content and "Gironde (33)" in content
    assert content.count("Vos chèques utilisés") >= 2 and "#APTIC" in content  # the uses' and the map's tables
    client.force_login(other)
    assert client.get(path, {"format": "pdf"}).status_code == 403
    client.logout()
    assert client.get(path, {"format": "pdf"}).status_code == 302  # to the login page
    nowhere = OrganisationFactory(kind="funder", name="Sans siège")
    client.force_login(MembershipFactory(organisation=nowhere).user)
    missing = client.get(reverse("diagnostic:funder", kwargs={"org_slug": nowhere.slug}), {"format": "pdf"})
    assert missing.status_code == 404 and "n'est pas connu" in text(missing)


@pytest.mark.django_db
def test_the_funder_s_report_counts_its_own_uses_which_the_public_one_does_not(client, world):  # noqa: F811
    funder = world["order"].funder
    funder.commune_id = "42218"  # Saint-Étienne: its territory is the Loire
    funder.save(update_fields=["commune"])
    diagnostic_compute()
    # Last month: the funder's own uses count over the months the open data publishes (ADR 0060).
    at = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate().replace(day=1) - datetime.timedelta(days=10), datetime.time(11))
    )
    for sequences in ((1, 2, 3), (4, 5, 6), (7, 8, 9)):
        codes = [Voucher.objects.get(order=world["order"], sequence=s).code for s in sequences]
        redemption_create(
            provider=world["provider"], place=world["place"], offer=world["offer"], codes=codes,
            user=world["cashier"], at=at,
        )  # fmt: skip
    category = world["category"]
    client.force_login(MembershipFactory(organisation=funder, role="member").user)
    path = reverse("diagnostic:funder", kwargs={"org_slug": funder.slug})
    content = words(download(client, path, categorie=category.code))
    assert "Loire (42)" in content
    assert (
        f"Vos chèques : 9 chèques utilisés dans les lieux du territoire en douze mois, le plus en « {category.label} »"
        in content
    )
    public = words(download(client, url("departement", "42"), categorie=category.code))
    assert "Vos chèques" not in public  # no funder's column nor reading in the public report


@pytest.mark.django_db
def test_a_white_label_funder_s_report_holds_no_aptic_mark(client, computed, sold_order, staff):  # noqa: F811
    order = sold_order(custom_cover=False)
    Offer.objects.filter(pk=order.quote.offer_id).update(white_label_exports=True)
    funder = order.funder
    funder.commune_id = "33063"
    funder.save(update_fields=["commune"])
    client.force_login(MembershipFactory(organisation=funder, role="member").user)
    data = download(client, reverse("diagnostic:funder", kwargs={"org_slug": funder.slug}))
    content = words(data)
    assert funder.name in content and "Lieux labellisés" in content
    assert "APTIC" not in content.upper()
    assert all("APTIC" not in str(value).upper() for value in PdfReader(io.BytesIO(data)).metadata.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/diagnostic/regions/99/",
        "/diagnostic/departements/2C/",
        "/diagnostic/intercommunalites/999999999/",
        "/diagnostic/communes/99999/",
        "/diagnostic/communes/33%00/",
    ],
)
def test_unknown_codes_are_a_french_404(client, computed, path):
    response = client.get(path, {"format": "pdf"})
    assert response.status_code == 404 and "Page introuvable" in text(response)


@pytest.mark.django_db
def test_bad_formats_categories_and_territories_get_french_answers(client, computed):
    wrong = client.get(url("departement", "33"), {"format": "docx"})
    assert wrong.status_code == 400 and "le rapport du diagnostic s'obtient en PDF" in text(wrong)
    category = client.get(url("departement", "33"), {"format": "pdf", "categorie": "pas-une-categorie"})
    assert category.status_code == 400 and "Requête incorrecte" in text(category)
    # No inhabitant (a commune "morte pour la France"), overseas with no place: reports, not errors.
    empty = words(download(client, url("commune", "55039")))
    assert "inconnue ou nulle" in empty and "aucun taux par habitant" in empty
    reunion = words(download(client, url("commune", "97411")))
    assert "Aucun lieu connu n'est situé sur le territoire" in reunion


@pytest.mark.django_db
def test_before_any_computation_there_is_no_report_and_no_link(client, computed):
    Run.objects.all().delete()  # rolled back after the test
    assert "format=pdf" not in text(client.get(url("departement", "33")))
    response = client.get(url("departement", "33"), {"format": "pdf"})
    assert response.status_code == 404
    assert "n'a pas encore été calculé" in text(response)
