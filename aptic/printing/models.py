"""Printing of an order's booklets (ADR 0015): the release that allows it, the custom cover, the
files produced (at most PRINT_FILE_VOUCHERS vouchers each) and the job that produces them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.core.files import private_storage_callable


class ReleaseReason(models.TextChoices):
    PAID = "paid", "Commande payée"
    EARLY = "early", "Libérée avant paiement (organisme public)"


class PrintRelease(models.Model):
    """The order may be printed: once per order, recorded when it is paid or released early by staff."""

    order = models.OneToOneField(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, related_name="print_release"
    )
    reason = models.CharField("motif", max_length=10, choices=ReleaseReason.choices)
    justification = models.CharField("justification", max_length=500, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField("libérée le", default=timezone.now, editable=False)
    job = models.ForeignKey(
        "jobs.Job", verbose_name="dernier travail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "libération pour impression"
        verbose_name_plural = "libérations pour impression"
        ordering = ["-released_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(reason__in=ReleaseReason.values), name="print_release_reason"),
            # An early release is an exception to the rule "paid first": it must say why.
            models.CheckConstraint(
                condition=~models.Q(reason="early") | ~models.Q(justification=""),
                name="print_release_early_justified",
            ),
        ]

    def __str__(self):
        return f"Impression de la commande n° {self.order_id} ({self.get_reason_display()})"


def cover_path(instance, filename):
    return f"printing/covers/order-{instance.order_id}.{instance.extension}"


class PrintCover(models.Model):
    """The funder's own cover image (Premium option), uploaded by staff; checked with Pillow."""

    order = models.OneToOneField(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, related_name="print_cover"
    )
    image = models.FileField("image", storage=private_storage_callable, upload_to=cover_path, max_length=200)
    extension = models.CharField(max_length=5)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("déposée le", auto_now=True)

    class Meta:
        verbose_name = "couverture personnalisée"
        verbose_name_plural = "couvertures personnalisées"

    def __str__(self):
        return f"Couverture de la commande n° {self.order_id}"


def print_file_path(instance, filename):
    return f"printing/orders/{instance.order_id}/{filename}"


class PrintFile(models.Model):
    """One print-ready PDF: whole booklets, vouchers first_sequence … last_sequence."""

    order = models.ForeignKey("vouchers.Order", on_delete=models.PROTECT, related_name="print_files")
    part = models.PositiveIntegerField("fichier n°")
    first_sequence = models.PositiveIntegerField("premier chèque")
    last_sequence = models.PositiveIntegerField("dernier chèque")
    pages = models.PositiveIntegerField("pages")
    file = models.FileField(storage=private_storage_callable, upload_to=print_file_path, max_length=200)
    size_bytes = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    generated_at = models.DateTimeField("produit le", default=timezone.now, editable=False)
    # The funder's name as given to the layout when the file was made (ADR 0058): a file made before
    # the funder changed its printed name is made again, never kept beside files with the new one.
    funder_name = models.CharField("nom du commanditaire imprimé", max_length=200, blank=True)

    class Meta:
        verbose_name = "fichier d'impression"
        verbose_name_plural = "fichiers d'impression"
        ordering = ["order", "part"]
        constraints = [
            models.UniqueConstraint(fields=["order", "part"], name="print_file_part_unique"),
            models.CheckConstraint(
                condition=models.Q(last_sequence__gte=models.F("first_sequence")), name="print_file_range"
            ),
        ]

    def __str__(self):
        return f"Commande n° {self.order_id} — fichier {self.part}"

    @property
    def filename(self) -> str:
        return f"aptic-commande-{self.order_id:05d}-fichier-{self.part:03d}.pdf"

    @property
    def voucher_count(self) -> int:
        return self.last_sequence - self.first_sequence + 1
