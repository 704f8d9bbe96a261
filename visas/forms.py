"""The delegate's visa letter form and the secretariat's small admin forms.

Shape and format here (lengths, dates that parse, choices, Latin letters); the rules that
need the event (window, coherence with its dates, passport validity after exit) are asked of
`visas/rules.py` through the form's `clean` too, so the delegate sees every problem at once,
and the service checks them again (it is the one place that decides).
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from minex.countries import country_choices
from minex.widgets import LongSelect
from registrations.forms import PlainTextField

from .models import VisaRequest
from .rules import request_problems, today_on_event_clock
from .selectors import trip_limits


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IsoDateField(forms.DateField):
    """A date typed or picked as YYYY-MM-DD (what a date input sends), with a message that
    says so."""

    widget = DateInput
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {
        "invalid": _("Enter a valid date in the form YYYY-MM-DD, e.g. 1980-05-17."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not datetime.date(1900, 1, 1) <= value <= datetime.date(
            2100, 12, 31
        ):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def _max_length(name: str) -> int | None:
    return VisaRequest._meta.get_field(name).max_length


class VisaRequestForm(forms.Form):
    """Passport and trip details, as in the passport, for one event."""

    surname = PlainTextField(label=_("Surname, as in your passport"), max_length=100)
    given_names = PlainTextField(
        label=_("Given names, as in your passport"),
        max_length=150,
        help_text=_("In Latin letters exactly as printed, e.g. JOHN PAUL."),
    )
    sex = forms.ChoiceField(
        label=_("Sex, as in your passport"),
        choices=VisaRequest.Sex.choices,
        widget=forms.RadioSelect,
    )
    date_of_birth = IsoDateField(label=_("Date of birth"))
    place_of_birth = PlainTextField(label=_("Place of birth, as in your passport"), max_length=100)
    nationality = forms.ChoiceField(
        label=_("Nationality (citizenship)"), choices=country_choices, widget=LongSelect
    )
    passport_number = PlainTextField(label=_("Passport number"), max_length=20)
    passport_issued_on = IsoDateField(label=_("Passport issued on"))
    passport_expires_on = IsoDateField(
        label=_("Passport valid until"),
        help_text=_("The passport must be valid at least six months after your planned exit."),
    )
    passport_authority = PlainTextField(
        label=_("Issuing authority, as in your passport"), max_length=150
    )
    entry_date = IsoDateField(label=_("Planned entry date"))
    exit_date = IsoDateField(label=_("Planned exit date"))
    application_kind = forms.ChoiceField(
        label=_("Where will you apply for the visa?"),
        choices=VisaRequest.ApplicationKind.choices,
        widget=forms.RadioSelect,
    )
    consulate_city = PlainTextField(
        label=_("City of the consulate or embassy"),
        max_length=_max_length("consulate_city"),
        required=False,
        help_text=_("Only when you apply at a consulate or embassy, e.g. London."),
    )
    employer = PlainTextField(label=_("Employer"), max_length=_max_length("employer"))
    position = PlainTextField(label=_("Position"), max_length=_max_length("position"))

    def __init__(self, *args, event, now: datetime.datetime, **kwargs):
        self.event = event
        self.today = today_on_event_clock(event.tz, now)
        super().__init__(*args, **kwargs)

    def clean_passport_number(self):
        # Printed in groups sometimes; the number itself has no spaces.
        return self.cleaned_data["passport_number"].replace(" ", "").upper()

    def clean_surname(self):
        return " ".join(self.cleaned_data["surname"].split())

    def clean_given_names(self):
        return " ".join(self.cleaned_data["given_names"].split())

    def clean(self):
        cleaned = super().clean()
        problems = request_problems(cleaned, limits=trip_limits(self.event), today=self.today)
        for name, message in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def values(self) -> dict:
        """The cleaned values, named as the service takes them."""
        return {name: self.cleaned_data[name] for name in VisaRequest.DELEGATE_FIELDS}


class PetitionNumberForm(forms.Form):
    petition_number = forms.CharField(
        label=_("Petition number"),
        max_length=_max_length("petition_number"),
        help_text=_("The number the migration service gave the invitation petition."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The delegate will read this in the e-mail."),
    )
