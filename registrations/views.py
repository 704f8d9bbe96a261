"""Delegate pages: register, see, change and cancel one's own registrations.

Views translate between HTTP and the services: forms check shape, services decide.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import ProfileHistory
from accounts.selectors import get_profile, own_profile_history
from accounts.services import update_profile
from events.selectors import get_public_event
from minex.ratelimit import limit_posts_per_user

from . import extensions, selectors, services
from .calendar import calendar_filename, registration_calendar
from .forms import ProfileForm, RegistrationChangeForm, RegistrationForm, SubstitutionForm
from .models import Registration
from .templatetags.phone_format import international


def _profile_initial(user) -> dict:
    profile = get_profile(user)
    if profile is None:
        return {}
    # The details, and what the delegate told us last time (nationality, needs, whether to be
    # listed); news about future forums is asked afresh, never ticked in advance.
    names = (*RegistrationForm.PROFILE_FIELDS, *RegistrationForm.REMEMBERED_FIELDS)
    initial = {name: getattr(profile, name) for name in names}
    initial["phone"] = international(initial["phone"])
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def register(request, slug):
    event = get_public_event(slug)
    # A submission skips this read: the service looks for the registration again under the
    # event lock anyway, and hands it back (created=False) when there is one.
    existing = (
        None if request.method == "POST" else selectors.active_registration(event, request.user)
    )
    if existing is not None:
        return _already_registered(request, existing)

    state = event.registration_state()
    # Invite-only categories are offered only with a code that unlocks them: the posted
    # code, or on a GET an invitation link's ?code=… (the pricing app's gate).
    unlocked = extensions.unlocked_categories(event, request.POST or request.GET)
    categories = selectors.open_categories(event, unlocked=unlocked)
    if state != event.RegistrationState.OPEN:
        return render(request, "registrations/register_closed.html", {"event": event}, status=200)

    # Places left and the profile's values are only shown, never needed to register: a
    # successful submission skips both (two and one queries).
    availability = SimpleLazyObject(lambda: selectors.category_availability(event, categories))
    form = RegistrationForm(
        request.POST or None,
        categories=categories,
        availability=availability,
        initial=_profile_initial(request.user) if request.method == "GET" else None,
    )
    # Other apps' fieldsets (billing details for a paid category, registrations.extensions):
    # a submission validates only those of the chosen category; the page lists them lazily
    # from the categories already loaded for the availability figures.
    section_forms = {}
    form_sections = SimpleLazyObject(
        lambda: extensions.bound_form_sections(
            request.POST or None,
            [option.category for option in availability.values()],
            forms=section_forms,
            query=request.GET,
        )
    )
    status = 200
    if request.method == "POST":
        status = 400
        sections_data = None
        if form.is_valid():
            sections_data = extensions.clean_form_sections(
                request.POST, form.cleaned_data["category"], forms=section_forms
            )
        if sections_data is not None:
            try:
                registration, created = _register(request, event, form, sections_data)
            except services.RegistrationError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                if not created:
                    return _already_registered(request, registration)
                return redirect("registration_done", reference=registration.reference)
    context = {
        "event": event,
        "form": form,
        "form_sections": form_sections,
        "availability": availability,
        "payment_instructions": SimpleLazyObject(
            lambda: selectors.payment_instructions(availability)
        ),
        "all_full": availability and all(option.full for option in availability.values()),
    }
    return render(request, "registrations/register.html", context, status=status)


def _already_registered(request, registration):
    messages.info(request, _("You are already registered for this forum."))
    return redirect("registration_detail", reference=registration.reference)


def _register(request, event, form, form_sections: dict) -> tuple[Registration, bool]:
    """Save the profile part and register, as one unit: a refusal leaves the profile as it was.

    The registration's e-mails come in the page's language, which becomes the profile's
    preferred language too, so the profile page says what the delegate will receive."""
    with transaction.atomic():
        update_profile(
            request.user,
            channel=ProfileHistory.Channel.REGISTRATION,
            acting_user=request.user,
            preferred_language=get_language(),
            **form.profile_values(),
        )
        registration, created = services.register_delegate(
            event,
            delegate=request.user,
            category=form.cleaned_data["category"],
            consent_privacy=form.cleaned_data["consent_privacy"],
            language=get_language(),
            form_sections=form_sections,
            **form.registration_values(),
        )
    return registration, created


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def my_profile(request):
    """The delegate's own profile: their details, the language of their e-mails, their
    consents, and every change made to it (by them or the secretariat)."""
    profile = get_profile(request.user)
    initial = None
    if request.method == "GET" and profile is not None:
        initial = {name: getattr(profile, name) for name in ProfileForm.field_order}
        initial["phone"] = international(initial["phone"])
    elif request.method == "GET":
        initial = {"preferred_language": get_language()}
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_own_profile(request.user, **form.profile_values())
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("my_profile")
    context = {
        "form": form,
        "profile": profile,
        "history": own_profile_history(request.user),
        "privacy_consent": selectors.last_privacy_consent(request.user),
    }
    return render(request, "registrations/my_profile.html", context, status=status)


@login_required
def registration_done(request, reference):
    registration = selectors.get_delegate_registration(request.user, reference)
    return render(
        request,
        "registrations/registration_done.html",
        {
            "registration": registration,
            "waitlist_position": selectors.waitlist_position(registration),
            "panels": extensions.confirmation_panels(request, registration),
        },
    )


@login_required
def my_registrations(request):
    registrations = list(selectors.delegate_registrations(request.user))
    return render(request, "registrations/my_registrations.html", {"registrations": registrations})


@login_required
def registration_detail(request, reference):
    registration = selectors.get_delegate_registration(request.user, reference)
    return render(
        request,
        "registrations/registration_detail.html",
        {
            "registration": registration,
            "waitlist_position": selectors.waitlist_position(registration),
            "history": selectors.visible_history(registration),
            "can_change": services.delegate_may_change(registration),
            "can_substitute": services.may_substitute(registration),
            "panels": extensions.detail_panels(request, registration),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def registration_change(request, reference):
    registration = selectors.get_delegate_registration(request.user, reference)
    if not services.delegate_may_change(registration):
        messages.error(request, _("This registration can no longer be changed online."))
        return redirect("registration_detail", reference=registration.reference)
    initial = {name: getattr(registration, name) for name in RegistrationChangeForm.field_order}
    initial["phone"] = international(initial["phone"])
    form = RegistrationChangeForm(
        request.POST or None, initial=initial, latin_name=registration.latin_name
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.change_own_registration(
                    registration, delegate=request.user, **form.changes()
                )
            except services.RegistrationError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("Your changes have been saved."))
                return redirect("registration_detail", reference=registration.reference)
    return render(
        request,
        "registrations/registration_change.html",
        {"registration": registration, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def registration_cancel(request, reference):
    registration = selectors.get_delegate_registration(request.user, reference)
    if not registration.is_active:
        messages.info(request, _("This registration is already closed."))
        return redirect("registration_detail", reference=registration.reference)
    # GET asks once; the page's one button POSTs (with its CSRF token) and cancels.
    refusal = None
    if request.method == "POST":
        try:
            services.cancel_registration(registration, acting_user=request.user)
        except services.RegistrationError as error:
            refusal = error.message
        else:
            messages.success(request, _("Your registration has been cancelled."))
            return redirect("registration_detail", reference=registration.reference)
    return render(
        request,
        "registrations/registration_cancel.html",
        {"registration": registration, "refusal": refusal},
        status=409 if refusal else 200,
    )


@login_required
def registration_calendar_file(request, reference):
    registration = selectors.get_delegate_registration(request.user, reference)
    if not registration.is_active:
        # A cancelled or rejected delegate is not coming: no calendar entry to offer.
        raise Http404("This registration is no longer active.")
    response = HttpResponse(registration_calendar(registration), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{calendar_filename(registration)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def registration_substitute(request, reference):
    """The delegate hands their own registration to a colleague (until the event's cut-off,
    not after check-in: `services.substitute_registration` decides)."""
    registration = selectors.get_delegate_registration(request.user, reference)
    response = substitution_page(
        request,
        registration,
        back_url=reverse("registration_detail", args=[registration.reference]),
        template="registrations/registration_substitute.html",
    )
    if response.status_code == 302:
        # The registration is no longer theirs: their list is where they can still look.
        return redirect("my_registrations")
    return response


def substitution_page(request, registration, *, back_url: str, template: str, context=None):
    """The substitution form for `registration`, shared with the delegation's focal point's
    page: refusals (cut-off, check-in, someone already registered) as the form's message
    with a 409, bad input as field errors with a 400; success redirects to `back_url`."""
    if not services.may_substitute(registration):
        messages.error(request, str(services.SubstitutionClosed.default_message))
        return redirect(back_url)
    form = SubstitutionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.substitute_registration(
                    registration,
                    new_person=form.new_person(),
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    consent_privacy=form.cleaned_data["consent_privacy"],
                )
            except services.RegistrationError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                new_name = f"{form.cleaned_data['first_name']} {form.cleaned_data['last_name']}"
                messages.success(
                    request,
                    _("The registration has been handed over to %(name)s.") % {"name": new_name},
                )
                return redirect(back_url)
    return render(
        request,
        template,
        {"registration": registration, "form": form, "back_url": back_url, **(context or {})},
        status=status,
    )
