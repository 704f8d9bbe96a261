from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self):
        from registrations import extensions

        from . import services

        extensions.registration_created.connect(
            services.issue_badge_for_new_registration,
            dispatch_uid="badges.issue_badge_for_new_registration",
        )
