"""Whatever a delegate (or a bot) sends to the registration form, the answer is a page with a
reason — never a server error — and a valid submission always leaves exactly one registration."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legal.policies import current_privacy_policy
from registrations.models import Registration
from tests.factories import make_category, make_delegate

pytestmark = pytest.mark.django_db

FIELDS = [
    "category", "title", "first_name", "last_name", "latin_name", "job_title", "organisation",
    "country", "phone", "dietary_needs", "accessibility_needs", "visa_letter_needed",
    "nationality", "how_heard", "consent_privacy", "consent_attendee_list", "consent_marketing",
    "privacy_policy_version",
]  # fmt: skip

# Text a person could type, plus what a bot or a broken client sends.
any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="әғқңөұүһіӘҒҚҢӨҰҮҺІабвгдеёжзийклмнопрстуфхцчшщъыьэюя -'", max_size=120),
    st.sampled_from(["", " ", "=HYPERLINK(\"http://x\")", "+7 701 234 5678", "KZ", "on",
                     "\x00", "\r\n", "💎" * 50, "x" * 5000, "-1", "999999999999999999999"]),
)  # fmt: skip

submissions = st.dictionaries(st.sampled_from(FIELDS), any_text, max_size=len(FIELDS))

SETTINGS = settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=submissions)
def test_any_submission_gets_an_answer_not_a_server_error(client, data):
    category = make_category()
    delegate = make_delegate()
    client.force_login(delegate)
    response = client.post(f"/en/events/{category.event.slug}/register/", data)
    assert response.status_code in (302, 400, 409), response.status_code
    assert Registration.objects.filter(delegate=delegate).count() <= 1


@SETTINGS
@given(
    first_name=st.text(min_size=1, max_size=100).filter(lambda s: s.strip() and s.isprintable()),
    organisation=st.text(max_size=200).filter(str.isprintable),
    dietary=st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=500),
)
def test_valid_submission_with_any_printable_text_registers_once(
    client, first_name, organisation, dietary
):
    category = make_category()
    delegate = make_delegate()
    client.force_login(delegate)
    data = {
        "category": str(category.pk),
        "first_name": first_name,
        "last_name": "Nurlanova",
        "organisation": organisation,
        "dietary_needs": dietary,
        "consent_privacy": "on",
        "privacy_policy_version": current_privacy_policy().version,
    }
    response = client.post(f"/en/events/{category.event.slug}/register/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    registration = Registration.objects.get(delegate=delegate)
    assert registration.first_name == first_name.strip()
