"""Where the apps that hang off registrations plug in (visa letters, invoices, badges, …).

`registrations` may not import those apps (docs/architecture.md), so it announces what
happens and asks for what to show, and they answer:

- `registration_created`, `registration_status_changed` and `registration_checked_in` are
  sent by the services in `services.py`, **inside the transaction** that made the change and
  after its history row, with the event and category rows still locked (a check-in locks
  only the registration row). A receiver that writes (an invoice, a
  visa request's withdrawal) is part of that transaction: if it raises, nothing is saved.
  Receivers therefore do only database work; anything that leaves the process (e-mail, a
  task) goes through the outbox or `transaction.on_commit`, as everywhere. A receiver that
  takes further row locks takes them after the registration's (the lock order in
  docs/architecture.md).
- `detail_panels` are small templates an app adds to the delegate's registration page
  (`registration_detail.html`), each rendered with the request and the registration.
- `confirmation_panels` are the same kind of sections for the thank-you page shown right
  after registering (the price lines); `email_context` providers add values to the context
  of the delegate's registration e-mails (`provider(registration) -> dict`, rendered after
  commit by the outbox; the templates show what they know, e.g. `price_lines`).
- `dashboard_panels` are sections an app adds to an event's staff dashboard (the exports
  app's page; billing's totals per currency), each a `DetailPanel` whose `context` gets the
  request and the event. The dashboard's readers include organisers: show totals only.
- `form_sections` are fieldsets an app adds to the registration form (billing details for a
  paid category): each is its own `Form`, shown in its own fieldset for the categories it
  `applies_to`, validated only when the chosen category is one of them, and its cleaned data
  handed to `register_delegate(form_sections=…)`, which passes it on with
  `registration_created` as `form_sections={name: cleaned_data}` (an empty dict when there
  is none). The server decides which sections count; the page's script only hides the others.
  A section whose fields depend on the event (the add-ons on offer) sets `with_categories`:
  its form is built with `categories=` as well and says itself which categories it applies
  to (`form.applies_to(category)`).
- the `category gate` (one, set by the pricing app with `set_category_gate`) decides which
  invite-only categories (`DelegateCategory.invite_only`) a form's data unlocks, and whether
  a registration may be made in a category with the data its form sections carry (an
  invitation or discount code): `register_delegate` asks it under the event and category
  locks, before it inserts anything. Without a gate, invite-only categories are closed to
  everyone but the secretariat.

- `registration_substituted` is sent by `substitute_registration` inside its transaction,
  after the registration was handed to another person (a badge to reissue, a visa request
  in the old person's name to withdraw).
- `email_copies` are functions another app registers (`add_email_copies`) that name who
  receives a copy of a delegate's e-mail about their registration (a delegation's focal
  point): each returns `[(address, language), ...]` for a registration and may make one
  query. They are asked for the e-mails of a change to an existing registration (status,
  promotion, substitution), not for a new registration's first e-mails: a registration made
  by another app (a delegation) is announced by that app, once its own rows exist.

These are explicit calls from services, not `post_save` signals: every sender is listed
above, and a receiver is connected in its app's `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext

# kwargs: registration (just inserted), actor (the user who acted, the delegate or staff),
# form_sections ({section name: cleaned data} of the form sections that applied; may be {}).
registration_created = Signal()

# kwargs: registration (already saved with its new status), from_status, to_status, actor
# (None for the system, e.g. a waitlist promotion caused by a capacity change), action
# (a `RegistrationHistory.Action` value).
registration_status_changed = Signal()

# kwargs: registration (already saved in the new person's name), old_delegate (the user it
# belonged to), actor, reason.
registration_substituted = Signal()

_email_copies: list[Callable] = []


def add_email_copies(provider: Callable) -> None:
    """Register a provider of copy recipients (from an `AppConfig.ready()`); the same one
    again is a no-op."""
    if provider not in _email_copies:
        _email_copies.append(provider)


def email_copies(registration) -> list[tuple[str, str]]:
    """Who receives a copy of the delegate's e-mails about `registration`: (address, language)
    pairs, without the delegate's own address and without repeats."""
    seen = {registration.email.lower()}
    copies = []
    for provider in _email_copies:
        for address, language in provider(registration):
            if address and address.lower() not in seen:
                seen.add(address.lower())
                copies.append((address, language))
    return copies


