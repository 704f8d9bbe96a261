"""The upload form of the petition numbers (the file's contents are checked by `reading`)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PetitionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in list (CSV or XLSX)"),
        help_text=_(
            "The downloaded list with the petition numbers filled in, or any sheet with a "
            "“Petition number” column and a “Request number” or “Letter number” column."
        ),
        error_messages={
            "required": _("Choose the file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("No file was uploaded. Choose the file and try again."),
        },
    )


class PetitionConfirmForm(forms.Form):
    """The report's confirmation: the rows read from the file and what they would record,
    signed (`views_petition`), so nothing but what was shown can be applied."""

    token = forms.CharField(widget=forms.HiddenInput)
