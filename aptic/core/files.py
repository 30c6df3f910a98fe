"""Private files: stored under PRIVATE_ROOT (never under MEDIA_ROOT, which a web server may expose)
and handed out only by views that have checked who asks."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject

from aptic.core.uploads import SNIFF_BYTES, named_as, sniff


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_ROOT, base_url=None)


private_storage = _PrivateStorage()


def private_storage_callable():
    """For FileField(storage=…): a callable keeps the path out of the migrations."""
    return private_storage


def file_response(field_file, filename: str, *, inline: bool = False) -> FileResponse:
    """The stored file, served as what its bytes are (aptic/core/uploads.py `sniff`), never as what its
    name says: a PDF uploaded as `rib.html` goes out as application/pdf named `rib.pdf`. Only PDFs and
    images may open in the browser (`inline`); anything else is a download."""
    if not field_file:
        raise Http404("Ce fichier n'existe pas.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("Ce fichier n'existe plus.") from None
    kind = sniff(handle.read(SNIFF_BYTES))
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=not (inline and kind.shown_in_browser),
        filename=named_as(filename, kind),
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
