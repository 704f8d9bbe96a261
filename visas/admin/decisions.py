"""The buttons on a visa request's change page: start review, record the petition number (a
small form), issue the letter, refuse (with a reason), withdraw (with a reason).

Each calls its service for the one request, so the rules, the history row and the e-mail are
the service's. A button is shown only when the request's status allows its service and the
user holds the change permission; a stale page still posts, and the service's refusal comes
back as a message, the request unchanged. Buttons that ask for something link to a small
page with the form, which then posts; a POST with bad input gets the page again with 400.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
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
from ..forms import PetitionNumberForm, ReasonForm
from ..models import VisaRequest

Status = VisaRequest.Status


@dataclass(frozen=True)
class DecisionButton:
    name: str  # the URL's last segment and the URL name's suffix
    label: Promise
    # Read here only to decide whether to show the button: the service decides again.
    shown_for: Callable[[VisaRequest], bool]
    form: type[forms.Form] | None = None
    done: Promise = _("Done.")

    def url_name(self, opts) -> str:
        return f"{opts.app_label}_{opts.model_name}_{self.name.replace('-', '_')}"


START_REVIEW = DecisionButton(
    "start-review",
    _("Start review"),
    lambda r: r.status == Status.REQUESTED,
    done=_("Request %(number)s is in review."),
)
RECORD_PETITION = DecisionButton(
    "record-petition",
    _("Record petition number…"),
    lambda r: r.status in (Status.REQUESTED, Status.IN_REVIEW, Status.PETITION_FILED),
    form=PetitionNumberForm,
    done=_("The petition number of request %(number)s was recorded."),
)
ISSUE_LETTER = DecisionButton(
    "issue-letter",
    _("Issue the letter"),
    lambda r: (
        r.status in (Status.PETITION_FILED, Status.LETTER_ISSUED) and not r.passport_data_wiped
    ),
    done=_("A letter for request %(number)s was issued; it is being rendered."),
)
REFUSE = DecisionButton(
    "refuse",
    _("Refuse…"),
    lambda r: r.is_open,
    form=ReasonForm,
    done=_("Request %(number)s was refused."),
)
WITHDRAW = DecisionButton(
    "withdraw",
    _("Withdraw…"),
    lambda r: r.is_open,
    form=ReasonForm,
    done=_("Request %(number)s was withdrawn."),
)

BUTTONS = (START_REVIEW, RECORD_PETITION, ISSUE_LETTER, REFUSE, WITHDRAW)


def buttons_for(modeladmin, request, visa_request: VisaRequest) -> list[tuple[DecisionButton, str]]:
    """The buttons the change page shows for `visa_request` to this user, with their URLs."""
    if not modeladmin.has_change_permission(request, visa_request):
        return []
    opts = modeladmin.model._meta
    return [
        (
            button,
            reverse(
                f"{modeladmin.admin_site.name}:{button.url_name(opts)}",
                args=[quote(visa_request.pk)],
            ),
        )
        for button in BUTTONS
        if button.shown_for(visa_request)
    ]


def _call_service(button: DecisionButton, visa_request: VisaRequest, *, user, values: dict):
    if button is START_REVIEW:
        return services.start_review(visa_request, acting_user=user)
    if button is RECORD_PETITION:
        return services.record_petition(
            visa_request, petition_number=values["petition_number"], acting_user=user
        )
    if button is ISSUE_LETTER:
        return services.issue_letter(visa_request, acting_user=user)
    if button is REFUSE:
        return services.refuse_visa_request(visa_request, reason=values["reason"], acting_user=user)
    return services.withdraw_visa_request(visa_request, acting_user=user, reason=values["reason"])


def decision_view(modeladmin, request, object_id: str, button: DecisionButton):
    """Run `button`'s service for one request and go back to its change page with a message
    saying what happened (or why nothing did)."""
    opts = modeladmin.model._meta
    visa_request = modeladmin.get_object(request, unquote(object_id))
    if visa_request is None:  # not in the user's forums, or no such id
        return modeladmin._get_obj_does_not_exist_redirect(request, opts, object_id)
    if not modeladmin.has_change_permission(request, visa_request):
        raise PermissionDenied
    change_page = redirect(f"admin:{opts.app_label}_{opts.model_name}_change", visa_request.pk)
    values = {}
    if button.form is not None:
        if not button.shown_for(visa_request):
            modeladmin.message_user(
                request,
                gettext("This visa letter request is %(status)s; this action is not possible.")
                % {"status": visa_request.get_status_display().lower()},
                messages.ERROR,
            )
            return change_page
        form = button.form(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            status = 400 if request.method == "POST" else 200
            return _form_page(modeladmin, request, visa_request, button, form, status=status)
        values = form.cleaned_data
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        _call_service(button, visa_request, user=request.user, values=values)
    except services.VisaError as error:
        modeladmin.message_user(request, str(error.message), messages.ERROR)
    else:
        modeladmin.message_user(
            request, str(button.done) % {"number": visa_request.number}, messages.SUCCESS
        )
    return change_page


def _form_page(modeladmin, request, visa_request, button, form, *, status=200):
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"{str(button.label).rstrip('…')}: {visa_request.number}",
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "original": visa_request,
        "visa_request": visa_request,
        "button": button,
        "form": form,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(
        request, "admin/visas/visarequest/decision_form.html", context, status=status
    )
