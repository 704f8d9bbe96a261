"""Where the apps that hang off registrations plug in (visa letters, invoices, badges, …).

`registrations` may not import those apps (docs/architecture.md), so it announces what
happens and asks for what to show, and they answer:

- `registration_created` and `registration_status_changed` are sent by the services in
  `services.py`, **inside the transaction** that made the change and after its history row,
  with the event and category rows still locked. A receiver that writes (an invoice, a
  visa request's withdrawal) is part of that transaction: if it raises, nothing is saved.
  Receivers therefore do only database work; anything that leaves the process (e-mail, a
  task) goes through the outbox or `transaction.on_commit`, as everywhere. A receiver that
  takes further row locks takes them after the registration's (the lock order in
  docs/architecture.md).
- `detail_panels` are small templates an app adds to the delegate's registration page
  (`registration_detail.html`), each rendered with the request and the registration.

These are explicit calls from services, not `post_save` signals: every sender is listed
above, and a receiver is connected in its app's `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# kwargs: registration (just inserted), actor (the user who acted, the delegate or staff).
registration_created = Signal()

# kwargs: registration (already saved with its new status), from_status, to_status, actor
# (None for the system, e.g. a waitlist promotion caused by a capacity change), action
# (a `RegistrationHistory.Action` value).
registration_status_changed = Signal()


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
