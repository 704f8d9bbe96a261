"""The refusals of the visa services: each carries a translated message fit to show."""

from django.utils.translation import gettext_lazy as _

from ..models import VisaRequest


class VisaError(Exception):
    """A visa rule refused the action. `message` is translated and fit to show."""

    default_message = _("This visa letter request cannot be changed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class AlreadyRequested(VisaError):
    default_message = _(
        "You have already requested a visa invitation letter for this registration."
    )

    def __init__(self, request: VisaRequest, message=None):
        self.request = request
        super().__init__(message)


class RegistrationNotActive(VisaError):
    default_message = _("A visa letter can only be requested for an active registration.")


class VisaLetterNotNeeded(VisaError):
    default_message = _(
        "Your registration does not ask for a visa invitation letter: change your "
        "registration first."
    )


class InvalidTransition(VisaError):
    default_message = _("This visa letter request's status does not allow this action.")


class ReasonRequired(VisaError):
    default_message = _("Please give a reason.")


class PetitionNumberInvalid(VisaError):
    default_message = _(
        "Enter the petition number the migration service gave (up to 50 characters)."
    )


class RegistrationNotConfirmed(VisaError):
    default_message = _("A letter can only be issued for a confirmed registration.")


class PassportDataWiped(VisaError):
    default_message = _("The passport data of this request has been wiped.")
