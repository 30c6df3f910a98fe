from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from aptic.core.access import public

from .forms import CommuneLookupForm
from .models import Commune
from .selectors import INSEE_CODE, SearchError, search_communes


@public
def commune_search(request):
    """Suggestions for the commune field: JSON for scripts, <option>s for the htmx datalist."""
    try:
        # The autocomplete widget sends its own field name, and says which one it is in `field`.
        field = request.GET.get("field") or "q"
        communes = search_communes(request.GET.get(field, request.GET.get("q", "")))
    except SearchError as exc:
        if request.headers.get("HX-Request"):
            return render(request, "territories/commune_options.html", {"communes": []})
        return JsonResponse({"error": str(exc), "results": []}, status=400)
    if request.headers.get("HX-Request"):
        return render(request, "territories/commune_options.html", {"communes": communes})
    results = [
        {
            "insee_code": c.insee_code,
            "name": c.name,
            "postal_codes": c.postal_codes.split(),
            "departement": c.departement.name,
            "label": c.label,
        }
        for c in communes
    ]
    return JsonResponse({"results": results})


@public
def lookup(request):
    form = CommuneLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("territories:commune", insee_code=form.cleaned_data["commune"].insee_code)
    status = 400 if form.is_bound else 200
    return render(request, "territories/lookup.html", {"form": form}, status=status)


@public
def commune_detail(request, insee_code):
    if not INSEE_CODE.match(insee_code):
        raise Http404("Code INSEE inconnu.")
    commune = get_object_or_404(Commune.objects.select_related("departement", "region", "epci"), insee_code=insee_code)
    return render(request, "territories/commune.html", {"commune": commune})
