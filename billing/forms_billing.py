"""The forms of the Billing pages: the spend alert thresholds and a dispute of an invoice line.

billing.spend and billing.disputes hold their rules."""

from decimal import Decimal

from django import forms

from .disputes import DISPUTE_DAYS


class ThresholdField(forms.DecimalField):
    """An amount in dollars, more than zero; empty means no alert."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_digits=12,
            decimal_places=2,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value is not None and value <= Decimal(0):
            raise forms.ValidationError(
                "%(label)s must be more than $0, or empty for no alert.",
                code="not_positive",
                params={"label": self.label},
            )


class SpendAlertForm(forms.Form):
    monthly_spend = ThresholdField(
        label="Monthly spend alert ($)",
        help_text="E-mail us all when this month's charges so far reach this amount.",
    )
    international_hourly = ThresholdField(
        label="International calls alert ($ an hour)",
        help_text="E-mail us all when one hour's international calls cost this much: a sudden "
        "burst of them can be toll fraud.",
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this line wrong?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why this line is wrong."},
        help_text=f"Lines of unpaid invoices can be disputed for {DISPUTE_DAYS} days after the "
        "invoice is issued. We look into it and e-mail you our answer.",
    )
