"""The funder's two lists of orders (Commandes, Suivi) give an order one status and one validity
wording, French numbers and lists (ADR 0023)."""

import datetime
import re

import pytest
from django.urls import reverse

from aptic.billing.invoicing import invoice_issue, payment_record
from aptic.core.tests.factories import CommuneFactory, DepartementFactory
from aptic.core.tests.helpers import text
from aptic.vouchers.issuance import order_create, order_issue

pytestmark = pytest.mark.django_db
N = "\u202f"


@pytest.fixture
def expired_paid_order(funder, staff):
    """1,500 vouchers of 2025 (accepted until 31/01/2026, so expired now), invoiced and paid."""
    funder.siret = "22330001300016"  # invoiced: its SIREN is its e-invoicing address (ADR 0058)
    funder.save()
    gironde = DepartementFactory(code="33", name="Gironde")
    merignac = CommuneFactory(insee_code="33281", name="Mérignac", departement=gironde, postal_codes="33700")
    order = order_create(
        funder=funder,
        quantity=1500,
        valid_from=datetime.date(2025, 1, 1),
        max_vouchers_per_act=1,
        rule_departements=[gironde],
        rule_communes=[merignac],
    )
    order = order_issue(order=order)
    invoice = invoice_issue(order=order, issued_on=datetime.date(2025, 1, 2))
    payment_record(
        invoice=invoice,
        amount_cents=invoice.due_cents,
        received_on=datetime.date(2025, 1, 20),
        actor=staff,
        start_printing=False,
    )
    return order


def test_an_expired_paid_order_reads_the_same_on_both_pages(client, funder, funder_admin, expired_paid_order):
    client.force_login(funder_admin)
    slug = {"org_slug": funder.slug}
    follow = text(client.get(reverse("funders:orders", kwargs=slug)))
    orders = text(client.get(reverse("funders:commercial_orders", kwargs=slug)))
    order = expired_paid_order
    assert re.search(rf'id="order-{order.pk}">[^<]*<span class="badge">Expirée</span>', follow)
    row = re.search(rf"<tr>\s*<td>[^\n]*</td>\s*<td>n° {order.pk} .*?</tr>", orders, re.S).group(0)
    assert "<td>Expirée</td>" in row and "Payée" not in row and "(payée)" in row  # paid, said with its invoice
    assert f"<td>1{N}500</td>" in row


def test_follow_up_speaks_french(client, funder, funder_admin, expired_paid_order):
    client.force_login(funder_admin)
    html = text(client.get(reverse("funders:orders", kwargs={"org_slug": funder.slug})))
    assert f"1{N}500 chèques de 10 €, valables jusqu'au 31/12/2025, acceptés jusqu'au 31/01/2026</caption>" in html
    assert "<li>Territoire : Gironde et Mérignac</li>" in html  # no trailing comma
    assert "<li>Au plus 1 chèque par service rendu</li>" in html and "(s)" not in html
