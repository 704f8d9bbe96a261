"""The API's endpoints: thin, as every view here — the services decide, the selectors read.

Public (no token): forums, events and their categories, in the requested language (`?lang=`,
else Accept-Language). Staff (a token): registrations of the forums the token's user sees
(`events_visible_to`; another forum's registration is 404, as in the admin), through the
same services as the admin, refusals as translated problems (api/problems.py).
"""

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from events.selectors import events_visible_to
from registrations import services as registration_services
from registrations.admin.forms import OnBehalfForm

from . import selectors
from .permissions import HasScope, scope_for
from .serializers import (
    CategorySerializer,
    EventSerializer,
    ForumSerializer,
    OnBehalfSerializer,
    ProblemSerializer,
    ReasonSerializer,
    RegistrationFilters,
    RegistrationSerializer,
    columns_context,
)

LANGUAGE_PARAMETER = OpenApiParameter(
    "lang",
    str,
    enum=[code for code, _name in settings.LANGUAGES],
    description="The language of texts and labels (else Accept-Language, else English).",
)
PROBLEM = OpenApiResponse(ProblemSerializer, description="A problem (RFC 9457), translated.")


class LanguageMixin:
    """`?lang=ru` wins over Accept-Language, for clients that cannot set headers."""

    def initial(self, request, *args, **kwargs):
        language = request.query_params.get("lang", "")
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)


@extend_schema(parameters=[LANGUAGE_PARAMETER])
class ForumViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ForumSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        return selectors.api_forums()


@extend_schema(parameters=[LANGUAGE_PARAMETER])
class EventViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Published and archived editions (drafts are never public)."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        return selectors.api_events()

    @extend_schema(responses=CategorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def categories(self, request, slug=None):
        event = self.get_object()
        serializer = CategorySerializer(selectors.api_categories(event), many=True)
        return Response(serializer.data)


class RegistrationCursor(CursorPagination):
    """Newest first by id: unique and indexed, so the last page costs what the first does."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(
    parameters=[LANGUAGE_PARAMETER],
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 429: PROBLEM},
)
class RegistrationViewSet(
    LanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Registrations of the forums the token's user sees."""

    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated, HasScope]
    pagination_class = RegistrationCursor

    def required_scope(self) -> str:
        return scope_for(self.action)

    def column_names(self) -> list[str]:
        if not hasattr(self, "_column_names"):
            self._column_names = selectors.column_names_for(self.request.user)
        return self._column_names

    def filters(self) -> dict:
        if self.action != "list":
            return {}
        checked = RegistrationFilters(data=self.request.query_params)
        checked.is_valid(raise_exception=True)
        return checked.validated_data

    def get_queryset(self):
        return selectors.registrations_for(
            self.request.user, self.filters(), column_names=self.column_names()
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "column_names": self.column_names(),
            "columns_context": columns_context(),
        }

    @extend_schema(parameters=[RegistrationFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _respond(self, registration, status_code=status.HTTP_200_OK):
        # Read again through the list's queryset: the columns' annotations, the same shape.
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(self.get_serializer(registration).data, status=status_code)

    @extend_schema(
        request=OnBehalfSerializer,
        responses={
            201: RegistrationSerializer,
            200: RegistrationSerializer,
            400: PROBLEM,
            409: PROBLEM,
        },
        description="Register a delegate on their behalf (as the admin's on-behalf page): "
        "201 with the new registration, or 200 with the one the delegate already holds.",
    )
    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise ValidationError(_("Send a JSON object."))
        shape = OnBehalfSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        events = events_visible_to(request.user)
        form = OnBehalfForm(
            {name: value for name, value in request.data.items() if value is not None},
            events=events,
        )
        if not form.is_valid():
            raise ValidationError(
                {
                    field: [str(message) for message in messages]
                    for field, messages in form.errors.items()
                }
            )
        result = registration_services.register_on_behalf(
            form.cleaned_data["event"],
            email=form.cleaned_data["email"],
            category=form.cleaned_data["category"],
            acting_user=request.user,
            profile=form.profile(),
            override_window=form.cleaned_data["override_window"],
            override_capacity=form.cleaned_data["override_capacity"],
            **form.registration_options(),
        )
        return self._respond(
            result.registration, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    @extend_schema(request=None, responses={200: RegistrationSerializer, 409: PROBLEM})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        registration = self.get_object()
        registration = registration_services.approve_registration(
            registration, acting_user=request.user
        )
        return self._respond(registration)

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, 409: PROBLEM})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        registration = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        registration = registration_services.reject_registration(
            registration, reason=reason.validated_data.get("reason", ""), acting_user=request.user
        )
        return self._respond(registration)

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, 409: PROBLEM})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        registration = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        registration = registration_services.cancel_registration(
            registration, reason=reason.validated_data.get("reason", ""), acting_user=request.user
        )
        return self._respond(registration)

    @extend_schema(request=None, responses={200: RegistrationSerializer, 409: PROBLEM})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        registration = self.get_object()
        registration = registration_services.check_in_registration(
            registration, acting_user=request.user
        )
        return self._respond(registration)


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class DocumentationView(TemplateView):
    """Swagger UI, vendored (api/static/api/vendor/swagger-ui), started by a static script:
    no CDN, nothing inline. Its CSS draws icons as data: images, allowed on this page only."""

    template_name = "api/docs.html"
