"""The API's shapes. Registrations carry the export columns (exports/columns.py) as fields,
computed by the columns' own Python values in the request's language: the CSV and the API
never disagree about what "Status" or "Country" says."""

import zoneinfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Event, Forum
from exports.columns import COLUMNS, DATETIME, ExportContext
from registrations.models import DelegateCategory, Registration


class ForumSerializer(serializers.ModelSerializer):
    class Meta:
        model = Forum
        fields = ["id", "slug", "code", "name", "summary", "region", "established_year"]


class EventSerializer(serializers.ModelSerializer):
    forum = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    registration_state = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id", "slug", "forum", "edition_number", "year", "title", "tagline", "city",
            "country", "venue", "start_date", "end_date", "time_zone", "status",
            "registration_opens_at", "registration_closes_at", "registration_state",
        ]  # fmt: skip

    def get_registration_state(self, event) -> str:
        return event.registration_state()


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = DelegateCategory
        fields = [
            "id", "code", "name", "description", "price", "currency", "early_bird_price",
            "early_bird_deadline", "requires_approval", "is_open", "display_order",
        ]  # fmt: skip


def columns_context() -> ExportContext:
    """The columns' labels in the active language. Dates are not read from it: the API gives
    them as ISO 8601 in the event's zone with the offset, not as naive local times."""

    class _Anywhere:
        tz = zoneinfo.ZoneInfo("UTC")

    return ExportContext.for_event(_Anywhere())


@extend_schema_field(
    {
        "type": "object",
        "description": "The attendee export's columns, in the request's language. Columns of "
        "special personal data appear only for tokens whose user may see them.",
        "properties": {
            name: {
                "type": "string",
                "nullable": True,
                "description": str(column.label),
                **({"format": "date-time"} if column.kind == DATETIME else {}),
            }
            for name, column in COLUMNS.items()
        },
    }
)
class ColumnsField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, registration):
        context = self.context["columns_context"]
        values = {}
        for name in self.context["column_names"]:
            column = COLUMNS[name]
            if column.kind == DATETIME:
                moment = getattr(registration, column.fields[0])
                values[name] = (
                    moment.astimezone(registration.event.tz).isoformat() if moment else None
                )
            else:
                value = column.value(registration, context)
                values[name] = None if value is None else str(value)
        return values


class RegistrationSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    columns = ColumnsField()

    class Meta:
        model = Registration
        fields = [
            "id", "reference", "event", "category", "status", "language", "created_at",
            "updated_at", "checked_in_at", "columns",
        ]  # fmt: skip
        read_only_fields = fields


class RegistrationFilters(serializers.Serializer):
    """The list's query parameters: the admin changelist's filters."""

    forum = serializers.SlugField(required=False, help_text=_("A forum's slug."))
    event = serializers.SlugField(required=False, help_text=_("An event's slug."))
    category = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Registration.Status.choices, required=False)
    country = serializers.CharField(required=False, max_length=2, min_length=2)
    visa_letter_needed = serializers.BooleanField(required=False, allow_null=True, default=None)
    checked_in = serializers.BooleanField(required=False, allow_null=True, default=None)
    created_after = serializers.DateField(required=False)
    created_before = serializers.DateField(required=False)
    search = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Reference, name, e-mail address or organisation."),
    )


class OnBehalfSerializer(serializers.Serializer):
    """A registration made on a delegate's behalf. Only the shape is described here: the
    fields are checked by the admin's on-behalf form (`OnBehalfForm`) and the rules by
    `register_on_behalf`, as for the secretariat's page."""

    event = serializers.IntegerField()
    category = serializers.IntegerField()
    email = serializers.EmailField()
    title = serializers.CharField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True)
    last_name = serializers.CharField(required=False, allow_blank=True)
    latin_name = serializers.CharField(required=False, allow_blank=True)
    job_title = serializers.CharField(required=False, allow_blank=True)
    organisation = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], required=False, allow_blank=True
    )
    dietary_needs = serializers.CharField(required=False, allow_blank=True)
    accessibility_needs = serializers.CharField(required=False, allow_blank=True)
    visa_letter_needed = serializers.BooleanField(required=False, default=False)
    nationality = serializers.CharField(required=False, allow_blank=True)
    how_heard = serializers.CharField(required=False, allow_blank=True)
    consent_privacy = serializers.BooleanField()
    consent_attendee_list = serializers.BooleanField(required=False, default=False)
    consent_marketing = serializers.BooleanField(required=False, default=False)
    approve_now = serializers.BooleanField(required=False, default=False)
    override_window = serializers.BooleanField(required=False, default=False)
    override_capacity = serializers.BooleanField(required=False, default=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
