"""Posting to the ledger: the only way money moves (ADR 0002)."""

from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from aptic.core import clock
from aptic.core.errors import DomainError
from aptic.core.generations import local_get, local_set

from .models import Account, AccountKind, Entry, Transaction

ACCOUNT_IDS_SECONDS = 24 * 3600

PLATFORM_ACCOUNTS = {
    "platform:bank": ("Banque #APTIC", AccountKind.ASSET),
    "platform:fees": ("Frais de gestion", AccountKind.REVENUE),
    "platform:vat": ("TVA collectée", AccountKind.LIABILITY),
    "platform:territorial_fund": ("Fonds territorial pour l'innovation sociale et numérique", AccountKind.LIABILITY),
}


def account_for(*, code: str, name: str, kind: str, organisation=None, organisation_id=None) -> Account:
    account, _ = Account.objects.get_or_create(
        code=code,
        defaults={
            "name": name[:200],
            "kind": kind,
            "organisation_id": organisation.pk if organisation is not None else organisation_id,
        },
    )
    return account


def accounts_for(specs: list[dict]) -> list[Account]:
    """Several accounts in one query (creating the missing ones): specs are account_for's arguments."""
    found = {a.code: a for a in Account.objects.filter(code__in=[s["code"] for s in specs])}
    return [found.get(spec["code"]) or account_for(**spec) for spec in specs]


def account_ids_for(specs: list[dict]) -> list[int]:
    """accounts_for's ids, kept in the cache and in the process's memory: an account's code never
    changes nor is it deleted (append-only books), so the mapping holds for good. For the
    counter's hot path."""
    keys = [f"ledger:account:{spec['code']}" for spec in specs]
    found = {key: value for key in keys if (value := local_get(key)) is not None}
    if len(found) == len(keys):
        return [found[key] for key in keys]
    found.update(cache.get_many([key for key in keys if key not in found]))
    if len(found) < len(keys):
        accounts = accounts_for(specs)
        found = {key: account.pk for key, account in zip(keys, accounts, strict=True)}
        # At commit only: an account created in a transaction that rolls back must not be remembered.
        transaction.on_commit(lambda: cache.set_many(found, None))
    transaction.on_commit(lambda: [local_set(key, value, ACCOUNT_IDS_SECONDS) for key, value in found.items()])
    return [found[key] for key in keys]


def platform_account(code: str) -> Account:
    name, kind = PLATFORM_ACCOUNTS[code]
    return account_for(code=code, name=name, kind=kind)


def funder_account(organisation) -> Account:
    """What the platform holds for or owes a funder (its payments, less what was issued, plus credit)."""
    return account_for(
        code=f"funder:{organisation.pk}",
        name=f"Commanditaire {organisation.name}",
        kind=AccountKind.LIABILITY,
        organisation=organisation,
    )


def provider_payable_spec(organisation) -> dict:
    """What the platform owes a provider for the vouchers it accepted."""
    return {
        "code": f"provider:{organisation.pk}:payable",
        "name": f"À reverser à {organisation.name}",
        "kind": AccountKind.LIABILITY,
        "organisation_id": organisation.pk,
    }


def provider_payable_account(organisation) -> Account:
    return account_for(**provider_payable_spec(organisation))


def balanced_entries(lines: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(account id, cents) lines merged per account, zeros dropped; refused unless they balance."""
    merged: dict[int, int] = defaultdict(int)
    for account_id, amount in lines:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise DomainError("Un montant d'écriture doit être un nombre entier de centimes.")
        merged[account_id] += amount
    entries = [(account_id, amount) for account_id, amount in merged.items() if amount != 0]
    if len(entries) < 2:
        raise DomainError("Une écriture comptable doit mouvementer au moins deux comptes.")
    if sum(amount for _, amount in entries) != 0:
        raise DomainError("Écriture déséquilibrée : la somme des débits et des crédits doit être nulle.")
    return entries


def transaction_post(
    *, kind: str, description: str, reference: str, lines: Iterable[tuple[Account | int, int]], actor=None, at=None
) -> Transaction:
    """One balanced transaction. Lines (an account or its id, cents) on the same account are merged;
    a line of 0 is dropped. `at`: the moment of the movement it records (now by default, never to come)."""
    entries = balanced_entries((getattr(account, "pk", account), amount) for account, amount in lines)
    at = clock.moment(at)
    # Checked above, before any write; no savepoint inside another service's transaction (this runs at
    # every redemption), so a database error here aborts the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        posted = Transaction.objects.create(
            kind=kind, description=description[:250], reference=reference[:100], actor=actor, created_at=at
        )
        Entry.objects.bulk_create(
            [Entry(transaction=posted, account_id=account_id, amount_cents=amount) for account_id, amount in entries]
        )
    return posted


def transactions_post(
    *, kind: str, postings: Iterable[tuple[str, str, Iterable[tuple[Account | int, int]]]], actor=None, at=None
) -> list[Transaction]:
    """Many balanced transactions at once, in two INSERT statements (for batch jobs: a payout run
    posts thousands). `postings` are (description, reference, lines), lines as transaction_post's
    (an account or its id, cents). Each transaction is checked as transaction_post checks one, before
    any write; on PostgreSQL the deferred trigger still checks each one's balance at commit.
    Returns the transactions in the order of `postings`; all dated `at` (as transaction_post)."""
    checked = [
        (description, reference, balanced_entries((getattr(a, "pk", a), amount) for a, amount in lines))
        for description, reference, lines in postings
    ]
    if not checked:
        return []
    at = clock.moment(at)
    with transaction.atomic(savepoint=False):
        posted = Transaction.objects.bulk_create(
            [
                Transaction(
                    kind=kind, description=description[:250], reference=reference[:100], actor=actor, created_at=at
                )
                for description, reference, _ in checked
            ]
        )
        Entry.objects.bulk_create(
            [
                Entry(transaction=txn, account_id=account_id, amount_cents=amount)
                for txn, (_, _, entries) in zip(posted, checked, strict=True)
                for account_id, amount in entries
            ],
            batch_size=5000,
        )
    return posted
