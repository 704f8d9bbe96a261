"""The delegate's visa letter page and the panel on their registration page.

Views translate between HTTP and the services: the form checks shape (and shows the rules'
messages at once), the services decide.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minex.ratelimit import limit_posts_per_user
from registrations.selectors import get_delegate_registration

from . import selectors, services
from .forms import VisaRequestForm
from .models import VisaRequest


def visa_panel(request, registration) -> dict | None:
    """The registration page's visa section (a `DetailPanel`): the latest request's status,
    the too-late warning and the petition number; or a link to request a letter when the
    registration asks for one and none is open. One query."""
    visa_request = selectors.latest_request(registration)
    if visa_request is None and not (registration.visa_letter_needed and registration.is_active):
        return None
    return {
        "visa_request": visa_request,
        "can_request": registration.is_active
        and registration.visa_letter_needed
        and (visa_request is None or not visa_request.is_open),
    }


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def visa_request(request, reference):
    """Request a letter (a new request) or correct an open request's details; see its status."""
    registration = get_delegate_registration(request.user, reference)
    open_request = selectors.open_request(registration)
    latest = open_request or selectors.latest_request(registration)
    can_request = registration.is_active and registration.visa_letter_needed
    form = None
    status = 200
    if open_request is not None and not open_request.passport_data_wiped:
        initial = {name: getattr(open_request, name) for name in VisaRequest.DELEGATE_FIELDS}
        form = VisaRequestForm(
            request.POST or None, initial=initial, event=registration.event, now=timezone.now()
        )
    elif open_request is None and can_request:
        initial = {"nationality": registration.nationality}
        form = VisaRequestForm(
            request.POST or None, initial=initial, event=registration.event, now=timezone.now()
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, _("A visa letter cannot be requested for this registration."))
            return redirect("registration_detail", reference=registration.reference)
        status = 400
        if form.is_valid():
            try:
                if open_request is None:
                    services.request_visa_letter(
                        registration, acting_user=request.user, **form.values()
                    )
                    done = _("Your request for a visa invitation letter has been sent.")
                else:
                    services.update_passport_details(
                        open_request, acting_user=request.user, **form.values()
                    )
                    done = _("Your details have been saved.")
            except services.AlreadyRequested:
                # A second click or a replayed form: the first one made the request.
                messages.info(
                    request, _("Your request for a visa invitation letter has been sent.")
                )
                return redirect("visa_request", reference=registration.reference)
            except services.VisaError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("visa_request", reference=registration.reference)
    return render(
        request,
        "visas/visa_request.html",
        {
            "registration": registration,
            "visa_request": latest,
            "open_request": open_request,
            "form": form,
            "letter": selectors.current_letter(latest) if latest is not None else None,
        },
        status=status,
    )


@login_required
@require_POST
@limit_posts_per_user("delegate_forms")
def visa_request_withdraw(request, reference):
    """Withdraw the registration's open request (the page's button posts here)."""
    registration = get_delegate_registration(request.user, reference)
    open_request = selectors.open_request(registration)
    if open_request is None:
        messages.info(request, _("You have no open visa letter request."))
    else:
        try:
            services.withdraw_visa_request(open_request, acting_user=request.user)
        except services.VisaError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Your visa letter request has been withdrawn."))
    return redirect("visa_request", reference=registration.reference)


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)
