"""Writes about people, organisations and memberships. Every function is atomic."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock
from aptic.core.errors import DomainError

from . import token_cache
from .models import ApiToken, Invitation, Membership, Organisation, Role, User, email_key

EMAIL_MAX_LENGTH = 254


def normalise_email(raw: str) -> str:
    """Lower-cased and checked, or a DomainError in French."""
    email = email_key(raw)
    if not email:
        raise DomainError("Indiquez une adresse e-mail.", field="email")
    if len(email) > EMAIL_MAX_LENGTH:
        raise DomainError("Cette adresse e-mail est trop longue.", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("Cette adresse e-mail n'est pas valide.", field="email") from None
    return email


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def user_create(*, email: str, password: str | None, full_name: str = "", is_staff: bool = False, at=None) -> User:
    """`at`: when the account was opened (now by default, never to come)."""
    at = clock.moment(at)
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("Un compte existe déjà avec cette adresse e-mail.", field="email")
    user = User(email=email, full_name=full_name.strip()[:150], is_staff=is_staff, date_joined=at)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def organisation_create(*, kind: str, name: str, legal_category: str = "other", at=None, **fields) -> Organisation:
    """`at`: when it was registered (now by default, never to come)."""
    at = clock.moment(at)
    name = (name or "").strip()
    if not name:
        raise DomainError("Indiquez le nom de l'organisation.", field="name")
    organisation = Organisation(kind=kind, name=name[:200], legal_category=legal_category, created_at=at, **fields)
    organisation.slug = _unique_slug(name)
    try:
        organisation.full_clean(exclude=["commune"])
        organisation.save()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else (None, exc.messages)
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None
    except IntegrityError:  # a concurrent request took the same SIRET or slug between check and insert
        raise DomainError("Une organisation identique vient d'être créée : vérifiez avant de recommencer.") from None
    return organisation


PUBLIC_SIGN_UP = "Inscription en ligne"


def _audit_membership(
    action, *, actor, target, organisation, email: str, role: str, actor_label="", at=None, **details
):
    """One journal line for a change of an organisation's members (roles written in French)."""
    details = {"email": email, "role": Role(role).label, **details}
    audit_record(
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        details=details,
        actor_label=actor_label,
        at=at,
    )


def _audit_invitation(action, invitation: Invitation, *, actor, actor_label="", at=None) -> None:
    _audit_membership(
        action,
        actor=actor,
        target=invitation,
        organisation=invitation.organisation,
        email=invitation.email,
        role=invitation.role,
        actor_label=actor_label,
        at=at,
    )


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role: str = Role.MEMBER, by: User | None = None, at=None
) -> Membership:
    """Join, or become administrator if already a member; `by` is who did it, for the journal; `at`:
    since when (now by default, never to come)."""
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role, "created_at": clock.moment(at)}
    )
    if not created and membership.role != role and role == Role.ADMIN:
        previous = membership.role
        membership.role = Role.ADMIN
        membership.save(update_fields=["role"])
        _audit_membership(
            AuditAction.MEMBER_ROLE_CHANGED,
            actor=by,
            target=membership,
            organisation=organisation,
            email=user.email,
            role=Role.ADMIN,
            previous_role=Role(previous).label,
        )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    if membership.role == Role.ADMIN and organisation.memberships.filter(role=Role.ADMIN).count() <= 1:
        raise DomainError("L'organisation doit garder au moins un administrateur.")
    _audit_membership(
        AuditAction.MEMBER_REMOVED,
        actor=by,
        target=membership,
        organisation=organisation,
        email=membership.user.email,
        role=membership.role,
    )
    membership.delete()


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("accounts:invitation_accept", kwargs={"token": token})
    context = {"invitation": invitation, "link": link, "days": settings.APTIC_INVITATION_DAYS}
    send_mail(
        subject=f"Invitation à rejoindre {invitation.organisation.name} sur #APTIC",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, invited_by: User, at=None) -> Invitation:
    """Invite someone by e-mail; inviting the same address again sends a fresh link. `at`: when (now
    by default, never to come); the link lasts from then."""
    email = normalise_email(email)
    if role not in Role.values:
        raise DomainError("Choisissez un rôle valide.", field="role")
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise DomainError("Cette personne est déjà membre de l'organisation.", field="email")
    now = clock.moment(at)
    organisation.invitations.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.APTIC_INVITATION_DAYS),
    )
    # No one invites: the provider's own sign-up form.
    _audit_invitation(AuditAction.MEMBER_INVITED, invitation, actor=invited_by, actor_label=PUBLIC_SIGN_UP, at=now)
    transaction.on_commit(lambda: _send_invitation_email(invitation, token))
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation behind a link, or a DomainError saying why it cannot be used."""
    if not token or len(token) > 100:
        raise DomainError("Ce lien d'invitation n'est pas valide.")
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise DomainError("Ce lien d'invitation n'est pas valide.")
    if invitation.accepted_at:
        raise DomainError("Cette invitation a déjà été acceptée. Connectez-vous pour accéder à votre espace.")
    if invitation.revoked_at:
        raise DomainError("Cette invitation a été annulée. Demandez une nouvelle invitation.")
    if invitation.expires_at <= timezone.now():
        raise DomainError("Cette invitation a expiré. Demandez une nouvelle invitation.")
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str | None = None
) -> Membership:
    """Join the organisation: as the logged-in user, or by creating an account for the invited address."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise DomainError("Cette invitation n'est plus valable.")
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise DomainError(
                f"Cette invitation est adressée à {invitation.email}. Déconnectez-vous puis ouvrez à nouveau le lien."
            )
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(
                "Un compte existe déjà pour cette adresse : connectez-vous, puis ouvrez à nouveau le lien."
            )
        if not (full_name or "").strip():
            raise DomainError("Indiquez votre nom.", field="full_name")
        user = user_create(email=invitation.email, password=password or "", full_name=full_name)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit_invitation(AuditAction.INVITATION_ACCEPTED, invitation, actor=user)
    return membership_add(user=user, organisation=invitation.organisation, role=invitation.role, by=user)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User | None = None) -> None:
    if invitation.accepted_at:
        raise DomainError("Cette invitation a déjà été acceptée.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit_invitation(AuditAction.INVITATION_REVOKED, invitation, actor=by)


TOKEN_PREFIX = "aptic_"


@transaction.atomic
def api_token_create(*, organisation: Organisation, name: str, created_by: User) -> tuple[ApiToken, str]:
    """A new key; the clear key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Donnez un nom à la clé (par exemple : caisse de l'accueil).", field="name")
    if organisation.api_tokens.filter(name=name, revoked_at__isnull=True).exists():
        raise DomainError("Une clé active porte déjà ce nom.", field="name")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation, name=name[:100], prefix=key[:12], token_hash=hash_token(key), created_by=created_by
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token for a presented key, or None. Records its last use (at most once a minute).

    Kept in the cache (token_cache.py): every API request of a till asks, and the token, its
    organisation and its creator change rarely; each change drops the entry."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    digest = hash_token(key)
    cache_key, token = token_cache.cached_token(digest)
    if token is None:
        token = (
            ApiToken.objects.select_related("organisation", "created_by")
            .filter(token_hash=digest, revoked_at__isnull=True, organisation__is_active=True)
            .first()
        )
        if token is None:
            return None
        token_cache.token_remember(cache_key, token)
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        token_cache.token_remember(cache_key, token)
    return token
