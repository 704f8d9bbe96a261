"""Delegate-facing forms: shape and format only. Rules that need the database (window,
capacity, duplicates) are the services' business."""

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import DelegateProfile, latin_name_validator
from legal.policies import current_privacy_policy
from minex.countries import CountryChoiceField
from minex.widgets import PythonWidgetRenderer

from . import rules
from .models import DelegateCategory, Registration
from .selectors import CategoryAvailability

MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def _refuse_control_characters(value: str, *, multiline: bool) -> None:
    allowed = MULTILINE_ALLOWED if multiline else set()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValidationError(
            _("Please remove the invisible control characters from this field."),
            code="control_characters",
        )


class PlainTextField(forms.CharField):
    """One line of text: any script (Cyrillic, Kazakh, accents, CJK), no control characters."""

    def validate(self, value):
        super().validate(value)
        _refuse_control_characters(value, multiline=False)


class MultilineTextField(forms.CharField):
    """Several lines of text: line breaks and tabs allowed, other control characters not."""

    widget = forms.Textarea(attrs={"rows": 3})

    def validate(self, value):
        super().validate(value)
        _refuse_control_characters(value, multiline=True)


def _model_max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _AvailableCategoriesIterator(ModelChoiceIterator):
    """The choices are the categories already fetched for the availability figures: listing
    them again would cost another query."""

    def __iter__(self):
        for option in self.field.availability.values():
            yield self.choice(option.category)

    def __len__(self):
        return len(self.field.availability)


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories as radio buttons whose labels say price and availability."""

    widget = forms.RadioSelect
    iterator = _AvailableCategoriesIterator

    def __init__(self, availability: dict[int, CategoryAvailability], **kwargs):
        self.availability = availability
        super().__init__(**kwargs)

    def label_from_instance(self, category: DelegateCategory):
        return self.availability[category.pk].label


class DelegateDetailsMixin(forms.Form):
    """The profile part: stored once on the delegate's profile, pre-filled every time."""

    title = forms.ChoiceField(
        label=pgettext_lazy("person", "Title"),
        choices=[("", "—"), *DelegateProfile.Title.choices],
        required=False,
    )
    first_name = PlainTextField(
        label=_("First name"), max_length=_model_max_length(DelegateProfile, "first_name")
    )
    last_name = PlainTextField(
        label=_("Last name"), max_length=_model_max_length(DelegateProfile, "last_name")
    )
    latin_name = PlainTextField(
        label=_("Name in Latin letters, as in your passport"),
        max_length=_model_max_length(DelegateProfile, "latin_name"),
        required=False,
        validators=[latin_name_validator],
        help_text=_(
            "For your badge and a visa invitation letter: given name and surname, "
            "e.g. Aigerim Nurlanova."
        ),
    )
    job_title = PlainTextField(
        label=_("Job title"),
        max_length=_model_max_length(DelegateProfile, "job_title"),
        required=False,
    )
    organisation = PlainTextField(
        label=_("Organisation"),
        max_length=_model_max_length(DelegateProfile, "organisation"),
        required=False,
    )
    country = CountryChoiceField(label=_("Country"), required=False)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        help_text=_("In international format, e.g. +7 701 234 5678."),
        max_length=32,
    )

    PROFILE_FIELDS = DelegateProfile.DETAIL_FIELDS

    def profile_values(self) -> dict:
        return {name: self.cleaned_data[name] or "" for name in self.PROFILE_FIELDS}


class VisaMixin(forms.Form):
    visa_letter_needed = forms.BooleanField(
        label=_("I need a visa invitation letter"), required=False
    )
    nationality = CountryChoiceField(
        label=_("Nationality (for the visa invitation letter)"), required=False
    )

    # The Latin name the letter would use when the form has no field for it (the change page
    # passes the registration's); UNKNOWN leaves that part of the rule to the service.
    latin_name_on_file = rules.UNKNOWN

    def clean(self):
        cleaned = super().clean()
        if "latin_name" not in self.fields:
            latin_name = self.latin_name_on_file
        elif "latin_name" in cleaned:
            latin_name = cleaned["latin_name"]
        else:
            latin_name = rules.UNKNOWN  # malformed: its own error says so
        problems = rules.visa_letter_problems(
            visa_letter_needed=cleaned.get("visa_letter_needed", False),
            nationality=cleaned.get("nationality", ""),
            latin_name=latin_name,
        )
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned


