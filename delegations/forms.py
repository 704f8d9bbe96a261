"""The focal point's and the sponsor's forms: shape only; the services decide places."""

from django import forms
from django.utils.translation import gettext_lazy as _

from addons.forms import option_label
from registrations.forms import DelegateDetailsMixin, MultilineTextField, PlainTextField

from .models import PackageAddOn, ProtocolRank
from .services import MEMBER_EDITABLE_DETAILS

# The most rows one delegation form offers (`?rows=`); larger groups register in turns or
# through the secretariat.
MAX_ROWS = 30
DEFAULT_ROWS = 4

PERSON_FIELDS = ("title", "first_name", "last_name", "latin_name", "job_title", "organisation",
                 "country")  # fmt: skip


class PersonForm(forms.Form):
    """One person named by someone else: e-mail and the details their profile starts with."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    title = DelegateDetailsMixin.base_fields["title"]
    first_name = DelegateDetailsMixin.base_fields["first_name"]
    last_name = DelegateDetailsMixin.base_fields["last_name"]
    latin_name = DelegateDetailsMixin.base_fields["latin_name"]
    job_title = DelegateDetailsMixin.base_fields["job_title"]
    organisation = DelegateDetailsMixin.base_fields["organisation"]
    country = DelegateDetailsMixin.base_fields["country"]

    def profile(self) -> dict:
        return {name: self.cleaned_data[name] or "" for name in PERSON_FIELDS}


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        if category.invite_only:
            return _("%(category)s (with an invitation code)") % {"category": category.name}
        return category.name


class MemberForm(PersonForm):
    """One row of the delegation form. A row left entirely empty is skipped.

    `add_ons` are the event's add-ons on sale that ask for no further details (a site visit's
    PPE size and passport name are given later, on the person's registration page)."""

    category = CategoryField(label=_("Category"), queryset=None, empty_label="—")
    rank = forms.ModelChoiceField(
        label=_("Protocol rank"), queryset=ProtocolRank.objects.none(), required=False
    )
    code = PlainTextField(
        label=_("Invitation or discount code"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    add_ons = forms.MultipleChoiceField(
        label=_("Add-ons"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, categories, ranks, add_ons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["rank"].queryset = ranks
        self.add_on_rows = {str(add_on.pk): add_on for add_on in add_ons}
        if add_ons:
            self.fields["add_ons"].choices = [
                (str(add_on.pk), option_label(add_on)) for add_on in add_ons
            ]
        else:
            del self.fields["add_ons"]

    def chosen_add_ons(self) -> list:
        return [self.add_on_rows[pk] for pk in self.cleaned_data.get("add_ons") or []]


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not [form for form in self.forms if form.has_changed()]:
            raise forms.ValidationError(_("Add at least one person."))


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, max_num=MAX_ROWS, validate_max=True
)


class DelegationForm(forms.Form):
    name = PlainTextField(
        label=_("Name of the delegation"),
        max_length=200,
        help_text=_("E.g. Ministry of Industry of Mongolia."),
    )
    consent_privacy = forms.BooleanField(
        label=_(
            "Every person named here has read the privacy policy and agrees that their "
            "details are processed for the forum."
        )
    )


class MemberChangeForm(forms.Form):
    """What the focal point may correct in a member's registration."""

    job_title = DelegateDetailsMixin.base_fields["job_title"]
    organisation = DelegateDetailsMixin.base_fields["organisation"]
    phone = DelegateDetailsMixin.base_fields["phone"]
    dietary_needs = MultilineTextField(label=_("Dietary requirements"), max_length=500,
                                       required=False)  # fmt: skip
    accessibility_needs = MultilineTextField(
        label=_("Accessibility requirements"), max_length=500, required=False
    )
    rank = forms.ModelChoiceField(
        label=_("Protocol rank"), queryset=ProtocolRank.objects.all(), required=False
    )

    def details(self) -> dict:
        return {
            name: self.cleaned_data[name] if self.cleaned_data[name] is not None else ""
            for name in MEMBER_EDITABLE_DETAILS
        }


class AddOnPlaceField(forms.ModelChoiceField):
    def label_from_instance(self, place):
        return _("%(add_on)s (%(left)s of %(count)s left)") % {
            "add_on": place.add_on.name,
            "left": place.left,
            "count": place.count,
        }


class SlotForm(PersonForm):
    consent_privacy = DelegationForm.base_fields["consent_privacy"]

    def __init__(self, *args, add_on_places=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Used-up places stay listed ("0 of 2 left"): a stale form is refused by the service.
        places = list(add_on_places)
        if places:
            field = AddOnPlaceField(
                queryset=PackageAddOn.objects.filter(pk__in=[place.pk for place in places]),
                required=False,
                label=_("Add-on place from the package"),
                empty_label=_("None"),
            )
            field.choices = [("", _("None"))] + [
                (place.pk, field.label_from_instance(place)) for place in places
            ]
            self.fields["add_on_place"] = field

    def chosen_add_on(self):
        place = self.cleaned_data.get("add_on_place")
        return place.add_on if place else None
