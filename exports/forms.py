"""Forms for exports: the filters (named like the admin changelist's, so the admin can link
"export these" with its own querystring) and the choice of format, list and columns."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from registrations.models import Registration

from .columns import COLUMNS, DEFAULT_COLUMNS, allowed_column_names
from .models import ExportLog
from .selectors import ALL_STATUSES


class RegistrationFilterForm(forms.Form):
    """The admin changelist's filter parameters. Anything else in the querystring (ordering,
    page, the admin's own keys) is ignored; a recognised key with a bad value is an error.

    Dates and date-times are read in the event's time zone (activate it around `is_valid`):
    `created_at__gte=2026-05-01` means from midnight in the event's city.

    Without `status__exact` the export holds confirmed and pending registrations only (the
    attendee list, as the admin's "export these" link gives when no status is chosen there);
    `statuses=all` is our own key, not the admin's, for every status."""

    status__exact = forms.ChoiceField(
        label=_("Status"), choices=Registration.Status.choices, required=False
    )
    statuses = forms.ChoiceField(
        label=_("Statuses"), choices=[(ALL_STATUSES, _("Every status"))], required=False
    )
    category__id__exact = forms.IntegerField(label=_("Category"), min_value=1, required=False)
    country__exact = forms.ChoiceField(label=_("Country"), choices=(), required=False)
    visa_letter_needed__exact = forms.ChoiceField(
        label=_("Visa letter needed"), choices=[("1", _("Yes")), ("0", _("No"))], required=False
    )
    checked_in = forms.ChoiceField(
        label=_("Checked in"), choices=[("yes", _("Yes")), ("no", _("No"))], required=False
    )
    created_at__gte = forms.DateTimeField(label=_("Registered from"), required=False)
    created_at__lt = forms.DateTimeField(label=_("Registered before"), required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country__exact"].choices = [("", "")] + list(countries)

    def clean_q(self):
        # Control characters have no business in a search and PostgreSQL refuses NUL.
        value = self.cleaned_data["q"]
        if any(ord(char) < 32 for char in value):
            raise forms.ValidationError(_("The search contains characters that are not allowed."))
        return value

    def active_filters(self) -> dict[str, str]:
        """The recognised, non-empty parameters as sent: stored with the export and passed on
        to the async task, which validates them again."""
        return {
            name: self.data[name]
            for name in self.fields
            if name in self.data and self.data[name] not in ("", None)
        }


class ColumnsField(forms.MultipleChoiceField):
    """The columns to export. Columns the user may not export (`hidden`) are neither offered
    nor refused: a posted one (an old bookmark, a crafted form) is dropped."""

    hidden: frozenset[str] = frozenset()

    def clean(self, value):
        if value:
            value = [name for name in value if name not in self.hidden]
        return super().clean(value)


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportLog.Format.choices,
        initial=ExportLog.Format.XLSX,
        widget=forms.RadioSelect,
    )
    variant = forms.ChoiceField(
        label=_("List"),
        choices=ExportLog.Variant.choices,
        initial=ExportLog.Variant.FULL,
        widget=forms.RadioSelect,
        help_text=_(
            "The list for sharing holds only confirmed delegates who agreed to appear in the "
            "attendee list, and only their name, job title, organisation and country."
        ),
    )
    columns = ColumnsField(
        label=_("Columns"),
        choices=[(name, column.label) for name, column in COLUMNS.items()],
        initial=DEFAULT_COLUMNS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Ignored for the list for sharing."),
    )

    def __init__(self, *args, special_personal_data: bool, **kwargs):
        """`special_personal_data`: whether the user may export passport names,
        nationality, phones, dietary and accessibility needs (else those columns are
        hidden)."""
        super().__init__(*args, **kwargs)
        allowed = allowed_column_names(COLUMNS, special_personal_data=special_personal_data)
        field = self.fields["columns"]
        field.choices = [(name, COLUMNS[name].label) for name in allowed]
        field.initial = [name for name in DEFAULT_COLUMNS if name in allowed]
        field.hidden = frozenset(COLUMNS) - set(allowed)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("variant") == ExportLog.Variant.FULL and not cleaned.get("columns"):
            self.add_error("columns", _("Choose at least one column."))
        return cleaned
