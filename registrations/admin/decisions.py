"""The buttons on a registration's change page: approve, reject (with a reason), check in,
send the status e-mail again.

Each calls the same service as its bulk action (`actions.py`) for the one registration, so
the rules, the history row and the e-mail are the service's. A button is shown only when the
registration's status allows its service and the user holds the change permission; a stale
page (someone else acted first) still posts, and the service's refusal comes back as a
message, the registration unchanged. Every button posts (with the CSRF token) except
"Reject…", a link to a small page asking for the reason, which then posts.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Registration
from .forms import RejectForm

Status = Registration.Status


@dataclass(frozen=True)
class DecisionButton:
    name: str  # the URL's last segment and the URL name's suffix
    label: Promise
    # The statuses the service accepts (its `_require_status`), read here only to decide
    # whether to show the button: the service decides again under its lock.
    shown_for: Callable[[Registration], bool]
    asks_reason: bool = False

    def url_name(self, opts) -> str:
        return f"{opts.app_label}_{opts.model_name}_{self.name.replace('-', '_')}"


APPROVE = DecisionButton("approve", _("Approve"), lambda r: r.status == Status.PENDING)
REJECT = DecisionButton(
    "reject",
    _("Reject…"),
    lambda r: r.status in (Status.PENDING, Status.WAITLISTED),
    asks_reason=True,
)
CHECK_IN = DecisionButton(
    "check-in",
    _("Check in"),
    lambda r: r.status == Status.CONFIRMED and r.checked_in_at is None,
)
# Any status has an e-mail: received, confirmed, waitlisted, rejected or cancelled.
RESEND_EMAIL = DecisionButton("resend-email", _("Send the status e-mail again"), lambda r: True)

BUTTONS = (APPROVE, REJECT, CHECK_IN, RESEND_EMAIL)


def buttons_for(
    modeladmin, request, registration: Registration
) -> list[tuple[DecisionButton, str]]:
    """The buttons the change page shows for `registration` to this user, with their URLs."""
    if not modeladmin.has_change_permission(request, registration):
        return []
    opts = modeladmin.model._meta
    return [
        (
            button,
            reverse(
                f"{modeladmin.admin_site.name}:{button.url_name(opts)}",
                args=[quote(registration.pk)],
            ),
        )
        for button in BUTTONS
        if button.shown_for(registration)
    ]


def _done_message(button: DecisionButton, registration: Registration) -> str:
    values = {"reference": registration.reference, "name": registration.full_name}
    if button is APPROVE:
        return gettext("%(name)s's registration %(reference)s was approved.") % values
    if button is REJECT:
        return gettext("%(name)s's registration %(reference)s was rejected.") % values
    if button is CHECK_IN:
        return gettext("%(name)s was checked in.") % values
    return gettext("The status e-mail to %(email)s was queued to be sent again.") % {
        "email": registration.email
    }


def _call_service(button: DecisionButton, registration: Registration, *, user, reason=""):
    if button is APPROVE:
        return services.approve_registration(registration, acting_user=user)
    if button is REJECT:
        return services.reject_registration(registration, reason=reason, acting_user=user)
    if button is CHECK_IN:
        return services.check_in_registration(registration, acting_user=user)
    return services.resend_registration_email(registration, acting_user=user)


def decision_view(modeladmin, request, object_id: str, button: DecisionButton):
    """Run `button`'s service for one registration and go back to its change page with a
    message saying what happened (or why nothing did)."""
    opts = modeladmin.model._meta
    registration = modeladmin.get_object(request, unquote(object_id))
    if registration is None:  # not in the user's forums, or no such id
        return modeladmin._get_obj_does_not_exist_redirect(request, opts, object_id)
    if not modeladmin.has_change_permission(request, registration):
        raise PermissionDenied
    change_page = redirect(f"admin:{opts.app_label}_{opts.model_name}_change", registration.pk)

    form = None
    if button.asks_reason:
        if not button.shown_for(registration):
            # No reason to ask for: the service's refusal for this status, without asking.
            modeladmin.message_user(
                request,
                gettext("This registration is %(status)s; this action is not possible.")
                % {"status": registration.get_status_display().lower()},
                messages.ERROR,
            )
            return change_page
        form = RejectForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            # The first GET asks; a POST without a usable reason is bad input (400).
            status = 400 if request.method == "POST" else 200
            return _reason_page(modeladmin, request, registration, form, status=status)
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])

    return _run(modeladmin, request, registration, change_page, button, form)


def _run(modeladmin, request, registration, change_page, button, form):
    reason = form.cleaned_data["reason"] if form is not None else ""
    try:
        registration = _call_service(button, registration, user=request.user, reason=reason)
    except services.RegistrationError as error:
        modeladmin.message_user(request, str(error.message), messages.ERROR)
    else:
        modeladmin.message_user(request, _done_message(button, registration), messages.SUCCESS)
    return change_page


def _reason_page(modeladmin, request, registration, form, *, status=200):
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reject registration %(reference)s") % {"reference": registration.reference},
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "original": registration,
        "registration": registration,
        "form": form,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(
        request, "admin/registrations/registration/reject_one.html", context, status=status
    )
