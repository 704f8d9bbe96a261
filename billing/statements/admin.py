"""Bank statements in the admin: upload (the add page), review (the change page: matched,
ambiguous, unmatched lines, the reviewer's choices) and apply (books the chosen lines).

Everything asks for `billing.view_billing` (the Secretariat's; organisers get 403), and
uploading, choosing and applying also for `billing.add_payment`: applying books payments.
Statements belong to an issuing entity's bank account, not to a forum, so there is no
per-forum scoping here; the Secretariat sees every forum anyway.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import BankStatement, Invoice, StatementLine, StatementSettings
from . import selectors, services
from .errors import StatementError
from .forms import StatementUploadForm

Outcome = StatementLine.Outcome
EDITABLE = (Outcome.MATCHED, Outcome.AMBIGUOUS, Outcome.UNMATCHED)


def may_see(request) -> bool:
    return request.user.is_active and request.user.has_perm("billing.view_billing")


def may_book(request) -> bool:
    return may_see(request) and request.user.has_perm("billing.add_payment")


@admin.register(StatementSettings)
class StatementSettingsAdmin(admin.ModelAdmin):
    list_display = ("bank_account", "delimiter", "decimal_separator", "fee_tolerance")
    list_select_related = ("bank_account__entity",)

    def has_view_permission(self, request, obj=None):
        return may_see(request)

    def has_add_permission(self, request):
        return may_see(request) and request.user.has_perm("billing.change_bankaccount")

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)


@admin.register(BankStatement)
class BankStatementAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "bank_account",
        "uploaded_at",
        "uploaded_by",
        "status",
        "lines_summary",
    )
    list_filter = ("status", "bank_account")
    list_select_related = ("bank_account__entity", "uploaded_by")
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return selectors.statement_counts(super().get_queryset(request))

    @admin.display(description=_("lines"))
    def lines_summary(self, obj):
        return gettext(
            "%(lines)d: %(matched)d matched, %(ambiguous)d to decide, %(unmatched)d unmatched"
        ) % {
            "lines": obj.line_count,
            "matched": obj.matched_count,
            "ambiguous": obj.ambiguous_count,
            "unmatched": obj.unmatched_count,
        }

    def has_module_permission(self, request):
        return may_see(request)

    def has_view_permission(self, request, obj=None):
        return may_see(request)

    def has_add_permission(self, request):
        return may_book(request)

    def has_change_permission(self, request, obj=None):
        return may_book(request)

    def has_delete_permission(self, request, obj=None):
        # Discarding a statement not yet applied; an applied one is the record of bookings.
        return may_book(request) and (obj is None or obj.status == BankStatement.Status.REVIEW)

    def get_actions(self, request):
        return {}

    # The add page: upload and read.
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            form = StatementUploadForm(request.POST, request.FILES)
            if form.is_valid():
                statement = self._import(request, form)
                if statement is not None:
                    return HttpResponseRedirect(
                        reverse("admin:billing_bankstatement_change", args=[statement.pk])
                    )
            status = 400
        else:
            form = StatementUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a bank statement"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/billing/bankstatement/upload.html", context, status=status
        )

    def _import(self, request, form):
        cleaned = form.cleaned_data
        layout = cleaned["layout"]
        try:
            with transaction.atomic():
                statement = services.import_statement(
                    cleaned["bank_account"],
                    content=cleaned["file"].read(),
                    file_name=cleaned["file"].name,
                    statement_format=cleaned["statement_format"],
                    layout=layout,
                    fee_tolerance=layout.fee_tolerance,
                    acting_user=request.user,
                )
                if cleaned["remember"]:
                    layout.save()
        except StatementError as error:
            form.add_error("file", str(error))
            return None
        return statement

    # The change page: review and apply.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            statement = selectors.statement_for_review(int(unquote(object_id)))
        except (BankStatement.DoesNotExist, ValueError):
            raise Http404 from None
        status = 200
        if request.method == "POST":
            if not self.has_change_permission(request, statement):
                raise PermissionDenied
            try:
                return self._review(request, statement)
            except StatementError as error:
                self.message_user(request, str(error), messages.ERROR)
                statement = selectors.statement_for_review(statement.pk)
                status = 400
        lines = list(statement.lines.all())
        groups = [
            (outcome, label, [line for line in lines if line.outcome == outcome])
            for outcome, label in Outcome.choices
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Review bank statement %(file)s") % {"file": statement.file_name},
            "statement": statement,
            "groups": [group for group in groups if group[2]],
            "editable_outcomes": EDITABLE,
            "may_book": self.has_change_permission(request, statement),
            "open": statement.status == BankStatement.Status.REVIEW,
            "to_book": sum(1 for line in lines if line.include and line.outcome in EDITABLE),
        }
        return TemplateResponse(
            request, "admin/billing/bankstatement/review.html", context, status=status
        )

    def _review(self, request, statement):
        """Save the reviewer's choices (which lines to book, which invoice a line pays);
        with "apply", then book. One transaction: a bad choice saves nothing."""
        entity = statement.bank_account.entity
        included = set(request.POST.getlist("include"))
        with transaction.atomic():
            for line in statement.lines.all():
                if line.outcome not in EDITABLE or line.applied_at:
                    continue
                line.statement = statement
                typed = request.POST.get(f"invoice-{line.pk}", "").strip()
                if typed:
                    invoice = self._chosen_invoice(entity, line, typed)
                    services.choose_invoice(line, invoice=invoice)
                    included.add(str(line.pk))
                services.set_included(line, include=str(line.pk) in included)
            if "apply" in request.POST:
                result = services.apply_statement(statement, acting_user=request.user)
                self.message_user(request, self._applied_message(result), messages.SUCCESS)
            else:
                self.message_user(request, gettext("Your choices were saved."), messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    def _chosen_invoice(self, entity, line, typed: str) -> Invoice:
        candidates = {str(invoice.pk): invoice for invoice in line.candidates.all()}
        invoice = candidates.get(typed) or selectors.find_invoice(entity, typed)
        if invoice is None:
            raise StatementError(
                gettext("Line %(line)d: no issued invoice “%(typed)s” of this entity.")
                % {"line": line.position, "typed": typed[:40]}
            )
        return invoice

    @staticmethod
    def _applied_message(result) -> str:
        message = ngettext(
            "%(count)d line was booked.", "%(count)d lines were booked.", result.lines_booked
        ) % {"count": result.lines_booked}
        if result.already_booked:
            message += " " + ngettext(
                "%(count)d line had been booked before and was left alone.",
                "%(count)d lines had been booked before and were left alone.",
                result.already_booked,
            ) % {"count": result.already_booked}
        return message
