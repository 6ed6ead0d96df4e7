"""The forms of paying invoices, payment methods and AutoPay; billing.paying holds their rules.

No form here ever takes a card or account number: those are typed on the gateway's hosted page.
"""

import uuid

from django import forms

from .models import MethodKind

NEW_CARD, NEW_BANK = "new_card", "new_bank"
NEW_METHODS = {NEW_CARD: MethodKind.CARD, NEW_BANK: MethodKind.BANK}


def new_payment_key():
    """The idempotency key of one payment, made when its form is shown: posted twice (a double
    click, a retry) the form pays once."""
    return uuid.uuid4().hex


class PayForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount (USD)",
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="The whole balance, or part of it.",
    )
    method = forms.ChoiceField(label="Pay with", widget=forms.RadioSelect)
    save_method = forms.BooleanField(
        label="Save the new card or bank account for later payments and AutoPay",
        required=False,
    )
    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = {str(method.pk): method for method in methods}
        self.fields["method"].choices = [
            *((pk, method.label) for pk, method in self.methods.items()),
            (NEW_CARD, "A new card"),
            (NEW_BANK, "A new bank account (ACH)"),
        ]

    def clean_method(self):
        """A saved PaymentMethod, or the kind of the new one to enter on the hosted page."""
        choice = self.cleaned_data["method"]
        return self.methods.get(choice) or NEW_METHODS[choice]


class AddMethodForm(forms.Form):
    kind = forms.ChoiceField(
        label="Add a payment method",
        choices=MethodKind.choices,
        widget=forms.RadioSelect,
        initial=MethodKind.CARD,
    )


class AutoPayForm(forms.Form):
    autopay = forms.BooleanField(label="Pay each invoice on its due date", required=False)
    autopay_method = forms.ModelChoiceField(
        label="Pay with",
        queryset=None,
        required=False,
        empty_label="Choose a payment method",
        help_text="Needed to turn AutoPay on.",
    )

    def __init__(self, *args, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["autopay_method"].queryset = methods
