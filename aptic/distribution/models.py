"""Shipments of printed booklets, their handing out to beneficiaries, and postal mailings (ADR 0015).

Personal data stays out of every table but MailingAddress, whose rows (and the PDFs made from
them) are deleted 30 days after the mailing; a handout keeps only the public category."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.core.files import private_storage_callable


class ShipmentKind(models.TextChoices):
    DELIVERY = "delivery", "Livraison"
    MAILING = "mailing", "Envoi postal aux bénéficiaires"


class Shipment(models.Model):
    order = models.ForeignKey(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, related_name="shipments"
    )
    recipient = models.ForeignKey(
        "accounts.Organisation", verbose_name="destinataire", on_delete=models.PROTECT, related_name="shipments"
    )
    kind = models.CharField("type", max_length=10, choices=ShipmentKind.choices, default=ShipmentKind.DELIVERY)
    shipped_on = models.DateField("expédiée le", null=True, blank=True)
    reference = models.CharField("référence de suivi", max_length=100, blank=True)
    booklet_count = models.PositiveIntegerField("carnets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "expédition"
        verbose_name_plural = "expéditions"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ShipmentKind.values), name="shipment_kind"),
            models.CheckConstraint(condition=models.Q(booklet_count__gt=0), name="shipment_not_empty"),
            models.CheckConstraint(
                condition=models.Q(kind="mailing") | models.Q(shipped_on__isnull=False), name="shipment_delivery_date"
            ),
        ]

    def __str__(self):
        return f"Expédition n° {self.pk}"


class ShipmentRange(models.Model):
    """Booklets first … last of the order, as staff typed them (for reading; ShippedBooklet enforces)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="ranges")
    first_number = models.PositiveIntegerField("du carnet")
    last_number = models.PositiveIntegerField("au carnet")

    class Meta:
        ordering = ["shipment", "first_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_number__gte=models.F("first_number")) & models.Q(first_number__gte=1),
                name="shipment_range_ordered",
            )
        ]

    def __str__(self):
        return f"{self.first_number}–{self.last_number}"


class ShippedBooklet(models.Model):
    """One row per booklet shipped: the unique booklet is the database's guard against shipping twice."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="booklets")
    booklet = models.OneToOneField("vouchers.Booklet", on_delete=models.PROTECT, related_name="shipped")

    class Meta:
        verbose_name = "carnet expédié"
        verbose_name_plural = "carnets expédiés"

    def __str__(self):
        return f"{self.booklet} ({self.shipment})"


class BeneficiaryCategory(models.TextChoices):
    """The beneficiary's public, nothing else about them."""

    SENIOR = "senior", "Senior"
    YOUNG = "young", "Jeune"
    JOB_SEEKER = "job_seeker", "Demandeur d'emploi"
    MINIMUM_INCOME = "minimum_income", "Bénéficiaire de minima sociaux"
    EMPLOYEE = "employee", "Salarié"
    SMALL_BUSINESS = "small_business", "Petite entreprise ou artisan"
    ASSOCIATION = "association", "Association"
    STUDENT = "student", "Étudiant"
    OTHER = "other", "Autre public"
    NOT_STATED = "not_stated", "Non précisé"


class Handout(models.Model):
    """A booklet handed to a beneficiary; once per shipped booklet (one-to-one)."""

    shipped = models.OneToOneField(ShippedBooklet, on_delete=models.PROTECT, related_name="handout")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="remis par", on_delete=models.PROTECT, related_name="handouts"
    )
    category = models.CharField("public", max_length=20, choices=BeneficiaryCategory.choices)
    handed_out_on = models.DateField("remis le")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("enregistré le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "remise de carnet"
        verbose_name_plural = "remises de carnets"
        ordering = ["-handed_out_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__in=BeneficiaryCategory.values), name="handout_category")
        ]

    def __str__(self):
        return f"Remise du {self.shipped.booklet}"


class MailingStatus(models.TextChoices):
    PREPARING = "preparing", "Documents en préparation"
    PREPARED = "prepared", "Prêt à poster"
    MAILED = "mailed", "Posté"


def mailing_file_path(instance, filename):
    return f"distribution/mailings/{instance.pk}/{filename}"


class Mailing(models.Model):
    """Plus option: the platform mails one booklet per address of the funder's file."""

    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="mailing")
    status = models.CharField("état", max_length=10, choices=MailingStatus.choices, default=MailingStatus.PREPARING)
    source_name = models.CharField("fichier d'origine", max_length=200)
    address_count = models.PositiveIntegerField("adresses")
    labels = models.FileField(storage=private_storage_callable, upload_to=mailing_file_path, blank=True)
    letters = models.FileField(storage=private_storage_callable, upload_to=mailing_file_path, blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("déposé le", default=timezone.now, editable=False)
    mailed_on = models.DateField("posté le", null=True, blank=True)
    mailed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    addresses_purged_at = models.DateTimeField("adresses effacées le", null=True, blank=True)

    class Meta:
        verbose_name = "envoi postal"
        verbose_name_plural = "envois postaux"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=MailingStatus.values), name="mailing_status"),
            models.CheckConstraint(
                condition=~models.Q(status="mailed") | models.Q(mailed_on__isnull=False), name="mailing_mailed_on"
            ),
            models.CheckConstraint(
                condition=models.Q(addresses_purged_at__isnull=True) | models.Q(status="mailed"),
                name="mailing_purged_after_mailing",
            ),
        ]

    def __str__(self):
        return f"Envoi postal n° {self.pk}"


class MailingAddress(models.Model):
    """A beneficiary's postal address: personal data, deleted 30 days after the mailing."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="addresses")
    line = models.PositiveIntegerField("ligne du fichier")
    shipped = models.OneToOneField(ShippedBooklet, on_delete=models.PROTECT, related_name="address")
    name = models.CharField("nom", max_length=38)
    street = models.CharField("adresse", max_length=38)
    complement = models.CharField("complément", max_length=38, blank=True)
    postal_code = models.CharField("code postal", max_length=5)
    city = models.CharField("ville", max_length=32)
    category = models.CharField("public", max_length=20, choices=BeneficiaryCategory.choices)

    class Meta:
        verbose_name = "adresse d'envoi"
        verbose_name_plural = "adresses d'envoi"
        ordering = ["mailing", "line"]

    def __str__(self):
        return f"Ligne {self.line} de l'envoi {self.mailing_id}"


class AddressPurge(models.Model):
    """The log of each deletion of addresses: what, when, how many (no address kept)."""

    mailing = models.ForeignKey(Mailing, on_delete=models.PROTECT, related_name="purges")
    purged_at = models.DateTimeField("effacées le")
    address_count = models.PositiveIntegerField("adresses effacées")
    files_deleted = models.PositiveSmallIntegerField("fichiers effacés")
    description = models.CharField("quoi", max_length=250)

    class Meta:
        verbose_name = "effacement d'adresses"
        verbose_name_plural = "effacements d'adresses"
        ordering = ["-purged_at"]

    def __str__(self):
        return self.description
