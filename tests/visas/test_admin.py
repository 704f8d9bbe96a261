"""The secretariat's visa admin: who sees what (the permission matrix), passport data only
with `visas.view_passport_data` and every such view logged, the status buttons, scoping to
the user's forums, and a changelist whose queries do not grow with its rows."""

import datetime
import io

import pytest
from celery import current_app
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.roles import ORGANISER, ROLE_PERMISSIONS, SECRETARIAT
from tests.factories import (
    PASSPORT,
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
    make_visa_request,
)
from tests.registrations.admin.conftest import client_for, make_staff
from visas import services
from visas.models import PassportDataAccess, VisaLetter, VisaRequest

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/visas/visarequest/"
ACCESS_LOG = "/en/admin/visas/passportdataaccess/"
POLICIES = "/en/admin/visas/visapolicy/"


def change_url(request) -> str:
    return f"{CHANGELIST}{request.pk}/change/"


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def forum_a():
    return make_forum(name_en="MINEX Europe", code="EU")


@pytest.fixture
def request_a(forum_a):
    event = make_event(forum_a, start_date=timezone.localdate() + datetime.timedelta(days=40))
    registration = make_registration(
        make_category(event),
        visa_letter_needed=True,
        nationality="GB",
        delegate=make_delegate(last_name="Visitor"),
    )
    return make_visa_request(registration)


@pytest.fixture
def people(roles, forum_a):
    forum_b = make_forum(name_en="MINEX Asia", code="AS")
    return {
        "anonymous": None,
        "delegate": make_delegate("someone@example.com"),
        "organiser_a": make_staff("org-a@example.com", group=ORGANISER, forums=[forum_a]),
        "organiser_b": make_staff("org-b@example.com", group=ORGANISER, forums=[forum_b]),
        "secretariat": make_staff("sec@example.com", group=SECRETARIAT),
        "superuser": make_staff("root@example.com", is_superuser=True),
    }


def test_roles_hold_the_visa_permissions(roles):
    secretariat = set(ROLE_PERMISSIONS[SECRETARIAT])
    organiser = set(ROLE_PERMISSIONS[ORGANISER])

    assert {"visas.view_visarequest", "visas.change_visarequest", "visas.view_passport_data",
            "visas.view_passportdataaccess", "visas.view_visapolicy",
            "visas.change_visapolicy"} <= secretariat  # fmt: skip
    assert {p for p in organiser if p.startswith("visas.")} == {"visas.view_visarequest"}


