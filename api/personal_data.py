"""The API's part of a delegate's personal data (registered into `minex.personal_data` from
`ApiConfig.ready()`): the webhook deliveries whose payload carries one of their registrations
(sent to a forum's subscribed address), and their own API tokens (staff only)."""

import json
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import JSONField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from minex.personal_data import PersonalDataSource, row
from registrations.models import Registration

from .models import ApiToken, WebhookDelivery

# The person's values in a delivery's `data.registration` (webhooks.registration_payload);
# ids, reference, event, category, status, language and times stay.
ERASED_PAYLOAD = {"first_name": "", "last_name": "", "email": "", "organisation": "", "country": ""}


def deliveries_about(user):
    """Deliveries whose payload is about one of `user`'s registrations (matched on the
    registration id in the JSON body)."""
    ids = list(Registration.objects.filter(delegate=user).values_list("pk", flat=True))
    return WebhookDelivery.objects.annotate(payload=Cast("body", JSONField())).filter(
        payload__data__registration__id__in=ids
    )


def api_personal_data(user) -> dict:
    deliveries = deliveries_about(user).select_related("subscription").order_by("created_at")
    tokens = ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    return {
        "webhook_deliveries": [
            {
                "sent_to": urlsplit(delivery.subscription.url).hostname or "",
                "event": delivery.event,
                **row(delivery, ("status", "created_at", "delivered_at")),
                "registration": json.loads(delivery.body)["data"]["registration"],
            }
            for delivery in deliveries
        ],
        "api_tokens": [
            row(token, ("name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"))
            for token in tokens
        ],
    }


def erase_api_personal_data(user, *, now) -> dict:
    """Each delivery about their registrations keeps its event, status and times; its
    payload loses the person's name, address, organisation and country (one still queued is
    sent that way). Their API tokens are revoked (staff accounts are refused deletion, so
    this is for a former staff member's leftovers)."""
    emptied = 0
    for delivery in deliveries_about(user).only("pk", "body"):
        payload = json.loads(delivery.body)
        registration = payload["data"]["registration"]
        if all(registration.get(key, "") == value for key, value in ERASED_PAYLOAD.items()):
            continue
        registration.update(ERASED_PAYLOAD)
        body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(body=body)
        emptied += 1
    revoked = ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=now)
    return {"webhook_payloads_emptied": emptied, "api_tokens_revoked": revoked}


SOURCE = PersonalDataSource(
    name="api",
    label=_("Data sent to the forum's systems"),
    export=api_personal_data,
    erase=erase_api_personal_data,
    order=70,
    kept=_(
        "Records of what was sent to the forum's systems are kept without your name, e-mail "
        "address, organisation or country; any API token of yours is revoked."
    ),
)