# kwargs: registration (just checked in, `checked_in_at` set), actor. Sent by
# `check_in_registration` inside its transaction: a check-in changes no status.
registration_checked_in = Signal()


@dataclass(frozen=True)
class DetailPanel:
    """A section of the delegate's registration page contributed by another app.

    `context` returns the template's context for this request and registration, or None to
    show nothing (e.g. no visa letter asked for); it is called once per page view, so it
    should make at most a query or two.
    """

    template: str
    context: Callable[..., dict | None]
    order: int = 100


def _add(panels: list[DetailPanel], panel: DetailPanel) -> None:
    """Register `panel` in `panels`, kept in their order; the same one again is a no-op."""
    if panel not in panels:
        panels.append(panel)
        panels.sort(key=lambda each: each.order)


def _render(panels: list[DetailPanel], request, name: str, subject) -> list[SafeString]:
    """The panels' HTML for `subject` (given to each template as `name`), in their order;
    those whose context is None are left out."""
    rendered = []
    for panel in panels:
        context = panel.context(request, subject)
        if context is None:
            continue
        context = {name: subject, **context}
        rendered.append(SafeString(render_to_string(panel.template, context, request=request)))
    return rendered


_detail_panels: list[DetailPanel] = []
_confirmation_panels: list[DetailPanel] = []
_dashboard_panels: list[DetailPanel] = []


def add_detail_panel(panel: DetailPanel) -> None:
    """Register a registration-page panel (from an `AppConfig.ready()`)."""
    _add(_detail_panels, panel)


def detail_panels(request, registration) -> list[SafeString]:
    """The panels' HTML for this registration page, in their order; empty ones left out."""
    return _render(_detail_panels, request, "registration", registration)


def add_confirmation_panel(panel: DetailPanel) -> None:
    """Register a thank-you-page panel (from an `AppConfig.ready()`)."""
    _add(_confirmation_panels, panel)


def confirmation_panels(request, registration) -> list[SafeString]:
    """The panels' HTML for the thank-you page, in their order; empty ones left out."""
    return _render(_confirmation_panels, request, "registration", registration)


def add_dashboard_panel(panel: DetailPanel) -> None:
    """Register an event-dashboard panel (from an `AppConfig.ready()`)."""
    _add(_dashboard_panels, panel)


def dashboard_panels(request, event) -> list[SafeString]:
    """The panels' HTML for this event's dashboard, in their order; empty ones left out."""
    return _render(_dashboard_panels, request, "event", event)


_email_context: list[Callable] = []


def add_email_context(provider: Callable) -> None:
    """Register a provider of registration e-mail context (from an `AppConfig.ready()`)."""
    if provider not in _email_context:
        _email_context.append(provider)


def email_context(registration) -> dict:
    """What the providers add to a registration e-mail's context."""
    context = {}
    for provider in _email_context:
        context.update(provider(registration))
    return context


@dataclass(frozen=True)
class FormSection:
    """A fieldset of the registration form contributed by another app.

    `form_class` is built as `form_class(data, prefix=name)` (its fields are named
    `<name>-<field>`); `applies_to(category)` says whether the chosen category needs it and
    must not query the database (the categories are already loaded, e.g. "costs money").

    With `with_categories`, the form is built as `form_class(data, prefix=name,
    categories=…)` — the page's categories, or the chosen one on submit (all of one event) —
    and `form.applies_to(category)` has the last word after `applies_to`: such a form may
    make one query for the event (e.g. the add-ons it offers, with places left).
    """

    name: str
    legend: str
    form_class: type[forms.Form]
    applies_to: Callable[..., bool]
    order: int = 100
    # From the page's query string (an invitation link's ?code=…) to the form's initial values.
    initial_from_query: Callable[..., dict] | None = None
    # Shown before a category is chosen (the page's script hides the others until then): a
    # code that unlocks categories is entered before choosing one.
    always_shown: bool = False
    with_categories: bool = False

    def build(self, data, categories, *, initial=None) -> forms.Form:
        if self.with_categories:
            return self.form_class(
                data, prefix=self.name, initial=initial, categories=list(categories)
            )
        return self.form_class(data, prefix=self.name, initial=initial)

    def applies_with(self, form: forms.Form, category) -> bool:
        return not self.with_categories or form.applies_to(category)


