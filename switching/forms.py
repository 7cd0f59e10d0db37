from django import forms

from omwellness.money import format_money
from registrations.forms import IntakeQuestionsMixin

from .selectors import SwitchOffer


def _difference(cents: int) -> str:
    if cents > 0:
        return f"you pay {format_money(cents)} more"
    if cents < 0:
        return f"{format_money(-cents)} refunded to you"
    return "no difference"


class SwitchForm(IntakeQuestionsMixin, forms.Form):
    """Confirms a switch: the target it was drawn for, a price when the person's own is
    not offered there, and the target's questions when they differ."""

    target = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, offer: SwitchOffer, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer
        if offer.kept is None:
            self.fields["price"] = forms.TypedChoiceField(
                label="Your fee for the next term",
                coerce=int,
                choices=[
                    (
                        p.option.pk,
                        f"{p.option.label}: {format_money(p.amount_due_cents)} "
                        f"({_difference(p.difference_cents)})",
                    )
                    for p in offer.prices
                ],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose the fee for the next term."},
            )
        self.add_question_fields(offer.questions)

    def price_option(self):
        if self.offer.kept is not None:
            return self.offer.kept.option
        chosen = self.cleaned_data["price"]
        return next(p.option for p in self.offer.prices if p.option.pk == chosen)
