"""Back office of vouchers (ADR 0003): models of money and vouchers are read-only here; every change
goes through a service. Orders are created by issuance.order_create (only their label, cap per
service and usage rules stay editable afterwards) and issued by an action; vouchers are stopped and
released by actions asking for a reason; ratings are moderated the same way.

Lists of vouchers and their events grow to a hundred million rows: their counts are capped, and
they are searched by serial number ("2026-00042-0000137") or by code ("K7QM-3XH9-PZ2W-8RTC"),
never by a scan of the table.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode

from aptic.core import formats
from aptic.core.admin import ReadOnlyMixin
from aptic.core.errors import DomainError

from . import codes, issuance, lifecycle, ratings
from .models import Booklet, Order, Rating, Redemption, RedemptionLine, Voucher, VoucherEvent

SERIAL = re.compile(r"^\s*(\d{4})\s*[-/ ]\s*(\d{1,5})(?:\s*[-/ ]\s*(\d{1,7}))?\s*$")
SEARCH_HELP = "Saisissez un numéro de chèque (2026-00042-0000137), de commande (2026-00042) ou un code de chèque."
MAX_VOUCHERS_PER_ACTION = 5000
MAX_BOOKLETS_PER_ACTION = 500


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows: a COUNT(*) over a hundred million vouchers takes seconds."""

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP + 1].count()


def masked(code: str) -> str:
    """K7QM-••••-••••-8RTC: enough to tell vouchers apart on the phone, not enough to spend one."""
    return f"{code[:4]}-••••-••••-{code[-4:]}" if len(code) == codes.LENGTH else "—"


def euros(cents) -> str:
    return formats.euros(cents) if cents is not None else "—"


def voucher_filter(term: str) -> tuple[Q | None, str]:
    """A Q on Voucher for a serial, an order's serial prefix or a code; (None, why) otherwise."""
    term = (term or "").strip()
    if match := SERIAL.match(term):
        year, order_id, sequence = int(match.group(1)), int(match.group(2)), match.group(3)
        where = Q(order_id=order_id, order__valid_from__year=year)
        return (where & Q(sequence=int(sequence)) if sequence else where), ""
    try:
        return Q(code=codes.normalise(term)), ""
    except codes.CodeError as exc:
        return None, f"{exc} {SEARCH_HELP}"


class SearchedByVoucher:
    """Lists of up to a hundred million rows: counts capped, and a search finds by a voucher's serial or
    code (voucher_filter), never by a scan; `found(queryset, where, term)` keeps the rows it points to."""

    search_help_text = SEARCH_HELP
    paginator = CappedCountPaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        where, problem = voucher_filter(term)
        if where is None:
            self.message_user(request, problem, messages.WARNING)
            return queryset.none(), False
        return self.found(queryset, where, term), False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        max_length=250,
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": "Indiquez le motif."},
    )


def with_reason(modeladmin, request, queryset, *, title: str, intro: str, submit: str, limit: int, apply):
    """An admin action that asks for a reason on an intermediate page, then calls `apply(queryset, reason)`."""
    count = queryset.count() if limit is None else queryset[: limit + 1].count()
    if limit is not None and count > limit:
        modeladmin.message_user(
            request, f"Sélectionnez au plus {limit} éléments à la fois : rien n'a été modifié.", messages.ERROR
        )
        return None
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        try:
            with transaction.atomic():  # all the selection, or nothing
                apply(queryset, form.cleaned_data["reason"])
        except DomainError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "submit": submit,
        "form": form,
        "objects": list(queryset[:20]),
        "more": max(0, count - 20),
        "count": count,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across") == "1",
    }
    return TemplateResponse(request, "vouchers/admin/action_reason.html", context)


def _stop_action(*, lift: bool, description: str, title: str, intro: str, limit: int):
    """The back office's stop and lift actions, on vouchers or on booklets (whose `vouchers_of`
    gives their vouchers), all through lifecycle.stop."""

    @admin.action(description=description, permissions=["stop"])
    def action(modeladmin, request, queryset):
        def apply(selected, reason):
            vouchers = modeladmin.vouchers_of(selected)
            count = lifecycle.stop(vouchers=vouchers, actor=request.user, reason=reason, lift=lift)
            done = (
                f"Opposition levée sur {formats.count(count, 'chèque')}."
                if lift
                else f"{formats.count(count, 'chèque')} mis en opposition."
            )
            modeladmin.message_user(request, done, messages.SUCCESS)

        submit = "Lever l'opposition" if lift else "Mettre en opposition"
        return with_reason(
            modeladmin, request, queryset, title=title, intro=intro, submit=submit, limit=limit, apply=apply
        )

    return action