# Who sees what: status code of each page for each kind of visitor.
MATRIX = {
    #                 changelist, change page, access log, policies
    "anonymous": (302, 302, 302, 302),
    "delegate": (302, 302, 302, 302),
    "organiser_a": (200, 200, 403, 403),
    "organiser_b": (200, 302, 403, 403),  # another forum's request: "does not exist"
    "secretariat": (200, 200, 200, 200),
    "superuser": (200, 200, 200, 200),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(people, request_a, who):
    client = client_for(people[who])

    codes = tuple(
        client.get(url).status_code
        for url in (CHANGELIST, change_url(request_a), ACCESS_LOG, POLICIES)
    )

    assert codes == MATRIX[who]


@pytest.mark.parametrize(
    ("who", "sees_passport"),
    [("organiser_a", False), ("secretariat", True), ("superuser", True)],
)
def test_passport_data_only_with_the_permission_and_every_view_logged(
    people, request_a, who, sees_passport
):
    user = people[who]

    page = client_for(user).get(change_url(request_a)).content.decode()

    assert (PASSPORT["passport_number"] in page) is sees_passport
    assert (PASSPORT["place_of_birth"] in page) is sees_passport
    assert "Visitor" in page  # the delegate's name is not passport data
    logged = PassportDataAccess.objects.filter(user=user, request=request_a)
    assert logged.count() == (1 if sees_passport else 0)
    if sees_passport:
        entry = logged.get()
        assert entry.what == PassportDataAccess.What.VIEWED_ADMIN
        assert entry.event == request_a.registration.event
        assert entry.user_email == user.email


def test_each_view_is_a_new_log_row_listed_in_the_admin(people, request_a):
    client = client_for(people["secretariat"])
    client.get(change_url(request_a))
    client.get(change_url(request_a))

    log_page = client.get(ACCESS_LOG).content.decode()

    assert PassportDataAccess.objects.count() == 2
    assert log_page.count("sec@example.com") >= 2
    assert "Viewed in the admin" in log_page


def test_passport_data_never_in_the_changelist(people, request_a):
    page = client_for(people["secretariat"]).get(CHANGELIST).content.decode()

    assert PASSPORT["passport_number"] not in page
    assert request_a.number in page


def test_filter_on_passport_fields_is_refused(people, request_a):
    client = client_for(people["secretariat"])

    response = client.get(f"{CHANGELIST}?sex__exact=M")

    assert response.status_code == 400


def test_organiser_has_no_buttons(people, request_a):
    page = client_for(people["organiser_a"]).get(change_url(request_a)).content.decode()

    assert "visa-request-decision" not in page
    response = client_for(people["organiser_a"]).post(f"{CHANGELIST}{request_a.pk}/start-review/")
    assert response.status_code == 403
    assert VisaRequest.objects.get(pk=request_a.pk).status == "requested"


def test_secretariat_walks_a_request_through_the_buttons(people, request_a, monkeypatch):
    published = []
    monkeypatch.setitem(
        current_app.tasks,
        services.RENDER_LETTER_TASK,
        type("T", (), {"delay": staticmethod(published.append)}),
    )
    client = client_for(people["secretariat"])
    base = f"{CHANGELIST}{request_a.pk}"

    assert "Start review" in client.get(change_url(request_a)).content.decode()
    assert client.post(f"{base}/start-review/").status_code == 302
    assert client.get(f"{base}/record-petition/").status_code == 200
    assert client.post(f"{base}/record-petition/", {"petition_number": ""}).status_code == 400
    assert client.post(f"{base}/record-petition/", {"petition_number": "KZ-77"}).status_code == 302
    assert client.post(f"{base}/issue-letter/").status_code == 302

    request_a.refresh_from_db()
    assert request_a.status == "letter_issued"
    assert request_a.petition_number == "KZ-77"
    assert VisaLetter.objects.get(request=request_a).status == "to_render"
    actors = set(
        request_a.history.exclude(action="requested").values_list("actor__email", flat=True)
    )
    assert actors == {"sec@example.com"}
    page = client.get(change_url(request_a)).content.decode()
    assert f"{request_a.number}-1" in page  # the letters inline
    assert "Review started" in page and "Petition number recorded" in page  # the history


def test_refuse_needs_a_reason(people, request_a):
    client = client_for(people["secretariat"])
    url = f"{CHANGELIST}{request_a.pk}/refuse/"

    assert client.post(url, {"reason": ""}).status_code == 400
    assert VisaRequest.objects.get(pk=request_a.pk).status == "requested"
    assert client.post(url, {"reason": "Incomplete"}).status_code == 302
    assert VisaRequest.objects.get(pk=request_a.pk).status == "refused"


def test_a_stale_button_reports_the_refusal(people, request_a):
    client = client_for(people["secretariat"])
    client.post(f"{CHANGELIST}{request_a.pk}/start-review/")

    response = client.post(f"{CHANGELIST}{request_a.pk}/start-review/", follow=True)

    assert "this action is not possible" in response.content.decode()
    assert request_a.history.count() == 2


def test_buttons_are_post_only(people, request_a):
    client = client_for(people["secretariat"])

    assert client.get(f"{CHANGELIST}{request_a.pk}/start-review/").status_code == 405


def test_organiser_of_another_forum_cannot_press_buttons(people, request_a):
    response = client_for(people["organiser_b"]).post(f"{CHANGELIST}{request_a.pk}/start-review/")

    assert response.status_code == 302  # "does not exist" for them
    assert VisaRequest.objects.get(pk=request_a.pk).status == "requested"


def test_changelist_lists_only_the_organisers_forums(people, request_a):
    assert request_a.number in client_for(people["organiser_a"]).get(CHANGELIST).content.decode()
    assert (
        request_a.number not in client_for(people["organiser_b"]).get(CHANGELIST).content.decode()
    )


def _queries(client, url) -> tuple[int, str]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize(
    "url", [CHANGELIST, CHANGELIST + "?status__exact=requested&q=Row", ACCESS_LOG]
)
def test_changelist_queries_do_not_grow_with_rows(roles, url):
    forum = make_forum()
    category = make_category(
        make_event(forum, start_date=timezone.localdate() + datetime.timedelta(days=40))
    )
    user = make_staff("sec@example.com", group=SECRETARIAT)
    client = client_for(user)

    def add(count, start):
        for n in range(start, start + count):
            registration = make_registration(
                category,
                visa_letter_needed=True,
                nationality="GB",
                delegate=make_delegate(last_name=f"Row{n}"),
            )
            request = make_visa_request(registration)
            services.log_passport_access(user, what="viewed_admin", request=request)

    add(1, 0)
    one, page_one = _queries(client, url)
    add(2, 1)
    three, page_three = _queries(client, url)

    assert page_one.count("<tr") + 2 == page_three.count("<tr")
    assert one == three, f"{one} queries with 1 row, {three} with 3"


def test_the_change_page_saves_nothing_by_post(people, request_a):
    client = client_for(people["secretariat"])

    response = client.post(change_url(request_a), {"status": "letter_issued"})

    assert response.status_code == 405
    again = VisaRequest.objects.get(pk=request_a.pk)
    assert again.status == "requested"
    assert again.updated_at == request_a.updated_at
