from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self):
        from mail.services import register_context_builder
        from registrations import extensions

        from . import emails, services, tasks  # noqa: F401  (tasks: names registered)
        from .views import ticket_panel

        extensions.registration_created.connect(
            services.issue_badge_for_new_registration,
            dispatch_uid="badges.issue_badge_for_new_registration",
        )
        extensions.registration_created.connect(
            emails.queue_ticket_for_new_registration,
            dispatch_uid="badges.queue_ticket_for_new_registration",
        )
        extensions.registration_substituted.connect(
            services.reissue_badge_for_substitution,
            dispatch_uid="badges.reissue_badge_for_substitution",
        )
        extensions.registration_status_changed.connect(
            emails.queue_ticket_when_confirmed,
            dispatch_uid="badges.queue_ticket_when_confirmed",
        )
        register_context_builder(emails.CONTEXT_BUILDER, emails.build_context)
        extensions.add_detail_panel(ticket_panel)
