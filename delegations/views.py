"""The focal point's pages ("My delegation": register, list, change, cancel, hand over) and
the sponsor contact's (fill the package's slots). Forms check shape; services decide."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from addons.selectors import event_add_ons
from events.selectors import get_public_event
from minex.ratelimit import limit_posts_per_user
from registrations import services as registration_services
from registrations.views import substitution_page

from . import selectors, services
from .forms import (
    DEFAULT_ROWS,
    MAX_ROWS,
    BaseMemberFormSet,
    DelegationForm,
    MemberChangeForm,
    MemberForm,
    SlotForm,
)
from .models import ProtocolRank


def _rows(request) -> int:
    try:
        rows = int(request.GET.get("rows", DEFAULT_ROWS))
    except ValueError:
        rows = DEFAULT_ROWS
    return min(max(rows, 1), MAX_ROWS)


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def register_delegation(request, slug):
    """A focal point registers several people at once (`services.register_delegation`)."""
    event = get_public_event(slug)
    if event.registration_state() != event.RegistrationState.OPEN:
        return render(request, "registrations/register_closed.html", {"event": event})
    rows = _rows(request)
    formset_class = django_forms.formset_factory(
        MemberForm, formset=BaseMemberFormSet, extra=rows, max_num=MAX_ROWS, validate_max=True,
        absolute_max=MAX_ROWS,
    )  # fmt: skip
    now = timezone.now()
    form_kwargs = {
        "categories": selectors.delegation_categories(event),
        "ranks": ProtocolRank.objects.all(),
        "add_ons": [
            add_on
            for add_on in event_add_ons(event.pk)
            if add_on.on_sale(now) and not (add_on.asks_ppe_size or add_on.asks_passport_name)
        ],
    }
    data = request.POST if request.method == "POST" else None
    form = DelegationForm(data)
    formset = formset_class(data, prefix="members", form_kwargs=form_kwargs)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            filled = [row for row in formset.forms if row.has_changed()]
            members = [
                services.Member(
                    email=row.cleaned_data["email"],
                    profile=row.profile(),
                    category=row.cleaned_data["category"],
                    rank=row.cleaned_data["rank"],
                    form_sections=services.member_form_sections(
                        code=row.cleaned_data["code"],
                        add_ons=row.chosen_add_ons(),
                        group_size=len(filled),
                    ),
                )
                for row in filled
            ]
            try:
                delegation = services.register_delegation(
                    event,
                    focal_point=request.user,
                    name=form.cleaned_data["name"],
                    members=members,
                    consent_privacy=form.cleaned_data["consent_privacy"],
                    language=get_language(),
                )
            except registration_services.RegistrationError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your delegation is registered. Each person has received an e-mail."),
                )
                return redirect("delegation_detail", pk=delegation.pk)
    context = {
        "event": event,
        "form": form,
        "formset": formset,
        "more_rows_url": f"{request.path}?rows={min(rows + 2, MAX_ROWS)}",
        "can_add_rows": rows < MAX_ROWS,
    }
    return render(request, "delegations/register.html", context, status=status)


@login_required
def my_delegations(request):
    return render(
        request,
        "delegations/my_delegations.html",
        {
            "delegations": selectors.delegations_of(request.user),
            "packages": selectors.packages_of(request.user),
        },
    )


@login_required
def delegation_detail(request, pk):
    delegation = selectors.get_own_delegation(request.user, pk)
    members = selectors.delegation_members(delegation)
    for member in members:
        member.registration.event = delegation.event
        member.can_change = registration_services.delegate_may_change(member.registration)
        member.can_substitute = registration_services.may_substitute(member.registration)
    return render(
        request,
        "delegations/delegation_detail.html",
        {"delegation": delegation, "members": members},
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def member_change(request, pk, reference):
    delegation = selectors.get_own_delegation(request.user, pk)
    member = selectors.get_member(delegation, reference)
    back = reverse("delegation_detail", args=[delegation.pk])
    registration = member.registration
    if not registration_services.delegate_may_change(registration):
        messages.error(request, _("This registration can no longer be changed online."))
        return redirect(back)
    initial = {name: getattr(registration, name) for name in services.MEMBER_EDITABLE_DETAILS}
    initial["rank"] = member.rank
    form = MemberChangeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_member(
                    member,
                    acting_user=request.user,
                    rank=form.cleaned_data["rank"],
                    **form.details(),
                )
            except registration_services.RegistrationError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, _("Your changes have been saved."))
                return redirect(back)
    return render(
        request,
        "delegations/member_change.html",
        {"delegation": delegation, "member": member, "form": form, "back_url": back},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def member_cancel(request, pk, reference):
    delegation = selectors.get_own_delegation(request.user, pk)
    member = selectors.get_member(delegation, reference)
    back = reverse("delegation_detail", args=[delegation.pk])
    if not member.registration.is_active:
        messages.info(request, _("This registration is already closed."))
        return redirect(back)
    refusal = None
    if request.method == "POST":
        try:
            registration_services.cancel_registration(member.registration, acting_user=request.user)
        except registration_services.RegistrationError as error:
            refusal = error.message
        else:
            messages.success(
                request,
                _("The registration of %(name)s has been cancelled.")
                % {"name": member.registration.full_name},
            )
            return redirect(back)
    return render(
        request,
        "delegations/member_cancel.html",
        {"delegation": delegation, "member": member, "refusal": refusal, "back_url": back},
        status=409 if refusal else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def member_substitute(request, pk, reference):
    delegation = selectors.get_own_delegation(request.user, pk)
    member = selectors.get_member(delegation, reference)
    return substitution_page(
        request,
        member.registration,
        back_url=reverse("delegation_detail", args=[delegation.pk]),
        template="registrations/registration_substitute.html",
    )


@login_required
def package_detail(request, pk):
    package = selectors.get_own_package(request.user, pk)
    return render(
        request,
        "delegations/package_detail.html",
        {
            "package": package,
            "slots": selectors.package_slots(package),
            "open": services.package_open(package),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def package_slot_fill(request, pk, position):
    package = selectors.get_own_package(request.user, pk)
    slot = package.slots.select_related("category").filter(position=position).first()
    if slot is None:
        raise Http404("No such slot.")
    slot.package = package
    back = reverse("package_detail", args=[package.pk])
    if slot.registration_id is not None or not services.package_open(package):
        messages.info(request, _("This slot can no longer be filled."))
        return redirect(back)
    form = SlotForm(request.POST or None, add_on_places=selectors.package_add_on_places(package))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                registration = services.fill_slot(
                    slot,
                    acting_user=request.user,
                    email=form.cleaned_data["email"],
                    profile=form.profile(),
                    consent_privacy=form.cleaned_data["consent_privacy"],
                    language=get_language(),
                    add_on=form.chosen_add_on(),
                )
            except registration_services.RegistrationError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered (%(reference)s).")
                    % {"name": registration.full_name, "reference": registration.reference},
                )
                return redirect(back)
    return render(
        request,
        "delegations/slot_fill.html",
        {"package": package, "slot": slot, "form": form, "back_url": back},
        status=status,
    )
