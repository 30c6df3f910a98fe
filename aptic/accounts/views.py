from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aptic.core import throttle
from aptic.core.access import authenticated, public
from aptic.core.errors import DomainError

from . import selectors, services
from .forms import ApiTokenForm, InvitationAcceptForm, InvitationForm, LoginForm, ResetForm
from .models import OrganisationKind, email_key
from .permissions import organisation_required


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


login_view = public(LoginView.as_view())
logout_view = authenticated(auth_views.LogoutView.as_view())


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, counted per address and per target address once the form is valid (ADR 0018).
    Refused or not, it never says whether an account has that address."""

    def form_valid(self, form):
        verdict = throttle.sent_form_hit(
            self.request,
            scope="password_reset",
            email=email_key(form.cleaned_data["email"]),
            limits=settings.APTIC_PASSWORD_RESET_THROTTLE,
        )
        if not verdict.allowed:
            form.add_error(
                None,
                "Plusieurs demandes de nouveau mot de passe ont déjà été faites depuis cette connexion ou pour "
                f"cette adresse. Réessayez {throttle.retry_text(verdict)}, et vérifiez vos courriers indésirables.",
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        return super().form_valid(form)


password_reset = public(
    PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=ResetForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url="/compte/mot-de-passe/envoye/",
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", success_url="/compte/mot-de-passe/change/"
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@authenticated
def home(request):
    """'Mon espace': straight to the organisation's space when the user has only one."""
    memberships = list(selectors.memberships_of(request.user))
    if len(memberships) == 1 and not request.user.is_staff:
        return redirect("accounts:organisation", org_slug=memberships[0].organisation.slug)
    return render(request, "accounts/home.html", {"memberships": memberships})


# The home of a space that has a dashboard of its own (by URL name: those apps sit above this one).
SPACE_HOMES = {OrganisationKind.PROVIDER: "providers:dashboard", OrganisationKind.FUNDER: "funders:dashboard"}


@organisation_required
def organisation_home(request):
    if home := SPACE_HOMES.get(request.organisation.kind):
        return redirect(home, org_slug=request.organisation.slug)
    return _card(request)


@organisation_required
def organisation_card(request):
    """The organisation's identity card: kind, legal category, SIRET, address, the user's role."""
    return _card(request)


def _card(request):
    return render(request, "accounts/organisation_home.html", {"organisation": request.organisation})


@organisation_required
def members(request):
    form = InvitationForm()
    if request.method == "POST":
        if not request.membership.is_admin:
            raise PermissionDenied("Seuls les administrateurs de l'organisation peuvent inviter.")
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    organisation=request.organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Invitation envoyée à {invitation.email}.")
                return redirect("accounts:members", org_slug=request.organisation.slug)
    context = {
        "organisation": request.organisation,
        "members": selectors.members_of(request.organisation),
        "invitations": selectors.pending_invitations_of(request.organisation),
        "form": form,
    }
    return render(request, "accounts/members.html", context, status=400 if form.errors else 200)


@require_POST
@organisation_required(admin=True)
def invitation_revoke(request, invitation_id):
    invitation = get_object_or_404(request.organisation.invitations, pk=invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("accounts:members", org_slug=request.organisation.slug)


@require_POST
@organisation_required(admin=True)
def member_remove(request, membership_id):
    membership = get_object_or_404(request.organisation.memberships.select_related("user"), pk=membership_id)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:members", org_slug=request.organisation.slug)
    messages.success(request, f"{membership.user} ne fait plus partie de l'organisation.")
    if membership.user_id == request.user.id:
        return redirect("accounts:home")
    return redirect("accounts:members", org_slug=request.organisation.slug)


@public
def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=404)
    logged_in = request.user.is_authenticated
    form = None if logged_in else InvitationAcceptForm()
    if request.method == "POST":
        form = None if logged_in else InvitationAcceptForm(request.POST)
        if logged_in or form.is_valid():
            data = form.cleaned_data if form else {}
            try:
                membership = services.invitation_accept(
                    token=token,
                    user=request.user if logged_in else None,
                    full_name=data.get("full_name", ""),
                    password=data.get("password"),
                )
            except DomainError as exc:
                if form is not None:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.error(request, exc.message)
            else:
                if not logged_in:
                    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Bienvenue dans l'espace de {membership.organisation.name}.")
                return redirect("accounts:organisation", org_slug=membership.organisation.slug)
    status = 400 if (form is not None and form.errors) else 200
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}, status=status)


@organisation_required(kinds=[OrganisationKind.PROVIDER], admin=True)
def api_tokens(request):
    """A provider's keys for its till software: create (the key is shown once), revoke."""
    form = ApiTokenForm()
    new_key = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, new_key = services.api_token_create(
                    organisation=request.organisation, name=form.cleaned_data["name"], created_by=request.user
                )
            except DomainError as exc:
                form.add_error("name", exc.message)
            else:
                messages.success(
                    request, f"Clé « {token.name} » créée. Copiez-la maintenant : elle ne sera plus affichée."
                )
                form = ApiTokenForm()
    context = {
        "organisation": request.organisation,
        "tokens": request.organisation.api_tokens.select_related("created_by"),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)


@require_POST
@organisation_required(kinds=[OrganisationKind.PROVIDER], admin=True)
def api_token_revoke(request, token_id):
    token = get_object_or_404(request.organisation.api_tokens, pk=token_id)
    services.api_token_revoke(token=token)
    messages.success(request, f"La clé « {token.name} » est révoquée : elle ne permet plus d'appeler l'API.")
    return redirect("accounts:api_tokens", org_slug=request.organisation.slug)
