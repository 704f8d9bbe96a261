"""The registration form's "code" section: an invitation or discount code, and the sector
(for a sector rate). Shape only: `pricing.services.registration_refusal` decides, under the
registration's locks, whether the code may be used."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minex.widgets import PythonWidgetRenderer
from registrations.extensions import CategoryGate, FormSection
from registrations.forms import PlainTextField

from . import services
from .models import Code, Sector, code_validator


class CodeForm(forms.Form):
    default_renderer = PythonWidgetRenderer

    code = PlainTextField(
        label=_("Invitation or discount code"),
        max_length=40,
        required=False,
        help_text=_(
            "An invitation code opens its categories: follow the link in your invitation, "
            "or enter the code and send the form."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    sector = forms.ChoiceField(
        label=_("Your organisation's sector"),
        choices=[("", "—"), *Sector.choices],
        required=False,
    )

    def clean_code(self):
        value = services.normalise_code(self.cleaned_data["code"])
        if value:
            code_validator(value)
        return value


def _any_category(category) -> bool:
    return True


def _initial_from_query(query) -> dict:
    """An invitation link (…/register/?code=GOV-2026) pre-fills the code."""
    text = services.normalise_code(query.get("code", ""))[:40]
    return {"code": text} if text else {}


CODE_SECTION = FormSection(
    name=services.SECTION,
    legend=_("Invitation or discount code"),
    form_class=CodeForm,
    applies_to=_any_category,
    order=10,
    initial_from_query=_initial_from_query,
    always_shown=True,
)

CATEGORY_GATE = CategoryGate(
    unlocked=services.unlocked_category_ids, refusal=services.registration_refusal
)


class CodeBatchForm(forms.Form):
    """The admin's "new codes" page: one named code, or a batch of random ones."""

    event = forms.ModelChoiceField(label=_("Event"), queryset=None)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("For one code with a chosen text (e.g. GOV-2026); leave empty for a batch."),
    )
    count = forms.IntegerField(
        label=_("Number of codes"), min_value=1, max_value=1000, initial=1, required=False
    )
    prefix = forms.CharField(label=_("Prefix of the codes"), max_length=20, required=False)
    batch_name = forms.CharField(
        label=_("Batch name"), max_length=120, required=False, help_text=_("e.g. 50 for Sponsor X")
    )
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    discount_kind = forms.ChoiceField(label=_("Discount"), choices=Code.Discount.choices)
    discount_value = forms.DecimalField(
        label=_("Discount value"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=None, required=False
    )
    usage_limit = forms.IntegerField(
        label=_("Usage limit of each code"), min_value=1, required=False, initial=1
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False)
    valid_until = forms.DateTimeField(label=_("Valid until"), required=False)

    def __init__(self, *args, events, **kwargs):
        from registrations.models import DelegateCategory

        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["categories"].queryset = DelegateCategory.objects.filter(
            event__in=events
        ).select_related("event")

    def clean_code(self):
        value = services.normalise_code(self.cleaned_data["code"])
        if value:
            code_validator(value)
        return value

    def clean_prefix(self):
        value = services.normalise_code(self.cleaned_data["prefix"])
        if value:
            code_validator(value + "-X")
        return value

    def clean(self):
        cleaned = super().clean()
        event = cleaned.get("event")
        for category in cleaned.get("categories") or ():
            if event is not None and category.event_id != event.pk:
                self.add_error("categories", _("Choose categories of the chosen event only."))
                break
        if (
            cleaned.get("discount_kind") == Code.Discount.PERCENT
            and (cleaned.get("discount_value") or 0) > 100
        ):
            self.add_error("discount_value", _("A percentage cannot be above 100."))
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and start >= end:
            self.add_error("valid_until", _("“Valid from” must come before “valid until”."))
        if not cleaned.get("code") and not cleaned.get("count"):
            self.add_error("count", _("Give a code, or the number of codes to make."))
        return cleaned