@dataclass
class BoundFormSection:
    """A form section on one page: its form and the ids of the categories it applies to."""

    section: FormSection
    form: forms.Form
    category_ids: str  # space-separated, for the page's script

    @property
    def legend(self) -> str:
        return self.section.legend


_form_sections: list[FormSection] = []


def add_form_section(section: FormSection) -> None:
    """Register a section (from an `AppConfig.ready()`); the same one again is a no-op."""
    if all(each.name != section.name for each in _form_sections):
        _form_sections.append(section)
        _form_sections.sort(key=lambda each: each.order)


def bound_form_sections(
    data, categories, *, forms: dict | None = None, query=None
) -> list[BoundFormSection]:
    """The sections that apply to at least one of `categories`, bound to `data` (None on a
    GET), in their order; a form already validated by `clean_form_sections` (in `forms`) is
    reused, so the page shows its errors. On a GET, `query` (the page's query string) gives
    the sections that read it their initial values."""
    forms = forms if forms is not None else {}
    bound = []
    for section in _form_sections:
        candidates = [category for category in categories if section.applies_to(category)]
        if not candidates:
            continue
        form = forms.get(section.name)
        if form is None:
            initial = None
            if data is None and query and section.initial_from_query is not None:
                initial = section.initial_from_query(query)
            form = section.build(data, candidates, initial=initial)
        ids = [str(category.pk) for category in candidates if section.applies_with(form, category)]
        if ids:
            bound.append(BoundFormSection(section, form, " ".join(ids)))
    return bound


def clean_form_sections(data, category, *, forms: dict | None = None) -> dict | None:
    """For the chosen `category`: {name: cleaned data} of the sections that apply to it, or
    None when one of them is invalid. Sections that do not apply are ignored, whatever was
    posted for them. The forms built are put in `forms` (by name) for the page to show."""
    forms = forms if forms is not None else {}
    cleaned = {}
    valid = True
    for section in _form_sections:
        if not section.applies_to(category):
            continue
        form = section.build(data, [category])
        if not section.applies_with(form, category):
            continue
        forms[section.name] = form
        if form.is_valid():
            cleaned[section.name] = form.cleaned_data
        else:
            valid = False
    return cleaned if valid else None


@dataclass(frozen=True)
class CategoryGate:
    """Who may register in which category, beyond the window and the places (the pricing
    app's invitation codes).

    `unlocked(event, data)` returns the ids of the event's invite-only categories that the
    form data or query string `data` unlocks (for the form's choices: no lock, may query).
    `refusal(event, category, form_sections, *, staff)` is asked by `register_delegate` under
    the event and category locks, before any insert: a translated message refusing the
    registration, or None. `staff` is True when the secretariat registers someone (they may
    use invite-only categories without a code; a code they give is still checked).
    """

    unlocked: Callable[..., set[int]]
    refusal: Callable[..., str | None]


_category_gate: list[CategoryGate] = []


def set_category_gate(gate: CategoryGate) -> None:
    """Install the gate (from an `AppConfig.ready()`); the last one set wins."""
    _category_gate[:] = [gate]


def unlocked_categories(event, data) -> set[int]:
    """The ids of `event`'s invite-only categories that `data` (a form or query) unlocks."""
    if not _category_gate or not data:
        return set()
    return _category_gate[0].unlocked(event, data)


def category_refusal(event, category, form_sections: dict, *, staff: bool) -> str | None:
    """Why a registration in `category` is refused (a translated message), or None."""
    if _category_gate:
        return _category_gate[0].refusal(event, category, form_sections, staff=staff)
    if category.invite_only and not staff:
        return gettext("This category is by invitation only.")
    return None
