from django import forms
from django.utils.translation import gettext as _

from omwellness.money import format_money
from registrations.forms import IntakeQuestionsMixin

from .selectors import SwitchOffer


def _difference(cents: int) -> str:
    if cents > 0:
        return _("you pay %(amount)s more") % {"amount": format_money(cents)}
    if cents < 0:
        return _("%(amount)s refunded to you") % {"amount": format_money(-cents)}
    return _("no difference")


class SwitchForm(IntakeQuestionsMixin, forms.Form):
    """Confirms a switch: the target it was drawn for, a price when the person's own is
    not offered there, and the target's questions when they differ."""

    target = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, offer: SwitchOffer, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer
        if offer.kept is None:
            self.fields["price"] = forms.TypedChoiceField(
                label=_("Your fee for the next term"),
                coerce=int,
                choices=[
                    (
                        p.option.pk,
                        _("%(label)s: %(amount)s (%(difference)s)")
                        % {
                            "label": p.option.label,
                            "amount": format_money(p.amount_due_cents),
                            "difference": _difference(p.difference_cents),
                        },
                    )
                    for p in offer.prices
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose the fee for the next term.")},
            )
        self.add_question_fields(offer.questions)

    def price_option(self):
        if self.offer.kept is not None:
            return self.offer.kept.option
        chosen = self.cleaned_data["price"]
        return next(p.option for p in self.offer.prices if p.option.pk == chosen)
