"""A sponsor package's add-on places (Gold: 5 passes and 2 gala places): the contact gives
them to the people of its slots, free for them, until they are used up."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from addons.models import AddOnBooking
from delegations.models import Package, PackageAddOn, PackagePasses
from delegations.services import AddOnPlacesUsedUp, fill_slot, sync_package_slots
from pricing.models import CodeUse
from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.addons.factories import make_add_on
from tests.factories import make_category, make_delegate
from tests.registrations.admin.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold():
    category = make_category()  # EUR 500
    gala = make_add_on(category.event, price=Decimal("120"), capacity=50)
    package = Package.objects.create(
        event=category.event, name="Gold", sponsor="Steppe Gold LLP", contact=make_delegate(),
        cutoff=timezone.now() + datetime.timedelta(days=3),
    )  # fmt: skip
    PackagePasses.objects.create(package=package, category=category, count=5)
    places = PackageAddOn.objects.create(package=package, add_on=gala, count=2)
    sync_package_slots(package)
    package.refresh_from_db()
    return package, gala, places


def _post(client, package, position, places, email):
    return client.post(
        f"/en/my/packages/{package.pk}/slots/{position}/",
        {"email": email, "first_name": "Алия", "last_name": "Серикова", "consent_privacy": "on",
         "add_on_place": str(places.pk)},
    )  # fmt: skip


def test_two_gala_places_are_given_free_and_a_third_is_refused(client, gold):
    package, gala, places = gold
    client.force_login(package.contact)
    form = client.get(f"/en/my/packages/{package.pk}/slots/1/").content.decode()
    assert "2 of 2 left" in form

    assert _post(client, package, 1, places, "one@steppegold.kz").status_code == 302
    assert "1 of 2 left" in client.get(f"/en/my/packages/{package.pk}/slots/2/").content.decode()
    assert _post(client, package, 2, places, "two@steppegold.kz").status_code == 302

    for registration in Registration.objects.filter(email__endswith="@steppegold.kz"):
        assert registration.price == 0
        assert registration.add_on_bookings.get().status == AddOnBooking.Status.CONFIRMED
        kinds = list(registration.price_lines.order_by("position").values_list("kind", "amount"))
        assert kinds == [
            ("category", Decimal("500.00")),
            ("code", Decimal("-500.00")),
            ("add_on", Decimal("120.00")),
            ("included", Decimal("-120.00")),
        ]
    assert package.slots.filter(add_on=gala).count() == 2

    # A third, from a form shown before the second was given: refused, nothing saved.
    refused = _post(client, package, 3, places, "three@steppegold.kz")

    assert refused.status_code == 409
    assert "All the package&#x27;s places for this add-on have been given." in (
        refused.content.decode()
    )
    assert not Registration.objects.filter(email="three@steppegold.kz").exists()
    assert package.slots.get(position=3).registration_id is None
    assert AddOnBooking.objects.filter(add_on=gala).count() == 2
    assert CodeUse.objects.filter(code=package.code).count() == 2
    # The slot can still be filled without the add-on.
    client.post(
        f"/en/my/packages/{package.pk}/slots/3/",
        {"email": "three@steppegold.kz", "first_name": "A", "last_name": "B",
         "consent_privacy": "on"},
    )  # fmt: skip
    assert package.slots.get(position=3).registration.price == 0


def test_the_refusal_is_a_translatable_message(gold):
    package, gala, places = gold
    places.count = 0
    places.save()
    slot = package.slots.select_related("package__code", "category").get(position=1)

    with translation.override("ru"), pytest.raises(AddOnPlacesUsedUp) as refusal:
        fill_slot(
            slot, acting_user=package.contact, email="x@steppegold.kz",
            profile={"first_name": "X", "last_name": "Y"}, consent_privacy=True, language="ru",
            add_on=gala,
        )  # fmt: skip

    assert str(refusal.value.message) == str(AddOnPlacesUsedUp.default_message)
    assert not Registration.objects.filter(email="x@steppegold.kz").exists()


def test_the_admin_shows_used_and_unused_add_on_places_per_package(gold):
    package, gala, places = gold
    slot = package.slots.select_related("package__code", "category").get(position=1)
    fill_slot(
        slot, acting_user=package.contact, email="one@steppegold.kz",
        profile={"first_name": "A", "last_name": "B"}, consent_privacy=True, language="en",
        add_on=gala,
    )  # fmt: skip
    call_command("setup_roles", verbosity=0)
    client = Client()
    client.force_login(make_staff("sec@example.com", group=SECRETARIAT))

    changelist = client.get("/en/admin/delegations/package/").content.decode()
    change = client.get(f"/en/admin/delegations/package/{package.pk}/change/").content.decode()

    assert '<td class="field-add_on_places_used">1</td>' in changelist
    assert '<td class="field-add_on_places_unused">1</td>' in changelist
    assert re.search(r'class="field-used">\s*<p>1</p>', change)
    assert re.search(r'class="field-unused">\s*<p>1</p>', change)
