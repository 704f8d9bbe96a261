"""Forms of the secretariat's admin pages: the reason for a rejection, and registering a
delegate on their behalf. Shape only; the rules are the services'."""

import itertools

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import DelegateProfile
from minex.countries import country_choices

from .. import rules
from ..forms import MultilineTextField, PlainTextField
from ..models import DelegateCategory, Registration


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to the delegates in the rejection e-mail and kept in the history."),
    )


class RegistrationAdminForm(forms.ModelForm):
    """The change page's form (the admin picks the fields): the visa-letter rule checked
    before the save, so its message stands on the field as on the delegate's forms.
    `update_registration_details` checks it again whatever the caller."""

    class Meta:
        model = Registration
        fields = ("latin_name", "visa_letter_needed", "nationality")  # the admin passes its own

    def clean(self):
        cleaned = super().clean()

        def value(name):
            if name not in self.fields:  # read-only here: the registration's own value
                return getattr(self.instance, name)
            # Missing: malformed, already an error of its own (UNKNOWN is never "empty").
            return cleaned.get(name, rules.UNKNOWN)

        problems = rules.visa_letter_problems(
            visa_letter_needed=value("visa_letter_needed") is True,
            nationality=value("nationality"),
            latin_name=value("latin_name"),
        )
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned


class CategoryChoices(ModelChoiceIterator):
    """The categories grouped by event (an <optgroup> each), in the queryset's order, so the
    list reads well without JavaScript too."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for event, categories in itertools.groupby(self.queryset, key=lambda c: c.event):
            yield (event.title, [self.choice(category) for category in categories])


class CategorySelect(forms.Select):
    """Each option names its event (`data-event`) and whether the category needs approval
    (`data-requires-approval`): static/js/on_behalf.js narrows the list to the chosen event
    and shows "Approve at once" only where it applies."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        category = getattr(value, "instance", None)
        if category is not None:
            option["attrs"]["data-event"] = str(category.event_id)
            if category.requires_approval:
                option["attrs"]["data-requires-approval"] = "true"
        return option


class CategoryChoiceField(forms.ModelChoiceField):
    iterator = CategoryChoices
    widget = CategorySelect

    def label_from_instance(self, category):
        if category.requires_approval:
            return _("%(category)s (needs approval)") % {"category": category.name}
        return category.name


# Delegate-profile fields the form writes (see registrations.services.register_on_behalf).
PROFILE_FIELDS = DelegateProfile.DETAIL_FIELDS
REGISTRATION_FIELDS = (
    "dietary_needs",
    "accessibility_needs",
    "visa_letter_needed",
    "nationality",
    "how_heard",
    "consent_privacy",
    "consent_attendee_list",
    "consent_marketing",
)


class OnBehalfForm(forms.Form):
    event = forms.ModelChoiceField(label=_("Event"), queryset=None)
    category = CategoryChoiceField(label=_("Category"), queryset=None)
    approve_now = forms.BooleanField(
        label=_("Approve at once"),
        required=False,
        help_text=_(
            "For a category that needs approval: the registration is confirmed at once, "
            "with your approval in its history. Other categories ignore it."
        ),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_(
            "The delegate's account with this address is used; if there is none, one is "
            "created (the delegate can set a password with “Forgot your password?”)."
        ),
    )
    title = forms.ChoiceField(
        label=pgettext_lazy("person", "Title"),
        choices=[("", "—"), *DelegateProfile.Title.choices],
        required=False,
    )
    first_name = PlainTextField(label=_("First name"), max_length=100, required=False)
    last_name = PlainTextField(label=_("Last name"), max_length=100, required=False)
    latin_name = PlainTextField(label=_("Name in Latin letters"), max_length=200, required=False)
    job_title = PlainTextField(label=_("Job title"), max_length=150, required=False)
    organisation = PlainTextField(label=_("Organisation"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    phone = PhoneNumberField(label=_("Phone"), required=False)
    # Empty by default: registering someone must not switch a Kazakh-speaking delegate's
    # e-mails and profile to English because nobody touched this field.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Keep the delegate's language")), *settings.LANGUAGES],
        required=False,
        help_text=_(
            "The language of the e-mails the delegate receives. If kept, the language of "
            "their profile (English for a new delegate)."
        ),
    )
    dietary_needs = MultilineTextField(
        label=_("Dietary needs"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    accessibility_needs = MultilineTextField(
        label=_("Accessibility needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    visa_letter_needed = forms.BooleanField(
        label=_("Visa invitation letter needed"), required=False
    )
    nationality = forms.ChoiceField(label=_("Nationality"), choices=country_choices, required=False)
    how_heard = forms.ChoiceField(
        label=_("How they heard about the forum"),
        choices=[("", "—"), *Registration.HowHeard.choices],
        required=False,
    )
    consent_privacy = forms.BooleanField(
        label=_("The delegate accepted the privacy policy"), required=True
    )
    consent_attendee_list = forms.BooleanField(
        label=_("Appears in the attendee list"), required=False
    )
    consent_marketing = forms.BooleanField(
        label=_("Accepts news about future forums"), required=False
    )
    override_window = forms.BooleanField(
        label=_("Register even if registration is closed"),
        required=False,
        help_text=_("Recorded in the registration's history."),
    )
    override_capacity = forms.BooleanField(
        label=_("Register even if the event or the category is full"),
        required=False,
        help_text=_("Recorded in the registration's history."),
    )

    FIELDSETS = (
        (None, {"fields": ("event", "category", "approve_now")}),
        (
            _("Delegate"),
            {
                "fields": (
                    "email",
                    "title",
                    "first_name",
                    "last_name",
                    "latin_name",
                    "job_title",
                    "organisation",
                    "country",
                    "phone",
                    "language",
                ),
                "description": _(
                    "For a new delegate, the first and last name are needed. For an existing "
                    "one, the details typed here update their profile; empty fields keep it."
                ),
            },
        ),
        (
            _("Registration"),
            {
                "fields": (
                    "dietary_needs",
                    "accessibility_needs",
                    "visa_letter_needed",
                    "nationality",
                    "how_heard",
                    "consent_privacy",
                    "consent_attendee_list",
                    "consent_marketing",
                )
            },
        ),
        (_("Overrides"), {"fields": ("override_window", "override_capacity")}),
    )

    class Media:
        js = ("js/on_behalf.js",)

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["category"].queryset = (
            DelegateCategory.objects.filter(event__in=events)
            .select_related("event")
            .order_by("-event__start_date", "event_id", "display_order", "pk")
        )

    def clean(self):
        cleaned = super().clean()
        event, category = cleaned.get("event"), cleaned.get("category")
        if event and category and category.event_id != event.pk:
            self.add_error("category", _("This category does not belong to this event."))
        # An empty Latin name keeps the profile's: only the service knows whether there is one.
        problems = rules.visa_letter_problems(
            visa_letter_needed=cleaned.get("visa_letter_needed", False),
            nationality=cleaned.get("nationality", ""),
            latin_name=cleaned.get("latin_name") or rules.UNKNOWN,
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned

    def profile(self) -> dict:
        """Profile fields for `register_on_behalf`: empty ones keep the profile's value."""
        values = {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
        values["preferred_language"] = self.cleaned_data["language"]
        return values

    def registration_options(self) -> dict:
        """`register_on_behalf`'s other keyword arguments; an empty language keeps the
        profile's."""
        values = {name: self.cleaned_data[name] for name in REGISTRATION_FIELDS}
        values["language"] = self.cleaned_data["language"]
        values["approve_now"] = self.cleaned_data["approve_now"]
        return values
