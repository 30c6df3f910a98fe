from django.http import Http404, HttpResponse


def pdf_response(data, filename: str) -> HttpResponse:
    """Generated PDFs, stored as bytes: private, never cached, never sniffed."""
    if not data:
        raise Http404("Ce document n'existe pas.")
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
