"""Checks on the acceptance documents funders upload: a real PDF, of a reasonable size."""

from aptic.core.errors import DomainError
from aptic.core.uploads import PDF_MAGIC, is_readable_pdf

MAX_BYTES = 10 * 1024 * 1024


def check_pdf(uploaded, *, field: str = "document") -> bytes:
    """The file's bytes if it is a PDF that opens, else a DomainError naming what is wrong."""
    if uploaded is None:
        raise DomainError("Joignez le document au format PDF.", field=field)
    name = getattr(uploaded, "name", "") or "le fichier"
    if uploaded.size > MAX_BYTES:
        raise DomainError(
            f"Le fichier « {name} » pèse {f'{uploaded.size / 1048576:.1f}'.replace('.', ',')} Mo : 10 Mo au plus.",
            field=field,
        )
    data = b"".join(uploaded.chunks())
    if not data:
        raise DomainError(f"Le fichier « {name} » est vide.", field=field)
    if not data.startswith(PDF_MAGIC):
        raise DomainError(
            f"Le fichier « {name} » n'est pas un PDF : enregistrez ou numérisez le document au format PDF.",
            field=field,
        )
    if not is_readable_pdf(data):
        raise DomainError(
            f"Le fichier « {name} » commence comme un PDF mais ne s'ouvre pas : il est peut-être abîmé. "
            "Enregistrez-le à nouveau au format PDF.",
            field=field,
        )
    return data
