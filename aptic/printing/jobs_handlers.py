"""Printing's background work: producing an order's print files, with progress."""

from aptic.core import formats
from aptic.jobs.registry import handler
from aptic.vouchers.models import Order

from .services import JOB_KIND, print_files_generate


@handler(JOB_KIND)
def generate(job, progress) -> dict:
    order = Order.objects.get(pk=job.params["order_id"])
    progress(0, order.quantity, "Production des fichiers d'impression…")
    files = print_files_generate(order=order, force=bool(job.params.get("force")), progress=lambda done: progress(done))
    progress(
        order.quantity,
        None,
        f"{formats.count(len(files), 'fichier')} {formats.plural(len(files), 'prêt')} pour l'imprimeur.",
    )
    return {"files": [{"part": f.part, "sha256": f.sha256, "pages": f.pages} for f in files]}
