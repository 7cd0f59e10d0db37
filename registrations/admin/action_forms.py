"""The forms of the registration admin's actions: cancel with a refund, transfer."""

from decimal import Decimal
from typing import cast

from django import forms

from programs.models import PriceOption, Program
from registrations import services

from .display import cad


class CancelForm(forms.Form):
    REFUND_CHOICES = [
        ("policy", "What the cancellation policy gives today"),
        ("full", "Everything paid"),
        ("none", "No refund"),
        ("amount", "This amount, for each selected registration"),
    ]
    refund = forms.ChoiceField(choices=REFUND_CHOICES, widget=forms.RadioSelect, initial="policy")
    amount = forms.DecimalField(
        label="Amount (CAD)", min_value=Decimal("0.01"), decimal_places=2, required=False
    )
    reason = forms.CharField(
        max_length=250, help_text="Recorded with the cancellation and shown on the refund."
    )

    def __init__(self, *args, may_refund: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_refund:
            # Without the refund permission the only choice is none: any other is refused.
            cast(forms.ChoiceField, self.fields["refund"]).choices = [("none", "No refund")]
            self.fields["refund"].initial = "none"
            self.fields["refund"].help_text = "Your account is not set up to give refunds."
            del self.fields["amount"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("refund") == "amount" and cleaned.get("amount") is None:
            self.add_error("amount", "Enter the amount to refund.")
        return cleaned

    def refund_cents(self, registration) -> int | None:
        choice = self.cleaned_data["refund"]
        if choice == "policy":
            return None
        if choice == "full":
            return services.paid_cents(registration=registration)
        if choice == "none":
            return 0
        return int(self.cleaned_data["amount"] * 100)


class TransferPriceField(forms.ModelChoiceField):
    def label_from_instance(self, option):
        return f"{option.program.title}: {option.label} ({cad(option.amount_cents)})"


class TransferForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=Program.objects.filter(status=Program.Status.PUBLISHED),
        label="New program",
        help_text=(
            "Only confirmed registrations move, each with its payment, to a free seat there. "
            "Nothing is charged or refunded. The intake answers given for the old program are "
            "deleted, not passed on: the log records how many. If the new program asks "
            "questions, the person is emailed a link to answer them, and you can fill them in "
            "from the registration's page here. The person also gets a confirmation for the "
            "new program. If any selected registration cannot move, none is moved."
        ),
    )
    price_option = TransferPriceField(
        queryset=PriceOption.objects.filter(program__status=Program.Status.PUBLISHED)
        .select_related("program")
        .order_by("program__title", "position", "amount_cents"),
        label="Price option in the new program",
        help_text="Becomes the registration's price option; the amount already due stays.",
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        program, option = cleaned.get("program"), cleaned.get("price_option")
        if program and option and option.program_id != program.pk:
            self.add_error("price_option", f"Choose a price of {program.title}.")
        return cleaned
