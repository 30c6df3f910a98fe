"""Demo funders at every commercial stage (runs after the vouchers demo, whose orders it invoices).

- The vouchers demo's orders: last year's Gironde order (invoiced and paid by the last campaign's
  builder, aptic/demo/builders/last_campaign.py) gets its expiry credit note; this year's Gironde
  order invoiced with that credit deducted, and paid; the company's paid; the CCAS's invoiced,
  awaiting payment. A correction credit note on the company's invoice.
- New prospects of the last three weeks, through the public journey's services, each step on its
  day: a request waiting for staff, a closed one, a draft quote, a sent quote, an accepted quote
  (signed PDF) waiting for validation, and a validated one (Ville de Mérignac: account,
  administrator and an issued order of 1,000 vouchers) not invoiced.
Payments here do not start printing (see invoicing.payment_record).
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from aptic.accounts import services as accounts
from aptic.accounts.models import Role
from aptic.territories.models import Commune, Departement
from aptic.vocabulary.models import Public, ServiceCategory
from aptic.vouchers.models import Order

from . import services
from .models import Offer

# (organisation, SIRET, legal category, commune INSEE, contact, e-mail, quantity, offer, stage)
PROSPECTS = [
    ("Communauté de communes de Montesquieu (démo)", "20004356700012", "epci", "33063", "Marc Delmas",
     "devis.montesquieu@demo.aptic.fr", 1000, "standard", "request"),
    ("Chambre de métiers de la Loire (démo)", "18420001100014", "chamber", "42218", "Isabelle Vidal",
     "devis.cma42@demo.aptic.fr", 2000, "plus", "closed"),
    ("Ville de Pessac (démo)", "21330318200015", "commune", "33063", "Thomas Petit",
     "devis.pessac@demo.aptic.fr", 3000, "plus", "draft"),
    ("Caisse d'allocations familiales de la Loire (démo)", "53476789100017", "public_body", "42218",
     "Claire Morel", "devis.caf42@demo.aptic.fr", 5000, "premium", "sent"),
    ("Ville de Roanne (démo)", "21420187800012", "commune", "42218", "Paul Fabre",
     "devis.roanne@demo.aptic.fr", 2000, "plus", "accepted"),
    ("Ville de Mérignac (démo)", "21330281900016", "commune", "33281", "Sophie Lambert",
     "commanditaire.merignac@demo.aptic.fr", 1000, "standard", "validated"),
]  # fmt: skip


def _siret(base: str) -> str:
    """A SIRET whose SIREN and whole number pass their Luhn checks, from the 8 first digits of `base`."""
    from stdnum import luhn

    siren = base[:8] + luhn.calc_check_digit(base[:8])
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def _pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _staff(context):
    platform = context.organisations["platform"][0]
    return platform.memberships.filter(role="admin").select_related("user").first().user


def _commune(code: str):
    return Commune.objects.filter(pk=code).first() or Commune.objects.filter(is_current=True).order_by("pk").first()


def _prospects(context, staff, today):
    calendar = context.calendar

    def on(days_ago: int, hour: int = 10):
        return calendar.moment(today - datetime.timedelta(days=days_ago), hour)

    offers = {o.code: o for o in Offer.objects.all()}
    publics = list(Public.objects.filter(is_active=True).order_by("position")[:2])
    categories = list(ServiceCategory.objects.filter(is_active=True).order_by("position")[:2])
    for rank, (name, siret, category, commune, contact, email, quantity, offer, stage) in enumerate(PROSPECTS):
        start = 20 - rank  # requests of the last three weeks, each step a few days after the one before
        request = services.quote_request_create(
            organisation_name=name,
            siret=_siret(siret),
            legal_category=category,
            address="1 place de la Mairie",
            commune=_commune(commune),
            contact_name=contact,
            email=email,
            objectives="Financer des ateliers numériques pour les habitants les plus éloignés du numérique.",
            quantity=quantity,
            wished_offer=offers[offer],
            territory="Le territoire de l'organisation",
            publics=publics,
            categories=categories,
            at=on(start, 9),
        )
        if stage == "request":
            continue
        if stage == "closed":
            services.quote_request_close(
                request=request, actor=staff, reason="Projet reporté à l'an prochain.", at=on(start - 2)
            )
            continue
        quote = services.quote_create_from_request(request=request, actor=staff, at=on(start - 2))
        options = {"network_delivery": 30000} if offer != "standard" else {}
        if offer == "premium":
            options["custom_cover"] = 45000
        services.quote_update(
            quote=quote,
            actor=staff,
            offer=offers[offer],
            quantity=quantity,
            booklet_size=10,
            valid_until=today + datetime.timedelta(days=30),
            options=options,
            publics=publics,
            rule_departements=list(Departement.objects.filter(pk=_commune(commune).departement_id)),
            rule_categories=categories if offer == "premium" else [],
            at=on(start - 2, 11),
        )
        if stage == "draft":
            continue
        quote = services.quote_send(quote=quote, actor=staff, at=on(start - 3))
        if stage == "sent":
            continue
        signed = SimpleUploadedFile("devis-signe.pdf", _pdf(f"Devis {quote.number} : bon pour accord"))
        quote = services.quote_accept(
            quote=quote, kind="signed_quote", document=signed, signer_name=f"{contact}, maire", at=on(start - 8)
        )
        if stage == "accepted":
            continue
        quote = services.quote_validate(quote=quote, actor=staff, at=on(start - 10))
        user = accounts.user_create(email=email, password=context.password, full_name=contact, at=on(start - 10, 14))
        accounts.membership_add(user=user, organisation=quote.funder, role=Role.ADMIN, at=on(start - 10, 14))
        context.accounts.append((email, quote.funder.get_kind_display(), quote.funder.name))
        context.organisations.setdefault("funder_prospects", []).append(quote.funder)


def _existing_orders(context, staff):
    """Invoices, payments and credit notes for the orders the vouchers demo issued (no quotes: made in
    the back office), each on its day of the demo's calendar (aptic.demo.timeline), in that order:
    last campaign's invoice and payment, its expiry credit note, this campaign's CCAS and company
    invoices, then the Gironde's, which deducts the credit note, and the company's correction."""
    calendar = context.calendar
    gironde = context.organisations["funder_dep"][0]
    ccas = context.organisations["funder_ccas"][0]
    company = context.organisations["funder_company"][0]
    # Last campaign's expiry (done by its builder on calendar.expiry_day), credited the day after.
    services.expiry_credit_notes_issue(actor=staff, issued_on=calendar.expiry_credited_on)
    current = Order.objects.filter(valid_from=calendar.campaign_start, issued_at__isnull=False).order_by("pk")
    schedule = [
        (ccas, calendar.invoiced_on, None),
        (company, calendar.invoiced_on, calendar.paid_on),
        (gironde, calendar.gironde_invoiced_on, calendar.gironde_paid_on),
    ]
    company_invoice = None
    for funder, issued_on, paid_on in schedule:
        for order in current.filter(funder=funder):
            invoice = services.invoice_issue(order=order, actor=staff, issued_on=issued_on)
            if paid_on and invoice.due_cents:
                services.payment_record(
                    invoice=invoice,
                    amount_cents=invoice.due_cents,
                    received_on=paid_on,
                    reference=f"VIR-{invoice.number}",
                    actor=staff,
                    start_printing=False,
                )
            if funder == company:
                company_invoice = invoice
    if company_invoice is not None:
        services.credit_note_correction_issue(
            invoice=company_invoice,
            amount_excl_vat_cents=min(5000, company_invoice.fee_cents),
            reason="Geste commercial : retard de livraison des carnets.",
            actor=staff,
            issued_on=calendar.correction_on,
        )


def build(context) -> None:
    staff = _staff(context)
    _existing_orders(context, staff)
    _prospects(context, staff, context.calendar.today)
