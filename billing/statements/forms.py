"""The statement upload form: which account, which format, the file, and — for CSV — the
columns, each falling back to what is saved for the account."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import BankAccount, StatementFormat, StatementSettings
from .selectors import statement_settings

LAYOUT_FIELDS = (
    "date_column",
    "amount_column",
    "currency_column",
    "reference_column",
    "counterparty_column",
    "bank_id_column",
    "delimiter",
    "decimal_separator",
    "date_format",
)


class StatementUploadForm(forms.Form):
    bank_account = forms.ModelChoiceField(
        label=_("Bank account"),
        queryset=BankAccount.objects.select_related("entity").order_by(
            "entity__legal_name", "currency", "pk"
        ),
    )
    statement_format = forms.ChoiceField(
        label=_("Statement format"),
        choices=StatementFormat.choices,
        initial=StatementFormat.CAMT053,
    )
    file = forms.FileField(label=_("Statement file"))
    fee_tolerance = forms.DecimalField(
        label=_("Bank fee tolerance"),
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=3,
        help_text=_("Empty: the account's saved tolerance."),
    )
    remember = forms.BooleanField(
        label=_("Save this CSV layout and tolerance for the account"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LAYOUT_FIELDS:
            model_field = StatementSettings._meta.get_field(name)
            field = model_field.formfield(required=False)
            if isinstance(field, forms.TypedChoiceField):
                field.choices = [("", gettext("As saved for the account"))] + [
                    choice for choice in field.choices if choice[0] != ""
                ]
            field.help_text = gettext("Empty: as saved for the account.")
            field.initial = None
            self.fields[name] = field

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.BILLING_STATEMENT_MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(size)d MB.")
                % {"size": settings.BILLING_STATEMENT_MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("bank_account")
        if account is None:
            return cleaned
        layout = statement_settings(account)
        for name in LAYOUT_FIELDS:
            value = cleaned.get(name)
            if value not in (None, ""):
                setattr(layout, name, value)
        if cleaned.get("fee_tolerance") is not None:
            layout.fee_tolerance = cleaned["fee_tolerance"]
        cleaned["layout"] = layout
        return cleaned