class NeedsMixin(forms.Form):
    dietary_needs = MultilineTextField(
        label=_("Dietary requirements"),
        max_length=_model_max_length(Registration, "dietary_needs"),
        required=False,
        help_text=_("For example: vegetarian, halal, gluten-free, allergies."),
    )
    accessibility_needs = MultilineTextField(
        label=_("Accessibility requirements"),
        max_length=_model_max_length(Registration, "accessibility_needs"),
        required=False,
        help_text=_("Anything that helps you take part: step-free access, interpretation…"),
    )


class RegistrationForm(DelegateDetailsMixin, NeedsMixin, VisaMixin):
    """Everything a delegate gives to register for one event, on one page."""

    # Inputs and text areas written in Python: the page renders ~16 fields on every visit.
    default_renderer = PythonWidgetRenderer

    how_heard = forms.ChoiceField(
        label=_("How did you hear about the forum?"),
        choices=[("", "—"), *Registration.HowHeard.choices],
        required=False,
    )
    consent_privacy = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please accept the privacy policy to register.")},
    )
    consent_attendee_list = forms.BooleanField(
        label=_("Show my name and organisation in the list of participants"), required=False
    )
    consent_marketing = forms.BooleanField(
        label=_("Send me news about future MINEX forums"), required=False
    )

    field_order = [
        "category", "title", "first_name", "last_name", "latin_name", "job_title",
        "organisation", "country", "phone", "dietary_needs", "accessibility_needs",
        "visa_letter_needed", "nationality", "how_heard", "consent_privacy",
        "consent_attendee_list", "consent_marketing",
    ]  # fmt: skip

    def __init__(self, *args, categories, availability, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryChoiceField(
            availability=availability,
            queryset=categories,
            label=_("Category"),
            empty_label=None,
            error_messages={
                "required": _("Please choose a category."),
                "invalid_choice": _("This category is not available; please choose another."),
            },
        )
        self.order_fields(self.field_order)
        # The page carries the version it shows (a hidden input), so consent is recorded for
        # the text the delegate could read, even if a new version is published meanwhile.
        self.policy = policy = current_privacy_policy()
        # One translated sentence with the link's start and end inside it: Kazakh puts the
        # policy first and the verb last, which two halves around a fixed link cannot say.
        self.fields["consent_privacy"].label = format_html(
            gettext("I have read and accept the {link_start}privacy policy{link_end}."),
            link_start=format_html(
                '<a href="{}" target="_blank" rel="noopener">',
                reverse("privacy_policy_version", kwargs={"version": policy.version}),
            ),
            link_end=mark_safe("</a>"),
        )

    def clean(self):
        cleaned = super().clean()
        # Consent binds to the version the page showed; a submission that does not say which
        # (a page from before the hidden field, a hand-made POST) cannot prove the delegate saw
        # the current text, so it is refused like a stale one.
        shown = self.data.get("privacy_policy_version")
        refusal = None
        if cleaned.get("consent_privacy") and not shown:
            refusal = _(
                "We could not tell which version of the privacy policy this page showed. "
                "Please reload the page, read the policy and tick the box again."
            )
        elif cleaned.get("consent_privacy") and shown != self.policy.version:
            refusal = _(
                "The privacy policy has changed since this page was opened. "
                "Please read the new version and tick the box again."
            )
        if refusal:
            self.add_error("consent_privacy", refusal)
            # Shown again unticked: consent to the new text needs a new tick.
            self.data = self.data.copy()
            self.data.pop("consent_privacy", None)
        return cleaned

    @property
    def sections(self) -> dict[str, list]:
        """The form's fields in the groups the page shows them in."""
        groups = {
            "about": self.PROFILE_FIELDS,
            "visit": (
                "dietary_needs", "accessibility_needs", "visa_letter_needed", "nationality",
                "how_heard",
            ),
            "consent": ("consent_privacy", "consent_attendee_list", "consent_marketing"),
        }  # fmt: skip
        return {group: [self[name] for name in names] for group, names in groups.items()}

    # Remembered on the profile from this registration and pre-filled on the next forum's form.
    REMEMBERED_FIELDS = (
        "nationality", "dietary_needs", "accessibility_needs", "consent_attendee_list",
    )  # fmt: skip

    def profile_values(self) -> dict:
        values = super().profile_values()
        values.update({name: self.cleaned_data[name] for name in self.REMEMBERED_FIELDS})
        values["consent_marketing"] = self.cleaned_data["consent_marketing"]
        return values

    def registration_values(self) -> dict:
        names = (
            "dietary_needs", "accessibility_needs", "visa_letter_needed", "nationality",
            "how_heard", "consent_attendee_list", "consent_marketing",
        )  # fmt: skip
        return {name: self.cleaned_data[name] for name in names}


class RegistrationChangeForm(NeedsMixin, VisaMixin):
    """What a delegate may change themselves until registration closes."""

    job_title = DelegateDetailsMixin.base_fields["job_title"]
    organisation = DelegateDetailsMixin.base_fields["organisation"]
    phone = DelegateDetailsMixin.base_fields["phone"]

    field_order = [
        "job_title", "organisation", "phone", "dietary_needs", "accessibility_needs",
        "visa_letter_needed", "nationality",
    ]  # fmt: skip

    def __init__(self, *args, latin_name=rules.UNKNOWN, **kwargs):
        """`latin_name`: the registration's, which the visa letter would carry."""
        super().__init__(*args, **kwargs)
        self.latin_name_on_file = latin_name

    def changes(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.field_order}
        values["phone"] = values["phone"] or ""
        return values


class ProfileForm(DelegateDetailsMixin, NeedsMixin):
    """The delegate's own profile page: the details every registration copies, what the next
    forum's form pre-fills, the language of their e-mails and their standing consents."""

    nationality = CountryChoiceField(label=_("Nationality"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language of your e-mails"), choices=settings.LANGUAGES
    )
    consent_attendee_list = RegistrationForm.base_fields["consent_attendee_list"]
    consent_marketing = RegistrationForm.base_fields["consent_marketing"]

    field_order = [
        *DelegateDetailsMixin.PROFILE_FIELDS, "nationality", "dietary_needs",
        "accessibility_needs", "preferred_language", "consent_attendee_list", "consent_marketing",
    ]  # fmt: skip

    @property
    def sections(self) -> dict[str, list]:
        groups = {
            "about": (*self.PROFILE_FIELDS, "nationality"),
            "visit": ("dietary_needs", "accessibility_needs"),
            "mail": ("preferred_language", "consent_attendee_list", "consent_marketing"),
        }
        return {group: [self[name] for name in names] for group, names in groups.items()}

    def profile_values(self) -> dict:
        values = super().profile_values()
        for name in self.field_order:
            if name not in values:
                values[name] = self.cleaned_data[name]
        return values


class SubstitutionForm(forms.Form):
    """Who takes over a registration (`services.substitute_registration`): the new person's
    e-mail and details, the reason, and the acting person's word that the new one accepts
    the privacy policy."""

    email = forms.EmailField(label=_("E-mail address of the new person"), max_length=254)
    title = DelegateDetailsMixin.base_fields["title"]
    first_name = DelegateDetailsMixin.base_fields["first_name"]
    last_name = DelegateDetailsMixin.base_fields["last_name"]
    job_title = DelegateDetailsMixin.base_fields["job_title"]
    organisation = DelegateDetailsMixin.base_fields["organisation"]
    country = DelegateDetailsMixin.base_fields["country"]
    reason = MultilineTextField(label=_("Reason"), max_length=1000)
    consent_privacy = forms.BooleanField(
        label=_(
            "The new person has read the privacy policy and agrees that their details are "
            "processed for the forum."
        )
    )

    PERSON_FIELDS = ("email", "title", "first_name", "last_name", "job_title", "organisation",
                     "country")  # fmt: skip

    def new_person(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}
