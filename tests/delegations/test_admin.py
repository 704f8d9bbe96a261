"""The secretariat's delegations and packages in the admin: scoped to the forums one sees,
the VIP list export, used and unused places, constant queries per changelist."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from delegations.models import Package, PackagePasses, ProtocolRank
from delegations.services import Member, register_delegation, sync_package_slots
from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_forum
from tests.registrations.admin.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles():
    call_command("setup_roles", verbosity=0)


def delegation(category, size, tag):
    minister = ProtocolRank.objects.get(name_en="Minister")
    return register_delegation(
        category.event,
        focal_point=make_delegate(f"focal-{tag}@gov.kz"),
        name=f"Ministry {tag}",
        members=[
            Member(
                email=f"{tag}-{n}@gov.kz",
                profile={"first_name": "Серик", "last_name": f"Министров{n}"},
                category=category,
                rank=minister if n == 0 else None,
            )
            for n in range(size)
        ],
        consent_privacy=True,
        language="en",
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_vip_list_is_scoped_to_the_forums_one_sees(roles):
    forum = make_forum()
    category = make_category(make_event(forum))
    delegation(category, 2, "a")
    organiser = make_staff("org@example.com", group=ORGANISER, forums=[forum])
    stranger = make_staff("other@example.com", group=ORGANISER, forums=[make_forum()])
    url = f"/en/admin/delegations/delegation/vip-list/{category.event.pk}/"

    response = client_for(organiser).get(url)

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Minister" in text and "Министров0" in text and "Министров1" not in text
    assert client_for(stranger).get(url).status_code == 404


@pytest.mark.parametrize("changelist", ["delegation", "package"])
def test_changelists_make_the_same_queries_for_one_and_three_rows(roles, changelist):
    secretariat = make_staff("sec@example.com", group=SECRETARIAT)
    category = make_category()
    client = client_for(secretariat)

    def add(tag):
        if changelist == "delegation":
            delegation(category, 2, tag)
            return
        package = Package.objects.create(
            event=category.event, name="Gold", sponsor=f"Sponsor {tag}",
            contact=make_delegate(f"contact-{tag}@example.com"),
            cutoff=timezone.now() + datetime.timedelta(days=2),
        )  # fmt: skip
        PackagePasses.objects.create(package=package, category=category, count=5)
        sync_package_slots(package)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/en/admin/delegations/{changelist}/")
        assert response.status_code == 200
        return len(captured), response.content.decode()

    add("a")
    one, _page = queries()
    add("b")
    add("c")
    three, page = queries()
    assert one == three
    if changelist == "package":
        assert page.count('<td class="field-unused">5</td>') == 3
