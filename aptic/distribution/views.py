"""Shipments (staff), handing out (distributors and funders), postal mailings (funder admins)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required, staff_required
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.core.files import file_response
from aptic.vouchers.lifecycle import booklet_stop as booklet_stop_service
from aptic.vouchers.lifecycle import stop_refusal

from . import selectors
from .addresses import AddressFileError
from .forms import HandoutForm, MailedForm, MailingForm, ShipmentForm, StopForm, StopLookupForm
from .mailings import mailing_create, mailing_mark_mailed
from .models import BeneficiaryCategory, Mailing
from .shipments import booklet_hand_out, parse_ranges, shipment_create

FILES = {"etiquettes": ("labels", "etiquettes"), "courriers": ("letters", "courriers")}
MAX_UPLOAD = 30 * 1024 * 1024


def _add_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@staff_required
def staff_shipments(request):
    form = ShipmentForm(orders=selectors.orders_for_shipping(), recipients=selectors.recipients())
    if request.method == "POST":
        form = ShipmentForm(request.POST, orders=selectors.orders_for_shipping(), recipients=selectors.recipients())
        if form.is_valid():
            data = form.cleaned_data
            try:
                shipment = shipment_create(
                    order=data["order"],
                    recipient=data["recipient"],
                    ranges=parse_ranges(data["ranges"]),
                    shipped_on=data["shipped_on"],
                    reference=data["reference"],
                    user=request.user,
                )
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Expédition n° {shipment.pk} enregistrée : {formats.count(shipment.booklet_count, 'carnet')}.",
                )
                return redirect("distribution:staff_shipments")
    context = {
        "form": form,
        "shipments": selectors.shipments_for_staff()[:100],
        "mailings": selectors.mailings_for_staff()[:50],
        "mailed_form": MailedForm(),
    }
    return render(request, "distribution/staff_shipments.html", context, status=400 if form.errors else 200)


@staff_required
def staff_mailing_mailed(request, pk):
    mailing = get_object_or_404(Mailing, pk=pk)
    if request.method != "POST":
        return redirect("distribution:staff_shipments")
    form = MailedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date de dépôt à La Poste.")
        return redirect("distribution:staff_shipments")
    try:
        mailing_mark_mailed(mailing=mailing, mailed_on=form.cleaned_data["mailed_on"], user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Envoi n° {mailing.pk} posté ; ses adresses seront effacées dans 30 jours.")
    return redirect("distribution:staff_shipments")


def _mailing_file(mailing, kind):
    if kind not in FILES:
        raise Http404("Ce document n'existe pas.")
    field_name, label = FILES[kind]
    field = getattr(mailing, field_name)
    extension = "zip" if field.name.endswith(".zip") else "pdf"  # large mailings: letters in several PDFs
    return file_response(field, f"envoi-{mailing.pk}-{label}.{extension}")


@staff_required
def staff_mailing_file(request, pk, kind):
    return _mailing_file(get_object_or_404(Mailing, pk=pk), kind)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def funder_shipments(request):
    context = {"organisation": request.organisation, "shipments": selectors.shipments_of_funder(request.organisation)}
    return render(request, "distribution/funder_shipments.html", context)


@organisation_required(kinds=[OrganisationKind.DISTRIBUTOR, OrganisationKind.FUNDER])
def distributor_booklets(request):
    organisation = request.organisation
    orders = selectors.orders_received(organisation)
    form = HandoutForm(orders=orders)
    status = 200
    if request.method == "POST":
        form = HandoutForm(request.POST, orders=orders)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booklet_hand_out(
                    organisation=organisation,
                    order_id=data["order"].pk,
                    number=data["number"],
                    category=data["category"],
                    user=request.user,
                )
            except DomainError as exc:
                _add_error(form, exc)
                status = 403 if exc.code == "forbidden" else 400
            else:
                label = BeneficiaryCategory(data["category"]).label.lower()
                messages.success(request, f"Carnet n° {data['number']} remis (public : {label}).")
                return redirect("distribution:distributor_booklets", org_slug=organisation.slug)
        else:
            status = 400
    context = {
        "organisation": organisation,
        "form": form,
        "shipments": selectors.shipments_received(organisation),
        "handouts": selectors.handouts_of(organisation),
        "categories": [
            (BeneficiaryCategory(row["category"]).label, row["n"]) for row in selectors.categories_of(organisation)
        ],
    }
    return render(request, "distribution/distributor_booklets.html", context, status=status)


@organisation_required(kinds=[OrganisationKind.FUNDER], admin=True)
def funder_mailings(request):
    funder = request.organisation
    orders = selectors.funder_orders_for_mailing(funder)
    form = MailingForm(orders=orders)
    problems = []
    if request.method == "POST":
        form = MailingForm(request.POST, request.FILES, orders=orders)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_UPLOAD:
                    raise DomainError("Le fichier dépasse 30 Mo.", field="file")
                mailing = mailing_create(
                    funder=funder,
                    order=form.cleaned_data["order"],
                    filename=upload.name,
                    data=upload.read(),
                    user=request.user,
                )
            except AddressFileError as exc:
                _add_error(form, exc)
                problems = exc.errors
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(
                    request,
                    f"{formats.count(mailing.address_count, 'adresse')} "
                    f"{formats.plural(mailing.address_count, 'importée')} : étiquettes et courriers en préparation.",
                )
                return redirect("distribution:funder_mailings", org_slug=funder.slug)
    context = {
        "organisation": funder,
        "form": form,
        "problems": problems,
        "mailings": selectors.mailings_of_funder(funder),
    }
    return render(request, "distribution/funder_mailings.html", context, status=400 if form.errors else 200)


@organisation_required(kinds=[OrganisationKind.FUNDER], admin=True)
def funder_mailing_file(request, pk, kind):
    mailing = get_object_or_404(Mailing, pk=pk, shipment__recipient=request.organisation)
    return _mailing_file(mailing, kind)


STOP_KINDS = [OrganisationKind.FUNDER, OrganisationKind.DISTRIBUTOR]


@organisation_required(kinds=STOP_KINDS)
def stops(request):
    """Declare a booklet lost or stolen: find it, then stop it on its page."""
    organisation = request.organisation
    orders = selectors.orders_in_care_of(organisation)
    form = StopLookupForm(request.GET or None, orders=orders)
    status = 200
    if request.GET:
        if form.is_valid():
            order, number = form.cleaned_data["order"], form.cleaned_data["number"]
            if selectors.booklets_in_care_of(organisation).filter(order=order, number=number).exists():
                return redirect(
                    "distribution:booklet_stop", org_slug=organisation.slug, order_pk=order.pk, number=number
                )
            form.add_error("number", f"Le carnet n° {number} de la commande n° {order.pk} n'est pas à votre charge.")
        status = 400
    context = {"organisation": organisation, "form": form, "events": selectors.stops_declared_by(organisation)}
    return render(request, "distribution/stops.html", context, status=status)


@organisation_required(kinds=STOP_KINDS)
def booklet_stop(request, order_pk, number):
    organisation = request.organisation
    booklet = get_object_or_404(
        selectors.booklets_in_care_of(organisation).select_related("order__funder"), order_id=order_pk, number=number
    )
    vouchers = selectors.booklet_vouchers(booklet)
    form = StopForm(vouchers=vouchers)
    status = 200
    if request.method == "POST":
        form = StopForm(request.POST, vouchers=vouchers)
        if form.is_valid():
            try:
                count = booklet_stop_service(
                    booklet=booklet,
                    sequences=form.cleaned_data["vouchers"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    organisation=organisation,
                )
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, f"{formats.count(count, 'chèque')} du carnet n° {number} mis en opposition.")
                return redirect(
                    "distribution:booklet_stop", org_slug=organisation.slug, order_pk=order_pk, number=number
                )
        elif refusal := stop_refusal([v for v in vouchers if str(v.sequence) in request.POST.getlist("vouchers")]):
            form.errors["vouchers"] = form.error_class([refusal])  # stopped or spent since the page was shown
        status = 400
    context = {
        "organisation": organisation,
        "booklet": booklet,
        "vouchers": vouchers,
        "form": form,
        "refusal": stop_refusal(vouchers),
    }
    return render(request, "distribution/booklet_stop.html", context, status=status)
