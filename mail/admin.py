"""The outbox in the admin: read-only rows, a resend action, an alert on configuration faults.

A row that carries a credential (``OutgoingEmail.secret``: allauth's password-reset and
confirmation links, sign-in codes) shows no content to anyone, superusers included, and the
resend action leaves it alone: whoever reads such a message can take over the account."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import OutgoingEmail, UndeliverableAddress
from .selectors import configuration_fault_summary

SECRET_PLACEHOLDER = _(
    "Hidden: this e-mail carries a password-reset link, a confirmation key or a sign-in code, "
    "which only its recipient may see. It is deleted once the e-mail has been sent or has "
    "failed."
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "failure_reason",
    ]
    list_filter = ["status", "kind", "fault", "language"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["resend"]
    # URL lookups only on these (the filters, the date hierarchy, the recipient): Django would
    # otherwise accept ?body_text__contains=… (or ?resent_from__body_text__…), and a row that
    # is still queued could be read through its matches one character at a time.
    LOOKUP_FIELDS = frozenset({"status", "kind", "fault", "language", "created_at", "recipient"})
    list_per_page = 100
    show_full_result_count = False  # counting a large outbox on every page load is slow

    def lookup_allowed(self, lookup, value, request=None):
        return lookup.split("__")[0] in self.LOOKUP_FIELDS and super().lookup_allowed(
            lookup, value, request
        )

    fieldsets = [
        (None, {"fields": ["recipient", "reply_to", "language", "kind", "subject", "related"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "fault",
                    "last_error",
                    "created_at",
                    "sent_at",
                    "message_id",
                    "resent_from",
                    "secret",
                ]
            },
        ),
        (_("Content"), {"fields": ["text_body", "html_body", "attachment_names"]}),
    ]
    readonly_fields = [
        "recipient",
        "reply_to",
        "language",
        "kind",
        "subject",
        "related",
        "status",
        "attempts",
        "next_attempt_at",
        "fault",
        "last_error",
        "created_at",
        "sent_at",
        "message_id",
        "resent_from",
        "secret",
        "text_body",
        "html_body",
        "attachment_names",
    ]

    def get_queryset(self, request):
        # The list never shows bodies or attachment contents: do not fetch them.
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("body_text", "body_html", "attachments", "prebuilt_message")
        return queryset

    # The outbox is a record of what was sent: nobody adds or edits rows by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("mail.change_outgoingemail")

    @admin.display(description=_("failure reason"))
    def failure_reason(self, email):
        if not email.last_error:
            return ""
        return f"{email.get_fault_display()}: {email.last_error}"[:200]

    # Bodies are shown as text (escaped, never rendered), and not at all for a secret row.
    @admin.display(description=_("text body"))
    def text_body(self, email):
        return SECRET_PLACEHOLDER if email.secret else email.body_text

    @admin.display(description=_("HTML body"))
    def html_body(self, email):
        return SECRET_PLACEHOLDER if email.secret else email.body_html

    @admin.display(description=_("attachments"))
    def attachment_names(self, email):
        if email.secret:
            return SECRET_PLACEHOLDER
        return ", ".join(attachment["filename"] for attachment in email.attachments) or "—"

    @admin.action(description=_("Resend selected e-mails"), permissions=["resend"])
    def resend(self, request, queryset):
        outcomes = [
            services.resend_email(email, acting_user=request.user)
            for email in queryset.only("pk").order_by("pk")
        ]
        queued = outcomes.count(services.ResendOutcome.QUEUED)
        copied = outcomes.count(services.ResendOutcome.COPIED)
        in_progress = outcomes.count(services.ResendOutcome.IN_PROGRESS)
        credential = outcomes.count(services.ResendOutcome.CREDENTIAL)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail queued to be sent again.",
                    "%(count)d e-mails queued to be sent again.",
                    queued,
                )
                % {"count": queued},
                messages.SUCCESS,
            )
        if copied:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail had already been sent; a copy is queued.",
                    "%(count)d e-mails had already been sent; copies are queued.",
                    copied,
                )
                % {"count": copied},
                messages.SUCCESS,
            )
        if in_progress:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail is being sent right now and was left alone.",
                    "%(count)d e-mails are being sent right now and were left alone.",
                    in_progress,
                )
                % {"count": in_progress},
                messages.WARNING,
            )
        if credential:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail carries a password-reset link, a confirmation key or a "
                    "sign-in code and was not resent: the person can ask for a new one.",
                    "%(count)d e-mails carry a password-reset link, a confirmation key or a "
                    "sign-in code and were not resent: the person can ask for a new one.",
                    credential,
                )
                % {"count": credential},
                messages.WARNING,
            )

    def changelist_view(self, request, extra_context=None):
        # Only on GET: after an action's POST the redirect shows the page (and the alert) again.
        fault = configuration_fault_summary() if request.method == "GET" else None
        if fault is not None:
            self.message_user(
                request,
                _(
                    "E-mail delivery is stopped by a mail configuration fault (check the SMTP "
                    "settings and credentials). E-mails waiting: %(count)d; they will be sent "
                    "once it is fixed. Last error: %(error)s"
                )
                % {"count": fault.waiting, "error": fault.last_error},
                messages.ERROR,
            )
        return super().changelist_view(request, extra_context)


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(admin.ModelAdmin):
    """Addresses the mail server refused for good. Mailings skip them; deleting a row (the
    delegate fixed their mailbox) makes the address deliverable again."""

    list_display = ["address", "smtp_code", "reason", "refusals", "first_seen_at", "last_seen_at"]
    search_fields = ["address"]
    list_filter = ["smtp_code"]
    readonly_fields = [
        "address",
        "smtp_code",
        "reason",
        "refusals",
        "first_seen_at",
        "last_seen_at",
    ]
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
