from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("Mail")

    def ready(self):
        # checks: registers the system checks. tasks: registers the delivery task with Celery
        # in every process, not only in workers (whose autodiscovery imports it): the services
        # publish it by name, and eager mode (the embedded default, the tests) runs a task
        # given by name only once it is registered.
        from . import checks, tasks  # noqa: F401
