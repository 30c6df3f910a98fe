"""Staff pages of printing: orders with their release and print state; one order's print page. The
funder's page of the name its vouchers print (ADR 0058).

Print files are downloadable by staff only: they carry every code of the order, and the platform
hands them to the printer (ADR 0015)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required, staff_required
from aptic.core.errors import DomainError
from aptic.core.files import file_response

from . import selectors, services
from .forms import CoverForm, EarlyReleaseForm, PrintNameForm
from .models import PrintFile


def _add_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@staff_required
def staff_orders(request):
    page = Paginator(selectors.orders_for_staff(), 50).get_page(request.GET.get("page"))
    return render(request, "printing/staff_orders.html", {"page": page})


@staff_required
def staff_order(request, pk):
    order = selectors.order_for_staff(pk)
    if order is None:
        raise Http404("Cette commande n'existe pas.")
    release_form, cover_form = EarlyReleaseForm(prefix="release"), CoverForm(prefix="cover")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "release":
                release_form = EarlyReleaseForm(request.POST, prefix="release")
                if release_form.is_valid():
                    services.order_print_release(
                        order=order,
                        user=request.user,
                        reason="early",
                        justification=release_form.cleaned_data["justification"],
                    )
                    messages.success(request, "Commande libérée : les fichiers d'impression sont en production.")
                    return redirect("printing:staff_order", pk=order.pk)
            elif action == "cover":
                cover_form = CoverForm(request.POST, request.FILES, prefix="cover")
                if cover_form.is_valid():
                    services.print_cover_upload(order=order, user=request.user, upload=cover_form.cleaned_data["image"])
                    messages.success(request, "Couverture enregistrée ; produisez à nouveau les fichiers.")
                    return redirect("printing:staff_order", pk=order.pk)
            elif action == "regenerate":
                services.print_regenerate(order=order, user=request.user)
                messages.success(request, "Production des fichiers relancée.")
                return redirect("printing:staff_order", pk=order.pk)
            else:
                raise Http404("Action inconnue.")
        except DomainError as exc:
            if action == "cover":
                _add_error(cover_form, exc)
            elif action == "release":
                _add_error(release_form, exc)
            else:
                messages.error(request, exc.message)
                return redirect("printing:staff_order", pk=order.pk)
    failed = release_form.errors or cover_form.errors
    context = {
        "order": order,
        "release": selectors.release_of(order),
        "files": selectors.files_of(order),
        "release_form": release_form,
        "cover_form": cover_form,
        "cover_refusal": services.cover_refusal(order),
        "file_limit": services.file_voucher_limit(),
        "printed_name": services.funder_printed_name(order.funder),
        "current_name": services.funder_given_name(order.funder),
    }
    return render(request, "printing/staff_order.html", context, status=400 if failed else 200)


@staff_required
def staff_file(request, pk, part):
    record = PrintFile.objects.filter(order_id=pk, part=part).first()
    if record is None:
        raise Http404("Ce fichier n'existe pas.")
    return file_response(record.file, record.filename)


@staff_required
def staff_cover(request, pk):
    cover = selectors.order_for_staff(pk)
    cover = getattr(cover, "print_cover", None) if cover else None
    if cover is None:
        raise Http404("Pas de couverture personnalisée.")
    return file_response(cover.image, f"couverture-commande-{pk}.{cover.extension}", inline=True)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def funder_print_name(request):
    """What the vouchers print as the funder's name; its administrators change it."""
    funder = request.organisation
    form = PrintNameForm(initial={"print_name": funder.print_name})
    if request.method == "POST":
        if not request.membership.is_admin:
            raise PermissionDenied("Seuls les administrateurs de l'organisation peuvent modifier le nom imprimé.")
        form = PrintNameForm(request.POST)
        if form.is_valid():
            try:
                services.funder_print_name_set(
                    funder=funder, print_name=form.cleaned_data["print_name"], user=request.user
                )
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, "Nom imprimé enregistré : il figurera sur les prochains carnets imprimés.")
                return redirect("printing:funder_print_name", org_slug=funder.slug)
    printed = services.funder_printed_name(funder)
    shortened = not funder.print_name and printed != " ".join(funder.name.split())
    context = {"organisation": funder, "printed": printed, "shortened": shortened, "form": form}
    return render(request, "printing/funder_print_name.html", context, status=400 if form.errors else 200)
