"""Where providers welcome people, and the services they offer there.

Field names follow the national standard for places of digital mediation (v1.0.2) where it has
one, so that export and import are a mapping, not a translation.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core.files import private_storage_callable
from aptic.core.models import coordinates_constraint

# A place's own fields the open data publishes (opendata.selectors): what the place shows the public.
OPEN_DATA_FIELDS = (
    "name",
    "address",
    "address_complement",
    "postal_code",
    "latitude",
    "longitude",
    "is_mobile",
    "opening_hours",
    "summary",
    "description",
    "acceslibre_url",
    "phone",
    "email",
    "website",
    "booking_url",
)


class Place(models.Model):
    """A place where a provider welcomes the public: fixed, or the base of a mobile service."""

    provider = models.ForeignKey(
        Organisation,
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="places",
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    name = models.CharField("nom du lieu", max_length=200)
    address = models.CharField("adresse", max_length=250)
    address_complement = models.CharField("complément d'adresse", max_length=250, blank=True)
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="places"
    )
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    typologies = models.ManyToManyField("vocabulary.PlaceTypology", verbose_name="typologies", blank=True)
    is_mobile = models.BooleanField("itinérant", default=False)
    opening_hours = models.CharField(
        "horaires d'ouverture",
        max_length=500,
        blank=True,
        help_text="Syntaxe OpenStreetMap, par exemple : Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
    )
    summary = models.CharField("présentation courte", max_length=280, blank=True)
    description = models.TextField("présentation détaillée", blank=True)
    accessibility = models.TextField("accessibilité", blank=True)
    acceslibre_url = models.URLField("fiche Acceslibre", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True, help_text="Format international : +33…")
    email = models.EmailField("e-mail", blank=True)
    website = models.URLField("site web", blank=True)
    booking_url = models.URLField("prise de rendez-vous en ligne", blank=True)
    # What the place declares, as in the standard; priced services are its offers.
    service_categories = models.ManyToManyField(
        "vocabulary.ServiceCategory", verbose_name="services proposés", blank=True
    )
    publics = models.ManyToManyField("vocabulary.Public", verbose_name="publics spécifiquement adressés", blank=True)
    access_modes = models.ManyToManyField("vocabulary.AccessMode", verbose_name="modalités d'accès", blank=True)
    support_modes = models.ManyToManyField(
        "vocabulary.SupportMode", verbose_name="modalités d'accompagnement", blank=True
    )
    is_published = models.BooleanField(
        "visible dans le catalogue",
        default=True,
        help_text="Un lieu masqué n'apparaît ni sur la carte ni en open data.",
    )
    source = models.CharField("source", max_length=100, blank=True, help_text="D'où vient la fiche (import, saisie).")
    external_id = models.CharField("identifiant d'origine", max_length=100, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        ordering = ["name"]
        constraints = [
            coordinates_constraint("place_coordinates_valid"),
            models.UniqueConstraint(fields=["provider", "name"], name="place_name_unique_per_provider"),
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=~models.Q(external_id=""),
                name="place_external_id_unique_per_provider",
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="place_coordinates_idx")]

    def __str__(self):
        return f"{self.name} ({self.commune.name})"


class OfferFormat(models.TextChoices):
    INDIVIDUAL = "individual", "Accompagnement individuel"
    GROUP = "group", "Atelier collectif"
    REMOTE = "remote", "À distance"


class Offer(models.Model):
    """A service a place delivers, with its price: what a voucher pays for."""

    place = models.ForeignKey(Place, verbose_name="lieu", on_delete=models.CASCADE, related_name="offers")
    category = models.ForeignKey(
        "vocabulary.ServiceCategory", verbose_name="catégorie", on_delete=models.PROTECT, related_name="offers"
    )
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True)
    # Integer cents, VAT included; 0 means free.
    price_cents = models.PositiveIntegerField("prix TTC (centimes)")
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)")
    format = models.CharField("format", max_length=20, choices=OfferFormat.choices)
    publics = models.ManyToManyField("vocabulary.Public", verbose_name="publics", blank=True)
    accepts_aptic = models.BooleanField("payable en chèques #APTIC", default=True)
    is_active = models.BooleanField("proposé actuellement", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "service proposé"
        verbose_name_plural = "services proposés"
        ordering = ["place", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_cents__gte=0), name="offer_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, duration_minutes__lte=24 * 60), name="offer_duration_valid"
            ),
            models.CheckConstraint(condition=models.Q(format__in=OfferFormat.values), name="offer_format_valid"),
            models.UniqueConstraint(fields=["place", "title"], name="offer_title_unique_per_place"),
        ]

    def __str__(self):
        return f"{self.title} — {self.place.name}"

    @property
    def is_free(self):
        return self.price_cents == 0


DEFAULT_MIN_VOUCHER_PRICE_CENTS = 100  # 1 €


class OfferSettings(models.Model):
    """The platform's parameters for offers, edited by staff in the back office: a single row (pk 1).

    Read with OfferSettings.current(); missing, it is created with the defaults (ADR 0022)."""

    min_voucher_price_cents = models.PositiveIntegerField(
        "prix minimum d'un service payable en chèques (centimes)",
        default=DEFAULT_MIN_VOUCHER_PRICE_CENTS,
        help_text="En centimes : 100 pour 1 €. Un service payable en chèques #APTIC ne peut pas coûter moins.",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "réglages des services"
        verbose_name_plural = "réglages des services"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="offer_settings_single_row"),
            models.CheckConstraint(condition=models.Q(min_voucher_price_cents__gte=1), name="offer_settings_min_price"),
        ]

    def __str__(self):
        return "Réglages des services"

    @classmethod
    def current(cls) -> "OfferSettings":
        return cls.objects.get_or_create(pk=1)[0]


class ReferencePlace(models.Model):
    """A place of the existing offer that is not an #APTIC provider's: imported in the national
    standard (the national cartography holds tens of thousands), shown apart on the territorial
    diagnostic, never payable, with no SIRET required (ADR 0049). A re-import updates the rows that
    changed and retires those that vanished from their source."""

    source = models.CharField(
        "source", max_length=100, help_text="Le jeu de données importé (ex. la cartographie nationale)."
    )
    source_id = models.CharField("identifiant dans la source", max_length=250)
    name = models.CharField("nom du lieu", max_length=250)
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="reference_places"
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    service_categories = models.ManyToManyField(
        "vocabulary.ServiceCategory", verbose_name="services proposés", blank=True, related_name="reference_places"
    )
    typologies = models.ManyToManyField(
        "vocabulary.PlaceTypology", verbose_name="typologies", blank=True, related_name="reference_places"
    )
    siret = models.CharField("SIRET (pivot)", max_length=14, blank=True)
    website = models.URLField("site web", blank=True, max_length=500)
    source_updated_on = models.DateField("mise à jour dans la source", null=True, blank=True)
    imported_at = models.DateTimeField("importé le", default=timezone.now)
    updated_at = models.DateTimeField("modifié le", default=timezone.now)
    retired_at = models.DateTimeField(
        "retiré le", null=True, blank=True, help_text="Absent du dernier import de sa source."
    )

    class Meta:
        verbose_name = "lieu de référence"
        verbose_name_plural = "lieux de référence"
        ordering = ["name"]
        constraints = [
            coordinates_constraint("reference_place_coordinates_valid"),
            models.UniqueConstraint(fields=["source", "source_id"], name="reference_place_unique_per_source"),
        ]
        indexes = [models.Index(fields=["commune"], name="reference_place_commune")]

    def __str__(self):
        return self.name


class ReferenceImportStatus(models.TextChoices):
    QUEUED = "queued", "En cours"
    DONE = "done", "Importé"
    REFUSED = "refused", "Refusé, rien n'a été enregistré"


class ReferenceImport(models.Model):
    """One import of a source of reference places (ADR 0050): what it changed, or why it was refused.
    The uploaded file is kept only until its background job has read it."""

    source = models.CharField("source", max_length=100)
    filename = models.CharField("fichier", max_length=255, blank=True)
    file = models.FileField(
        storage=private_storage_callable, upload_to="places/reference-imports/", max_length=200, blank=True
    )
    status = models.CharField(
        "état", max_length=10, choices=ReferenceImportStatus.choices, default=ReferenceImportStatus.QUEUED
    )
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rows = models.PositiveIntegerField("lignes", default=0)
    created = models.PositiveIntegerField("lieux ajoutés", default=0)
    updated = models.PositiveIntegerField("lieux modifiés", default=0)
    unchanged = models.PositiveIntegerField("lieux inchangés", default=0)
    restored = models.PositiveIntegerField("lieux revenus", default=0)
    retired = models.PositiveIntegerField("lieux retirés", default=0)
    twins = models.PositiveIntegerField("lieux déjà #APTIC", default=0)
    summary = models.CharField("bilan", max_length=500, blank=True)
    errors = models.JSONField("erreurs", default=list, blank=True)
    warnings = models.JSONField("remarques", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de lieux de référence"
        verbose_name_plural = "imports de lieux de référence"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "-created_at"], name="reference_import_source")]

    def __str__(self):
        return f"{self.source} — {self.filename or 'import'} ({self.get_status_display()})"