class NumberedAdmin:
    """Lists showing each row's number, where a search for a number (`NUMBER`, whose first group is the
    primary key) finds that row alone."""

    NUMBER = r"(\d+)"

    def get_search_results(self, request, queryset, search_term):
        if match := re.fullmatch(self.NUMBER, search_term.strip()):
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="n°", ordering="pk")
    def number(self, obj):
        return obj.pk


# --- Orders -----------------------------------------------------------------------------------


# An order's terms that stay as created (with its funder); its label, cap per service and rules stay editable.
FIXED_TERMS = ["quantity", "face_value_cents", "booklet_size", "activation", "valid_from", "valid_until", "grace_until"]


class OrderAdminForm(forms.ModelForm):
    """A new order's terms are checked by issuance.order_check at the end of validation, so that its
    French refusals show on the form; OrderAdmin.save_model then creates it with issuance.order_create."""

    DATES_HELP = {
        "valid_from": "Laissez vide pour aujourd'hui.",
        "valid_until": "Laissez vide pour le 31 décembre de l'année de début.",
        "grace_until": "Laissez vide pour le 31 janvier suivant.",
    }

    class Meta:
        model = Order
        fields = ["funder", "label", *FIXED_TERMS, "max_vouchers_per_act", *issuance.RULE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = None
        if self.instance.pk is None:
            for name, help_text in self.DATES_HELP.items():
                if name in self.fields:
                    self.fields[name].required = False
                    self.fields[name].help_text = help_text

    def _post_clean(self):
        if self.instance.pk is not None:
            return super()._post_clean()
        if self.errors:
            return None
        data = self.cleaned_data
        arguments = {
            name: data[name]
            for name in (*FIXED_TERMS, "max_vouchers_per_act", "label")
            if name in data and data[name] not in (None, "")
        }
        rules = {name: list(data.get(name) or []) for name in issuance.RULE_FIELDS}
        terms = {"funder": data["funder"], **arguments, **rules}
        try:
            issuance.order_check(**terms)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            self.terms = terms
        return None


@admin.register(Order)
class OrderAdmin(NumberedAdmin, admin.ModelAdmin):
    NUMBER = r"(?:\d{4}\s*-\s*)?0*(\d{1,9})"  # 42, or the order's serial 2026-00042
    form = OrderAdminForm
    list_display = ["number", "funder", "label", "quantity", "face_value", "valid_until", "grace_until", "issued"]
    list_filter = [("issued_at", admin.EmptyFieldListFilter), "booklet_size", "activation"]
    search_fields = ["funder__name", "label"]
    list_select_related = ["funder"]
    autocomplete_fields = ["funder", "rule_communes", "rule_epcis"]
    filter_horizontal = ["rule_departements", "rule_regions", "rule_typologies", "rule_categories"]
    actions = ["issue"]
    MONEY_FIELDS = ["funder", *FIXED_TERMS]
    fieldsets = [
        (None, {"fields": ["funder", "label"]}),
        ("Chèques", {"fields": ["quantity", "face_value_cents", "booklet_size", "activation"]}),
        ("Validité", {"fields": ["valid_from", "valid_until", "grace_until"]}),
        (
            "Règles d'utilisation",
            {
                "description": "Vérifiées à chaque encaissement ; une règle vide ne restreint rien. Une zone "
                "(communes, EPCI, départements, régions) est acceptée si le lieu est dans l'une d'elles.",
                "fields": [
                    "max_vouchers_per_act",
                    "rule_communes",
                    "rule_epcis",
                    "rule_departements",
                    "rule_regions",
                    "rule_typologies",
                    "rule_categories",
                ],
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, ("Suivi", {"fields": ["created_by", "created_at", "issued_at", "contents"]})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.MONEY_FIELDS, "created_by", "created_at", "issued_at", "contents"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new order: created by the service, with its rules; `obj` becomes it for the log and the redirect.
        obj.pk = issuance.order_create(actor=request.user, **form.terms).pk
        obj.refresh_from_db()
        return None

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
        # A new order's rules were set by order_create.

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="valeur faciale", ordering="face_value_cents")
    def face_value(self, obj):
        return euros(obj.face_value_cents)

    @admin.display(description="émise", boolean=True, ordering="issued_at")
    def issued(self, obj):
        return obj.issued_at is not None

    @admin.display(description="carnets et chèques")
    def contents(self, obj):
        if not obj.issued_at:
            return "Pas encore émise."
        booklets = reverse("admin:vouchers_booklet_changelist") + "?" + urlencode({"order": obj.pk})
        vouchers = reverse("admin:vouchers_voucher_changelist") + "?" + urlencode({"order": obj.pk})
        return format_html(
            '<a href="{}">Voir les {} carnets</a> · <a href="{}">voir les {} chèques</a>',
            booklets,
            obj.quantity // obj.booklet_size,
            vouchers,
            obj.quantity,
        )

    @admin.action(description="Émettre les chèques des commandes sélectionnées", permissions=["issue"])
    def issue(self, request, queryset):
        for order in queryset.order_by("pk"):
            try:
                issued = issuance.order_issue(order=order, actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Commande n° {issued.pk} émise : {issued.quantity} chèques en "
                    f"{issued.quantity // issued.booklet_size} carnets.",
                    messages.SUCCESS,
                )

    def has_issue_permission(self, request):
        return request.user.has_perm("vouchers.change_order")


# --- Booklets and vouchers --------------------------------------------------------------------


@admin.register(Booklet)
class BookletAdmin(SearchedByVoucher, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "order", "number", "first_serial", "last_serial", "size"]
    list_select_related = ["order__funder"]
    search_fields = ["order__funder__name"]
    search_help_text = SEARCH_HELP + " Le carnet qui contient ce chèque est trouvé."
    actions = ["stop", "lift"]

    def found(self, queryset, where, term):
        serial = SERIAL.match(term)
        if serial and not serial.group(3):  # an order's serial prefix: all its booklets
            return queryset.filter(order_id=int(serial.group(2)), order__valid_from__year=int(serial.group(1)))
        voucher = Voucher.objects.filter(where).select_related("order").first()
        if voucher is None:
            return queryset.none()
        return queryset.filter(order_id=voucher.order_id, number=voucher.booklet_number)

    @admin.display(description="premier chèque")
    def first_serial(self, obj):
        return obj.order.serial(obj.first_sequence)

    @admin.display(description="dernier chèque")
    def last_serial(self, obj):
        return obj.order.serial(obj.first_sequence + obj.size - 1)

    def vouchers_of(self, booklets):
        where = Q()
        for booklet in booklets:
            where |= Q(order_id=booklet.order_id, sequence__gte=booklet.first_sequence) & Q(
                sequence__lt=booklet.first_sequence + booklet.size
            )
        return Voucher.objects.filter(where) if where else Voucher.objects.none()

    stop = _stop_action(
        lift=False,
        description="Mettre en opposition les chèques des carnets (perte, vol)",
        title="Mettre des carnets en opposition",
        intro="Les chèques non utilisés de ces carnets ne pourront plus être encaissés. Les chèques déjà utilisés "
        "ou expirés ne changent pas.",
        limit=MAX_BOOKLETS_PER_ACTION,
    )
    lift = _stop_action(
        lift=True,
        description="Lever l'opposition sur les chèques des carnets",
        title="Lever l'opposition sur des carnets",
        intro="Les chèques en opposition de ces carnets reviennent à leur état d'avant (ou expirent si leur date "
        "limite est passée).",
        limit=MAX_BOOKLETS_PER_ACTION,
    )

    def has_stop_permission(self, request):
        return request.user.has_perm("vouchers.change_voucher")


class VoucherEventInline(ReadOnlyMixin, admin.TabularInline):
    model = VoucherEvent
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "redemption"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]


@admin.register(Voucher)
class VoucherAdmin(SearchedByVoucher, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["serial", "masked_code", "status", "funder", "face_value", "booklet", "redemption_link"]
    list_filter = ["status"]
    list_select_related = ["order__funder"]
    search_fields = ["code"]  # replaced by get_search_results: serial or code, exact
    fields = ["serial", "masked_code", "status", "status_before_stop", "order", "booklet", "funder", "face_value"]
    readonly_fields = fields
    inlines = [VoucherEventInline]
    actions = ["stop", "lift"]

    def found(self, queryset, where, term):
        return queryset.filter(where)

    def vouchers_of(self, vouchers):
        return vouchers

    @admin.display(description="numéro")
    def serial(self, obj):
        return obj.serial

    @admin.display(description="code")
    def masked_code(self, obj):
        return masked(obj.code)

    @admin.display(description="commanditaire")
    def funder(self, obj):
        return obj.order.funder

    @admin.display(description="valeur")
    def face_value(self, obj):
        return euros(obj.order.face_value_cents)

    @admin.display(description="carnet")
    def booklet(self, obj):
        return obj.booklet_number

    @admin.display(description="utilisation")
    def redemption_link(self, obj):
        if obj.redemption_id is None:
            return "—"
        url = reverse("admin:vouchers_redemption_change", args=[obj.redemption_id])
        return format_html('<a href="{}">n° {}</a>', url, obj.redemption_id)

    stop = _stop_action(
        lift=False,
        description="Mettre en opposition (perte, vol)",
        title="Mettre des chèques en opposition",
        intro="Ces chèques ne pourront plus être encaissés. Les chèques déjà utilisés ou expirés ne changent pas.",
        limit=MAX_VOUCHERS_PER_ACTION,
    )
    lift = _stop_action(
        lift=True,
        description="Lever l'opposition",
        title="Lever l'opposition",
        intro="Ces chèques reviennent à leur état d'avant l'opposition (ou expirent si leur date limite est passée).",
        limit=MAX_VOUCHERS_PER_ACTION,
    )

    def has_stop_permission(self, request):
        return request.user.has_perm("vouchers.change_voucher")


@admin.register(VoucherEvent)
class VoucherEventAdmin(SearchedByVoucher, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "voucher_serial", "from_status", "to_status", "actor", "reason", "redemption"]
    list_filter = ["to_status"]
    list_select_related = ["voucher__order", "actor"]
    search_fields = ["reason"]  # replaced: by the voucher's serial or code

    def found(self, queryset, where, term):
        return queryset.filter(voucher__in=Voucher.objects.filter(where).values("pk"))

    @admin.display(description="chèque")
    def voucher_serial(self, obj):
        return obj.voucher.serial


# --- Redemptions and ratings ------------------------------------------------------------------


class RedemptionLineInline(ReadOnlyMixin, admin.TabularInline):
    model = RedemptionLine
    extra = 0
    fields = ["voucher_serial", "amount", "is_cancelled"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("voucher__order")

    @admin.display(description="chèque")
    def voucher_serial(self, obj):
        return obj.voucher.serial

    @admin.display(description="valeur")
    def amount(self, obj):
        return euros(obj.amount_cents)


class CancelledFilter(admin.SimpleListFilter):
    title = "annulée"
    parameter_name = "annulee"

    def lookups(self, request, model_admin):
        return [("oui", "Annulée"), ("non", "Non annulée")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(cancelled_at__isnull=False)
        if self.value() == "non":
            return queryset.filter(cancelled_at__isnull=True)
        return queryset


@admin.register(Redemption)
class RedemptionAdmin(NumberedAdmin, ReadOnlyMixin, admin.ModelAdmin):
    NUMBER = r"\s*n?°?\s*(\d{1,12})\s*"  # 137 or n° 137
    list_display = [
        "number",
        "created_at",
        "provider",
        "place",
        "offer",
        "voucher_count",
        "price",
        "covered",
        "cancelled",
    ]
    list_filter = [CancelledFilter]
    list_select_related = ["provider", "place", "offer"]
    search_fields = ["provider__name", "place__name"]
    date_hierarchy = "created_at"
    paginator = CappedCountPaginator
    show_full_result_count = False
    inlines = [RedemptionLineInline]
    exclude = ["idempotency_key"]

    @admin.display(description="prix", ordering="price_cents")
    def price(self, obj):
        return euros(obj.price_cents)

    @admin.display(description="payé en chèques", ordering="covered_cents")
    def covered(self, obj):
        return euros(obj.covered_cents)

    @admin.display(description="annulée", boolean=True)
    def cancelled(self, obj):
        return obj.cancelled_at is not None


class RatingStatusFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return Rating._meta.get_field("status").choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


def _moderation_action(service, *, description: str, title: str, intro: str, submit: str, done: str):
    """The back office's hide and show actions on ratings, each rating through `service`."""

    @admin.action(description=description, permissions=["moderate"])
    def action(modeladmin, request, queryset):
        def apply(selected, reason):
            chosen = list(selected)
            for rating in chosen:
                service(rating=rating, actor=request.user, reason=reason)
            modeladmin.message_user(
                request,
                f"{formats.count(len(chosen), 'avis', 'avis')} {formats.plural(len(chosen), done)}.",
                messages.SUCCESS,
            )

        return with_reason(
            modeladmin, request, queryset, title=title, intro=intro, submit=submit, limit=500, apply=apply
        )

    return action


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "place", "offer", "score", "status", "short_comment"]
    list_filter = [RatingStatusFilter, "score"]
    list_select_related = ["place", "offer"]
    search_fields = ["comment", "place__name"]
    fields = [
        "created_at",
        "place",
        "offer",
        "redemption",
        "score",
        "comment",
        "status",
        "moderation_reason",
        "moderated_by",
        "moderated_at",
    ]
    readonly_fields = fields
    actions = ["hide", "show"]

    @admin.display(description="commentaire")
    def short_comment(self, obj):
        return obj.comment if len(obj.comment) <= 80 else obj.comment[:79] + "…"

    hide = _moderation_action(
        ratings.rating_hide,
        description="Masquer les avis sélectionnés",
        title="Masquer des avis",
        intro="Un avis masqué ne compte plus dans la note du lieu et son commentaire n'est plus publié.",
        submit="Masquer",
        done="masqué",
    )
    show = _moderation_action(
        ratings.rating_show,
        description="Publier les avis sélectionnés",
        title="Publier des avis",
        intro="Un avis publié compte dans la note du lieu et son commentaire apparaît sur la fiche du lieu.",
        submit="Publier",
        done="publié",
    )

    def has_moderate_permission(self, request):
        return request.user.has_perm("vouchers.change_rating")
