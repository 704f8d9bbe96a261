"""The registration POST's cost: its queries, counted for a returning delegate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ProfileHistory
from legal.policies import current_privacy_policy
from mail.models import OutgoingEmail
from registrations.models import Registration
from tests.factories import make_category, make_delegate, make_event, make_registration

# transaction=True: the view's transaction is a real one, as in production, not a savepoint
# inside the test's; the count is what the database really sees.
pytestmark = pytest.mark.django_db(transaction=True)

# The whole POST, session and user included: duplicated reads (event, category, the active
# registration, the profile) or a profile rewrite that changes nothing push it past this.
# 15 for registrations' own work, +1 for each receiver of registration_created that writes:
# the badges app's badge and (BADGES_TICKET_EMAIL, off in the test settings) its ticket
# e-mail, one INSERT each; pricing's look-up of the event's group discounts (with no
# code, sector or discount it stores nothing); the add-ons section's look-up of the event's
# add-ons on offer and the add-ons' price-line provider's look-up of priced bookings, asked
# by pricing (with none ticked, nothing is locked or written).
MAX_REGISTER_POST_QUERIES = 20


def _returning_delegate():
    """A delegate who registered for an earlier event; the form sends their profile unchanged."""
    delegate = make_delegate(
        first_name="Aigerim", last_name="Nurlanova", country="KZ", preferred_language="en"
    )
    make_registration(make_category(make_event()), delegate=delegate)
    return delegate


def test_register_post_for_returning_delegate_stays_within_query_budget(client):
    delegate = _returning_delegate()
    category = make_category(make_event())
    client.force_login(delegate)
    profile = delegate.delegate_profile
    form = {
        "category": str(category.pk),
        "title": profile.title,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "latin_name": profile.latin_name,
        "job_title": profile.job_title,
        "organisation": profile.organisation,
        "country": profile.country,
        "phone": profile.phone,
        "consent_privacy": "on",
        "privacy_policy_version": current_privacy_policy().version,
    }
    history_before = ProfileHistory.objects.filter(user=delegate).count()
    url = f"/en/events/{category.event.slug}/register/"

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, form)

    assert response.status_code == 302
    registration = Registration.objects.get(event=category.event, delegate=delegate)
    assert registration.first_name == "Aigerim"
    assert OutgoingEmail.objects.filter(related_id=str(registration.pk)).count() == 2
    assert ProfileHistory.objects.filter(user=delegate).count() == history_before
    # The request's own work, through its commit; what follows is after-commit (rendering the
    # e-mails outside the lock, and the test settings' eager delivery).
    statements = [query["sql"] for query in queries.captured_queries]
    # BEGIN and COMMIT are not counted: every transaction has them.
    through_commit = [
        sql for sql in statements[: statements.index("COMMIT")] if sql not in ("BEGIN",)
    ]
    assert len(through_commit) <= MAX_REGISTER_POST_QUERIES, "\n".join(
        statement[:160] for statement in through_commit
    )


# A delegate whose details changed: the profile is read, then locked and written with its
# history row, in the view's transaction without a savepoint of its own. 18 for the
# registration itself; billing's issuer lookup (a paid category), the badge's INSERT,
# pricing's group-discount look-up, the add-ons section's and price lines' look-ups make 23;
# the API's webhook receiver looks up the forum's subscriptions (one SELECT; the deliveries'
# INSERT only when someone subscribed): 24.
MAX_REGISTER_POST_QUERIES_WITH_NEW_DETAILS = 24


def test_register_post_with_new_details_writes_profile_without_a_savepoint(client):
    delegate = _returning_delegate()
    category = make_category(make_event())
    client.force_login(delegate)
    form = {
        "category": str(category.pk),
        "first_name": "Aigerim",
        "last_name": "Nurlanova-Seitkali",
        "country": "KZ",
        "consent_privacy": "on",
        "privacy_policy_version": current_privacy_policy().version,
    }
    url = f"/en/events/{category.event.slug}/register/"

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, form)

    assert response.status_code == 302
    registration = Registration.objects.get(event=category.event, delegate=delegate)
    assert registration.last_name == "Nurlanova-Seitkali"
    assert ProfileHistory.objects.filter(user=delegate, changes__has_key="last_name").exists()
    statements = [query["sql"] for query in queries.captured_queries]
    through_commit = [
        sql for sql in statements[: statements.index("COMMIT")] if sql not in ("BEGIN",)
    ]
    # One savepoint: the registration's insert (a reference drawn twice is retried).
    assert sum(sql.startswith("SAVEPOINT") for sql in through_commit) == 1
    assert len(through_commit) <= MAX_REGISTER_POST_QUERIES_WITH_NEW_DETAILS, "\n".join(
        statement[:160] for statement in through_commit
    )
