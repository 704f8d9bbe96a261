"""Bulk actions on registrations. Each calls a service once per selected registration (each
in its own transaction, so one refusal does not undo the others, and each registration's
e-mails leave when its change commits) and reports what it did: how many changed, and how
many were skipped for each reason the services gave."""

from collections import Counter
from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import Registration
from .forms import RejectForm

# The rejection page lists this many of the selected registrations by name.
REJECT_PREVIEW = 50


def run_for_each(
    modeladmin,
    request,
    queryset,
    service: Callable[[Registration], object],
    done_message: Callable[[int], str],
) -> tuple[int, Counter]:
    """Call `service` for each registration of `queryset` (already scoped to the user's
    forums by the changelist) and report the outcome as admin messages."""
    done = 0
    skipped: Counter[str] = Counter()
    # Only the ids are read here: each service locks and re-reads its registration.
    for pk in queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=500):
        try:
            service(Registration(pk=pk))
        except services.RegistrationError as error:
            skipped[str(error.message)] += 1
        else:
            done += 1
    modeladmin.message_user(
        request, done_message(done), messages.SUCCESS if done else messages.WARNING
    )
    for reason, count in skipped.most_common():
        modeladmin.message_user(
            request,
            ngettext("%(count)d skipped: %(reason)s", "%(count)d skipped: %(reason)s", count)
            % {"count": count, "reason": reason},
            messages.WARNING,
        )
    return done, skipped


@admin.action(description=_("Approve selected registrations"), permissions=["change"])
def approve_selected(modeladmin, request, queryset):
    run_for_each(
        modeladmin,
        request,
        queryset,
        lambda registration: services.approve_registration(registration, acting_user=request.user),
        lambda count: (
            ngettext("%(count)d registration approved.", "%(count)d registrations approved.", count)
            % {"count": count}
        ),
    )


@admin.action(description=_("Reject selected registrations…"), permissions=["change"])
def reject_selected(modeladmin, request, queryset):
    """First an intermediate page asking for the reason (the delegates read it), then the
    rejections."""
    form = RejectForm(request.POST if "apply" in request.POST else None)
    # Nothing left once scoped (another forum's ids): report "0 rejected", ask nothing.
    if form.is_valid() or not queryset.exists():
        reason = form.cleaned_data.get("reason", "") if form.is_bound else ""
        run_for_each(
            modeladmin,
            request,
            queryset,
            lambda registration: services.reject_registration(
                registration, reason=reason, acting_user=request.user
            ),
            lambda count: (
                ngettext(
                    "%(count)d registration rejected.", "%(count)d registrations rejected.", count
                )
                % {"count": count}
            ),
        )
        return None  # back to the changelist, its filters kept
    opts = modeladmin.model._meta
    count = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reject registrations"),
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "form": form,
        "count": count,
        "registrations": queryset.order_by("last_name", "first_name", "pk")[:REJECT_PREVIEW],
        "more": max(count - REJECT_PREVIEW, 0),
        "action": "reject_selected",
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/registrations/registration/reject.html", context)


@admin.action(
    description=_("Promote selected registrations from the waitlist"), permissions=["change"]
)
def promote_selected(modeladmin, request, queryset):
    run_for_each(
        modeladmin,
        request,
        queryset,
        lambda registration: services.promote_registration(registration, acting_user=request.user),
        lambda count: (
            ngettext(
                "%(count)d registration promoted from the waitlist.",
                "%(count)d registrations promoted from the waitlist.",
                count,
            )
            % {"count": count}
        ),
    )


@admin.action(description=_("Cancel selected registrations"), permissions=["change"])
def cancel_selected(modeladmin, request, queryset):
    run_for_each(
        modeladmin,
        request,
        queryset,
        lambda registration: services.cancel_registration(registration, acting_user=request.user),
        lambda count: (
            ngettext(
                "%(count)d registration cancelled.", "%(count)d registrations cancelled.", count
            )
            % {"count": count}
        ),
    )


@admin.action(description=_("Send the status e-mail again"), permissions=["change"])
def resend_email_selected(modeladmin, request, queryset):
    run_for_each(
        modeladmin,
        request,
        queryset,
        lambda registration: services.resend_registration_email(
            registration, acting_user=request.user
        ),
        lambda count: (
            ngettext(
                "%(count)d e-mail queued to be sent again.",
                "%(count)d e-mails queued to be sent again.",
                count,
            )
            % {"count": count}
        ),
    )


@admin.action(description=_("Check in selected delegates"), permissions=["change"])
def check_in_selected(modeladmin, request, queryset):
    run_for_each(
        modeladmin,
        request,
        queryset,
        lambda registration: services.check_in_registration(registration, acting_user=request.user),
        lambda count: (
            ngettext("%(count)d delegate checked in.", "%(count)d delegates checked in.", count)
            % {"count": count}
        ),
    )


ACTIONS = (
    approve_selected,
    reject_selected,
    promote_selected,
    cancel_selected,
    resend_email_selected,
    check_in_selected,
)
