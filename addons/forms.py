"""The add-ons section of the registration form, and the form on the registration page."""

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import latin_name_validator
from minex.widgets import PythonWidgetRenderer
from registrations.extensions import FormSection
from registrations.forms import PlainTextField
from registrations.templatetags.money import format_money

from .models import PPESize
from .selectors import event_add_ons


def option_label(add_on) -> str:
    """ "Gala dinner — €150.00 · 3 left" (`add_on` annotated by `selectors.event_add_ons`)."""
    price = (
        _("free")
        if add_on.is_free
        else format_money(add_on.price, add_on.currency, get_language() or "")
    )
    if add_on.left is None:
        places = ""
    elif add_on.left > 0:
        places = _("%(count)s left") % {"count": add_on.left}
    else:
        places = _("full: waitlist")
    return " · ".join(part for part in (f"{add_on.name} — {price}", str(places)) if part)


def offered_to_category(add_on, category) -> bool:
    """The shape of `services.offered_to` for a category (no registration yet)."""
    if add_on.category_ids and category.pk not in add_on.category_ids:
        return False
    return add_on.is_free or add_on.currency == category.currency


class AddOnChoiceForm(forms.Form):
    """Which of the event's add-ons to book, and the details some of them ask for.

    Built for the categories of one event (`categories`); one query for the add-ons on sale
    with their places left. Cleaned data: `add_ons` (the AddOn rows ticked), `ppe_size`,
    `passport_name`."""

    default_renderer = PythonWidgetRenderer

    def __init__(self, data=None, *, categories, exclude=(), only_offered=False, **kwargs):
        super().__init__(data, **kwargs)
        self.categories = list(categories)
        now = timezone.now()
        # The registration form lists every add-on on sale, each saying which categories it is
        # for when not all: a ticked one that the chosen category may not book is refused
        # with a message, never dropped in silence. The registration page (`only_offered`)
        # lists only what the registration may book.
        self.add_ons = [
            add_on
            for add_on in (event_add_ons(self.categories[0].event_id) if self.categories else [])
            if add_on.on_sale(now)
            and add_on.pk not in exclude
            and (
                not only_offered
                or all(offered_to_category(add_on, category) for category in self.categories)
            )
        ]
        for add_on in self.add_ons:
            label = option_label(add_on)
            allowed = [c for c in self.categories if offered_to_category(add_on, c)]
            if len(self.categories) > 1 and len(allowed) < len(self.categories):
                label = _("%(add_on)s (for: %(categories)s)") % {
                    "add_on": label,
                    "categories": ", ".join(str(category.name) for category in allowed)
                    or _("no category on this page"),
                }
            # The page's script hides an option while a category that may not book it is
            # chosen (static/js/register.js); the server refuses it anyway.
            attrs = {}
            if len(allowed) < len(self.categories):
                attrs["data-categories"] = " ".join(str(category.pk) for category in allowed)
            self.fields[f"add_on_{add_on.pk}"] = forms.BooleanField(
                label=label,
                required=False,
                help_text=add_on.description,
                widget=forms.CheckboxInput(attrs=attrs),
            )
        if any(add_on.asks_ppe_size for add_on in self.add_ons):
            self.fields["ppe_size"] = forms.ChoiceField(
                label=_("PPE size (site visit)"),
                choices=[("", "—"), *PPESize.choices],
                required=False,
            )
        if any(add_on.asks_passport_name for add_on in self.add_ons):
            self.fields["passport_name"] = PlainTextField(
                label=_("Name as in your passport (site visit)"),
                max_length=200,
                required=False,
                validators=[latin_name_validator],
                help_text=_("Latin letters, as printed in the passport."),
            )

    def applies_to(self, category) -> bool:
        """Whether the section shows (and counts) for `category`: when it may book one of
        the add-ons on sale. For a category that may book none, the section is hidden and
        whatever was posted for it ignored, like any section that does not apply."""
        return any(offered_to_category(add_on, category) for add_on in self.add_ons)

    def chosen(self) -> list:
        return [add_on for add_on in self.add_ons if self.cleaned_data.get(f"add_on_{add_on.pk}")]

    def clean(self):
        cleaned = super().clean()
        chosen = self.chosen()
        for add_on in chosen:
            if not all(offered_to_category(add_on, category) for category in self.categories):
                self.add_error(
                    f"add_on_{add_on.pk}",
                    _("%(add_on)s is not offered for this category.") % {"add_on": add_on.name},
                )
        if any(add_on.asks_ppe_size for add_on in chosen) and not cleaned.get("ppe_size"):
            self.add_error("ppe_size", _("Choose your PPE size for the site visit."))
        # The registration form's own name in Latin letters stands in for the passport name.
        fallback = (self.data.get("latin_name") or "").strip() if self.prefix else ""
        if any(add_on.asks_passport_name for add_on in chosen) and not (
            cleaned.get("passport_name") or fallback or self.initial.get("passport_name")
        ):
            self.add_error(
                "passport_name", _("Enter your name as in your passport for the site visit.")
            )
        cleaned["add_ons"] = chosen
        cleaned.setdefault("ppe_size", "")
        cleaned["passport_name"] = cleaned.get("passport_name") or ""
        return cleaned

    def details(self) -> dict:
        return {
            "ppe_size": self.cleaned_data.get("ppe_size", ""),
            "passport_name": self.cleaned_data.get("passport_name", ""),
        }


ADD_ONS_SECTION = FormSection(
    name="addons",
    legend=_("Add-ons"),
    form_class=AddOnChoiceForm,
    applies_to=lambda category: True,
    order=30,
    with_categories=True,
)


class BookAddOnsForm(AddOnChoiceForm):
    """The registration page's form: the add-ons not booked yet, for the registration's
    category."""

    def __init__(self, data=None, *, registration, booked_ids=(), **kwargs):
        super().__init__(
            data,
            categories=[registration.category],
            exclude=set(booked_ids),
            only_offered=True,
            initial={"passport_name": registration.latin_name},
            **kwargs,
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned["add_ons"] and not self.errors:
            raise forms.ValidationError(_("Tick at least one add-on to book."))
        return cleaned
