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
- `dashboard_panels` are sections an app adds to an event's staff dashboard (the exports
  app's page; billing's totals per currency), each a `DetailPanel` whose `context` gets the
  request and the event. The dashboard's readers include organisers: show totals only.
- `form_sections` are fieldsets an app adds to the registration form (billing details for a
  paid category): each is its own `Form`, shown in its own fieldset for the categories it
  `applies_to`, validated only when the chosen category is one of them, and its cleaned data
  handed to `register_delegate(form_sections=…)`, which passes it on with
  `registration_created` as `form_sections={name: cleaned_data}` (an empty dict when there
  is none). The server decides which sections count; the page's script only hides the others.

These are explicit calls from services, not `post_save` signals: every sender is listed
above, and a receiver is connected in its app's `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# kwargs: registration (just inserted), actor (the user who acted, the delegate or staff),
# form_sections ({section name: cleaned data} of the form sections that applied; may be {}).
registration_created = Signal()

# kwargs: registration (already saved with its new status), from_status, to_status, actor
# (None for the system, e.g. a waitlist promotion caused by a capacity change), action
# (a `RegistrationHistory.Action` value).
registration_status_changed = Signal()

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


_detail_panels: list[DetailPanel] = []


def add_detail_panel(panel: DetailPanel) -> None:
    """Register a panel (from an `AppConfig.ready()`); registering the same one again is a no-op."""
    if panel not in _detail_panels:
        _detail_panels.append(panel)
        _detail_panels.sort(key=lambda each: each.order)


def detail_panels(request, registration) -> list[SafeString]:
    """The panels' HTML for this registration page, in their order; empty ones left out."""
    rendered = []
    for panel in _detail_panels:
        context = panel.context(request, registration)
        if context is None:
            continue
        context = {"registration": registration, **context}
        rendered.append(SafeString(render_to_string(panel.template, context, request=request)))
    return rendered


_dashboard_panels: list[DetailPanel] = []


def add_dashboard_panel(panel: DetailPanel) -> None:
    """Register a dashboard panel (from an `AppConfig.ready()`); the same one again is a no-op."""
    if panel not in _dashboard_panels:
        _dashboard_panels.append(panel)
        _dashboard_panels.sort(key=lambda each: each.order)


def dashboard_panels(request, event) -> list[SafeString]:
    """The panels' HTML for this event's dashboard, in their order; empty ones left out."""
    rendered = []
    for panel in _dashboard_panels:
        context = panel.context(request, event)
        if context is None:
            continue
        context = {"event": event, **context}
        rendered.append(SafeString(render_to_string(panel.template, context, request=request)))
    return rendered


@dataclass(frozen=True)
class FormSection:
    """A fieldset of the registration form contributed by another app.

    `form_class` is built as `form_class(data, prefix=name)` (its fields are named
    `<name>-<field>`); `applies_to(category)` says whether the chosen category needs it and
    must not query the database (the categories are already loaded, e.g. "costs money").
    """

    name: str
    legend: str
    form_class: type[forms.Form]
    applies_to: Callable[..., bool]
    order: int = 100


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


def bound_form_sections(data, categories, *, forms: dict | None = None) -> list[BoundFormSection]:
    """The sections that apply to at least one of `categories`, bound to `data` (None on a
    GET), in their order; a form already validated by `clean_form_sections` (in `forms`) is
    reused, so the page shows its errors."""
    forms = forms if forms is not None else {}
    bound = []
    for section in _form_sections:
        ids = [str(category.pk) for category in categories if section.applies_to(category)]
        if ids:
            form = forms.get(section.name) or section.form_class(data, prefix=section.name)
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
        form = forms[section.name] = section.form_class(data, prefix=section.name)
        if form.is_valid():
            cleaned[section.name] = form.cleaned_data
        else:
            valid = False
    return cleaned if valid else None
