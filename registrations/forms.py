import re
import secrets
from typing import Any, cast

import phonenumbers
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from mailing.forms import consent_field
from omwellness.names import person_name
from omwellness.tax import NO_TAX, TaxSettings, price_text
from programs.models import Question

MAX_ANSWER_LENGTH: dict[str, int] = {Question.Kind.SHORT_TEXT: 300, Question.Kind.LONG_TEXT: 5000}
# new_submission_key() gives 32 of these; anything else posted is not one we made.
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{32}")


def new_submission_key() -> str:
    """A one-time value for a registration form drawn now (see RegistrationForm)."""
    return secrets.token_urlsafe(24)


def question_field(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.text,
        "required": question.required,
        "help_text": question.help_text,
    }
    if question.kind == Question.Kind.YES_NO:
        return forms.ChoiceField(
            choices=[("Yes", _("Yes")), ("No", _("No"))], widget=forms.RadioSelect, **common
        )
    if question.kind == Question.Kind.CHOICE:
        return forms.ChoiceField(choices=question.choice_pairs, widget=forms.RadioSelect, **common)
    widget = forms.Textarea(attrs={"rows": 4}) if question.kind == Question.Kind.LONG_TEXT else None
    return forms.CharField(
        max_length=MAX_ANSWER_LENGTH.get(question.kind, 300), widget=widget, **common
    )


class IntakeQuestionsMixin(forms.BaseForm):
    """A field per intake question of the program, and the answers as {question id: text}."""

    def add_question_fields(self, questions) -> None:
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = question_field(question)

    def question_fields(self):
        return [self[f"q_{question.pk}"] for question in self.questions]

    def answers(self) -> dict[int, str]:
        return {
            question.pk: str(self.cleaned_data.get(f"q_{question.pk}") or "").strip()
            for question in self.questions
            if self.cleaned_data.get(f"q_{question.pk}") not in (None, "")
        }


class IntakeAnswersForm(IntakeQuestionsMixin, forms.Form):
    """The program's questions alone: asked after a transfer, or filled in by staff."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_question_fields(questions)


class PriceChoiceField(forms.ModelChoiceField):
    """Chooses among the options the form was given, without asking the database again."""

    options: dict[str, object] = {}
    # How an amount is worded: '$450', or with the tax as the centre states it (the form sets it).
    taxable = False
    tax_settings = NO_TAX

    def to_python(self, value):
        if value in self.empty_values:
            return None
        option = self.options.get(str(value))
        if option is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return option

    def label_from_instance(self, option):
        amount = price_text(option.amount_cents, taxable=self.taxable, settings=self.tax_settings)
        # "Standard: $450" / "Standard : 450,00 $" (the option's label and amount escaped).
        price = gettext("%(label)s: %(amount)s") % {"label": option.label, "amount": amount}
        if option.description:
            return format_html("<strong>{}</strong> — {}", price, option.description)
        return format_html("<strong>{}</strong>", price)


class RegistrationForm(IntakeQuestionsMixin, forms.Form):
    # Drawn with the form and sent back with it: the same submission sent twice (its
    # answer lost on the way back) is recognised and makes one registration.
    submission_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=pgettext_lazy("form field", "Email"),
        max_length=254,
        help_text=_("We send your confirmation and the meeting details here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=32,
        help_text=_("Only used if we need to reach you about a session."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    price_option = PriceChoiceField(
        label=_("Your fee"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the fee that fits your means.")},
    )
    discount_code = forms.CharField(
        label=_("Discount code (optional)"), required=False, max_length=40
    )
    # One box for the participant agreement (what MSC is and is not, the cancellation
    # policy, the privacy notice), drawn with its version: the registration records the
    # version this person read, and a form drawn before a new version is asked again.
    agreement_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("I have read and accept the participant agreement above."),
        error_messages={
            "required": _(
                "Please accept the participant agreement (our cancellation policy "
                "and privacy notice) to register."
            )
        },
    )
    # Optional and unticked: registering never depends on it (mailing.wording).
    future_programs = consent_field()

    def __init__(self, *args, program, price_options, questions, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.agreement = agreement
        self.fields["agreement_version"].initial = agreement.version
        price_field = cast(PriceChoiceField, self.fields["price_option"])
        price_field.queryset = program.price_options.filter(pk__in=[p.pk for p in price_options])
        price_field.options = {str(p.pk): p for p in price_options}
        price_field.taxable = program.taxable
        price_field.tax_settings = TaxSettings.current()
        if len(price_options) == 1:
            self.fields["price_option"].initial = price_options[0].pk
        self.add_question_fields(questions)

    def clean_name(self):
        return person_name(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean() or {}
        # A client that sends no version accepts the current one, which this page shows.
        version = cleaned.get("agreement_version")
        if version is not None and version != self.agreement.version:
            self.add_error(
                None,
                _(
                    "The participant agreement has changed since this page was opened. "
                    "Please read it again below and tick the box."
                ),
            )
        return cleaned

    def clean_submission_key(self):
        key = self.cleaned_data["submission_key"]
        return key if SUBMISSION_KEY.fullmatch(key) else ""

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            number = phonenumbers.parse(phone, "CA")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                _("That does not look like a phone number. Try a format like 416-555-0123.")
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class WaitlistForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=pgettext_lazy("form field", "Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_name(self):
        return person_name(self.cleaned_data["name"])
