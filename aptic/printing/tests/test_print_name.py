"""The name a funder's vouchers print (ADR 0058): its own when it fits the voucher's band, else the
start of it with an ellipsis, unless its administrators give a shorter one, which must fit. Read in
the produced PDF with pdfium, and through the funder's page."""

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from aptic.audit.models import AuditEvent
from aptic.core.errors import DomainError
from aptic.printing.services import funder_print_name_set

from .test_print_shop import _name, _print

LONG = 200  # the longest name the forms accept


def _texts(data: bytes) -> tuple[str, str]:
    document = pdfium.PdfDocument(data)
    cover, vouchers = (" ".join(document[i].get_textpage().get_text_range().split()) for i in (0, 1))
    return cover, vouchers


@pytest.mark.django_db
def test_a_print_name_replaces_a_long_name_on_vouchers_and_covers(make_order, staff, funder, funder_admin):
    funder.name = _name(LONG)
    funder.save()
    with pytest.raises(DomainError, match="ne tient pas sur les deux lignes du bandeau") as refused:
        funder_print_name_set(funder=funder, print_name="W" * 110, user=funder_admin)
    assert refused.value.field == "print_name" and "…" in refused.value.message
    with pytest.raises(DomainError, match="120 caractères au plus"):
        funder_print_name_set(funder=funder, print_name="a " * 61, user=funder_admin)
    short = "Communauté d'agglomération du Grand Territoire de la Vallée de la Dordogne"
    funder_print_name_set(funder=funder, print_name=f"  {short} ", user=funder_admin)
    funder.refresh_from_db()
    assert funder.print_name == short and funder.name == _name(LONG)
    event = AuditEvent.objects.get(action="print.name_changed")
    assert event.details == {"avant": "", "après": short}
    cover, vouchers = _texts(_print(make_order(quantity=10), staff))
    assert f"Offert par {short}" in cover and "…" not in cover
    assert short in vouchers and "…" not in vouchers


@pytest.mark.django_db
def test_the_funder_s_page_says_what_is_printed_and_its_admins_change_it(client, funder, funder_admin, funder_member):
    funder.name = _name(LONG)
    funder.save()
    url = reverse("printing:funder_print_name", kwargs={"org_slug": funder.slug})
    client.force_login(funder_member)
    page = client.get(url).content.decode()
    assert "trop long pour les deux lignes du bandeau" in page and "…" in page
    assert client.post(url, {"print_name": "CAGT Dordogne"}).status_code == 403
    client.force_login(funder_admin)
    response = client.post(url, {"print_name": "W" * 110})
    assert response.status_code == 400 and "ne tient pas sur les deux lignes" in response.content.decode()
    response = client.post(url, {"print_name": "CA du Grand Territoire de la Dordogne"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CA du Grand Territoire de la Dordogne" in page and "trop long" not in page
    card = client.get(reverse("accounts:organisation_card", kwargs={"org_slug": funder.slug})).content.decode()
    assert "CA du Grand Territoire de la Dordogne" in card and url in card
    funder.refresh_from_db()
    assert funder.print_name == "CA du Grand Territoire de la Dordogne"


@pytest.mark.django_db
def test_staff_see_the_name_the_vouchers_print(client, staff, make_order, funder, funder_admin):
    funder.name = _name(LONG)
    funder.save()
    order = make_order(quantity=10)
    client.force_login(staff)
    url = reverse("printing:staff_order", kwargs={"pk": order.pk})
    page = client.get(url).content.decode()
    assert "Nom imprimé" in page and "raccourci" in page
    funder_print_name_set(funder=funder, print_name="CA du Grand Territoire", user=funder_admin)
    page = client.get(url).content.decode()
    assert "CA du Grand Territoire" in page and "raccourci" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,shown",
    [
        ("🎉 Gironde 🎉", "« 🎉 »"),  # no glyph in the embedded font: an empty box in print
        ("Gironde 中文", "« 中 » « 文 »"),
        ("Gi\u200bronde", "U+200B"),  # zero-width space
        ("\u202eGironde", "U+202E"),  # right-to-left override: would turn the text around
    ],
)
def test_a_print_name_the_font_cannot_draw_or_hiding_characters_is_refused(funder, funder_admin, name, shown):
    with pytest.raises(DomainError, match="ne peuvent pas être imprimés sur les chèques") as refused:
        funder_print_name_set(funder=funder, print_name=name, user=funder_admin)
    assert shown in refused.value.message and refused.value.field == "print_name"
    funder.refresh_from_db()
    assert funder.print_name == ""
    # French names print: accents, ligatures, guillemets, apostrophes.
    funder_print_name_set(funder=funder, print_name="Œuvre « Lève-tôt » d’Étréchy", user=funder_admin)


@pytest.mark.django_db
def test_files_made_before_a_new_print_name_are_made_again_not_kept_beside_new_ones(
    client, staff, make_order, funder, funder_admin
):
    from aptic.printing.services import print_files_generate

    order = make_order(quantity=10)
    cover, _ = _texts(_print(order, staff))
    (first,) = order.print_files.all()
    assert first.funder_name == funder.name and f"Offert par {funder.name}" in cover
    (again,) = print_files_generate(order=order)  # a resumed job keeps what is up to date
    assert again.sha256 == first.sha256 and again.generated_at == first.generated_at
    funder_print_name_set(funder=funder, print_name="CA du Grand Territoire", user=funder_admin)
    client.force_login(staff)
    page = client.get(reverse("printing:staff_order", kwargs={"pk": order.pk})).content.decode()
    assert f"fait avec l'ancien nom « {funder.name} »" in page
    (remade,) = print_files_generate(order=order)  # not force: the name changed, the part is made again
    assert remade.funder_name == "CA du Grand Territoire"
    cover, vouchers = _texts(remade.file.open("rb").read())
    assert "Offert par CA du Grand Territoire" in cover and "CA du Grand Territoire" in vouchers
    page = client.get(reverse("printing:staff_order", kwargs={"pk": order.pk})).content.decode()
    assert "ancien nom" not in page
