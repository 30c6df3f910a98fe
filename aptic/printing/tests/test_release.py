import pytest
from django.db import IntegrityError, transaction

from aptic.core.errors import DomainError
from aptic.jobs.models import JobStatus
from aptic.printing.models import PrintFile, PrintRelease
from aptic.printing.services import order_print_release


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_paid_release_issues_if_needed_and_prints_in_the_background(make_order, staff):
    order = make_order(quantity=20, issue=False)
    release = order_print_release(order=order, user=staff, reason="paid")
    order.refresh_from_db()
    assert order.issued_at is not None
    release.job.refresh_from_db()
    assert release.job.status == JobStatus.DONE and release.job.organisation == order.funder
    assert PrintFile.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_release_once_per_order(make_order, staff):
    order = make_order()
    order_print_release(order=order, user=staff, reason="paid")
    with pytest.raises(DomainError, match="déjà libérée"):
        order_print_release(order=order, user=staff, reason="early", justification="Mairie")
    with pytest.raises(IntegrityError), transaction.atomic():
        PrintRelease.objects.create(order=order, reason="paid")


@pytest.mark.django_db
def test_early_release_needs_a_justification(make_order, staff):
    order = make_order()
    with pytest.raises(DomainError, match="avant son paiement"):
        order_print_release(order=order, user=staff, reason="early", justification="   ")
    with pytest.raises(DomainError, match="inconnu"):
        order_print_release(order=order, user=staff, reason="free")
    assert not PrintRelease.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        PrintRelease.objects.create(order=order, reason="early", justification="")
    release = order_print_release(order=order, user=staff, reason="early", justification="Paiement à 30 jours (CCAS)")
    assert release.get_reason_display().startswith("Libérée avant paiement")
