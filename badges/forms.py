"""Forms of the badges app: the reason asked before a reprint or a reissue."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PrintForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reprint"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when some of the badges were printed before (e.g. a lost badge)."),
    )

    def __init__(self, *args, reprints: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = bool(reprints)


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the badge reissued?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The old badge's QR code stops working at once."),
    )
