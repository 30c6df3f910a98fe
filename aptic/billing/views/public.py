from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from aptic.core.access import public
from aptic.core.errors import DomainError

from .. import services
from ..forms import AcceptForm, QuoteRequestForm, add_domain_error
from ..models import QuoteStatus
from ..throttle import quote_request_hit
from ._common import pdf_response

SESSION_KEY = "billing_quote_request"


@public
def quote_request(request):
    form = QuoteRequestForm()
    if request.method == "POST":
        form = QuoteRequestForm(request.POST)
        if form.is_valid():
            # Only requests that would be sent count against the limit: typing mistakes do not.
            verdict = quote_request_hit(request)
            if not verdict.allowed:
                minutes = max(1, round(verdict.retry_after / 60))
                response = render(request, "billing/too_many_requests.html", {"minutes": minutes}, status=429)
                response["Retry-After"] = str(verdict.retry_after)
                return response
            data = form.cleaned_data
            try:
                made = services.quote_request_create(
                    organisation_name=data["organisation_name"],
                    siret=data["siret"],
                    legal_category=data["legal_category"],
                    address=data["address"],
                    commune=data["commune"],
                    territory=data["territory"],
                    contact_name=data["contact_name"],
                    email=data["email"],
                    phone=data["phone"],
                    objectives=data["objectives"],
                    quantity=data["quantity"],
                    wished_offer=data["wished_offer"],
                    publics=data["publics"],
                    categories=data["categories"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                request.session[SESSION_KEY] = {"name": made.organisation_name, "email": made.email}
                return redirect("billing:quote_request_done")
    status = 400 if form.errors else 200
    return render(request, "billing/quote_request.html", {"form": form}, status=status)


@public
def quote_request_done(request):
    return render(request, "billing/quote_request_done.html", {"sent": request.session.get(SESSION_KEY)})


@public
@never_cache
def quote_accept(request, token):
    try:
        quote = services.quote_for_token(token)
    except DomainError as exc:
        return render(request, "billing/quote_link_invalid.html", {"problem": exc.message}, status=404)
    form = AcceptForm(initial={"kind": "signed_quote"})
    if request.method == "POST" and quote.status == QuoteStatus.SENT:
        form = AcceptForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                quote = services.quote_accept(
                    quote=quote,
                    kind=data["kind"],
                    document=data["document"],
                    signer_name=data["signer_name"],
                    purchase_order_ref=data["purchase_order_ref"],
                    commitment_number=data["commitment_number"],
                    service_code=data["service_code"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("billing:quote_accept", token=token)
    context = {"quote": quote, "form": form, "token": token, "options": quote.options.all()}
    return render(request, "billing/quote_accept.html", context, status=400 if form.errors else 200)


@public
@never_cache
def quote_accept_pdf(request, token):
    try:
        quote = services.quote_for_token(token)
    except DomainError as exc:
        return render(request, "billing/quote_link_invalid.html", {"problem": exc.message}, status=404)
    return pdf_response(quote.pdf, f"devis-{quote.number}.pdf")
