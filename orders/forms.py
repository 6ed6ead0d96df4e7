"""What every order form asks besides the order's own fields: the customer's reference, and the
hidden token that makes a second submit of the same form find the first order.

A kind's form extends OrderForm and passes order_kwargs() to its placing service, which hands
them to orders.services.place_order; orders.placing.submit_order_form does the rest.
"""

import uuid

from django import forms


class OrderForm(forms.Form):
    customer_reference = forms.CharField(
        label="Order Reference ID",
        max_length=40,
        required=False,
        help_text="Your own reference for this order, if you have one.",
    )
    # A fresh token per form shown: submitting the same form twice places one order.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def order_kwargs(self):
        """The arguments of place_order this form fills in."""
        return {
            "submission_key": self.cleaned_data["submission_key"],
            "customer_reference": self.cleaned_data["customer_reference"],
        }
