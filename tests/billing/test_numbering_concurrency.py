"""Invoice numbers under real concurrency: separate OS processes register at once in three
events billed by one entity (so they contend on the entity's number sequence, not on one
event's lock); every number of the year is used exactly once, with no gap."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from billing.models import Invoice
from billing.services import issue_invoice
from tests.billing.factories import make_billed_event, make_entity
from tests.factories import make_category, make_delegate
from tests.registrations.test_concurrency import submit_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_registrations_get_gapless_unique_invoice_numbers():
    entity = make_entity(invoice_prefix="GAP")
    categories = [make_category(make_billed_event(entity)) for _ in range(3)]
    jobs = [
        {"delegate": make_delegate(f"payer{n}@example.com").pk, "category": categories[n % 3].pk}
        for n in range(30)
    ]

    results = submit_at_once(jobs, workers=6)

    assert not [r for r in results if "error" in r]
    invoices = Invoice.objects.filter(entity=entity, kind=Invoice.Kind.INVOICE)
    assert invoices.count() == 30
    assert sorted(invoices.values_list("sequence_number", flat=True)) == list(range(1, 31))
    year = timezone.localdate().year
    assert {i.number for i in invoices} == {f"GAP-{year}-{n:05d}" for n in range(1, 31)}


def test_a_rolled_back_issue_leaves_no_gap():
    entity = make_entity(invoice_prefix="RB")
    category = make_category(make_billed_event(entity), requires_approval=True)
    from tests.factories import make_registration

    drafts = [Invoice.objects.get(registration=make_registration(category)) for _ in range(2)]

    with pytest.raises(RuntimeError), transaction.atomic():
        issue_invoice(drafts[0], acting_user=None)
        raise RuntimeError("the request failed after the number was drawn")
    issue_invoice(drafts[1], acting_user=None)

    drafts[0].refresh_from_db()
    drafts[1].refresh_from_db()
    assert drafts[0].status == Invoice.Status.DRAFT and drafts[0].number == ""
    assert drafts[1].sequence_number == 1


def test_threads_issuing_drafts_at_once_share_out_the_numbers():
    entity = make_entity(invoice_prefix="TH")
    category = make_category(make_billed_event(entity), requires_approval=True)
    from tests.factories import make_registration

    drafts = [Invoice.objects.get(registration=make_registration(category)) for _ in range(8)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def issue(draft):
        try:
            barrier.wait(timeout=30)
            issue_invoice(draft, acting_user=None)
        except Exception as error:  # reported below, so a failure shows its cause
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    numbers = Invoice.objects.filter(entity=entity).values_list("sequence_number", flat=True)
    assert sorted(numbers) == list(range(1, 9))
