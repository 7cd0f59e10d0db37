from django import forms
from django.utils.translation import gettext_lazy as _

from omwellness.names import person_name

from .wording import CONSENT_LABEL


def consent_field() -> forms.BooleanField:
    """The consent box: never ticked beforehand (CASL wants consent given, not assumed)."""
    return forms.BooleanField(label=CONSENT_LABEL, required=False, initial=False)


class SubscribeForm(forms.Form):
    """The small form on program pages (and /news/): name optional, email, the box."""

    program = forms.SlugField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    consent = consent_field()

    def clean_name(self):
        name = self.cleaned_data["name"]
        return person_name(name) if name.strip() else ""

    def clean_consent(self):
        if not self.cleaned_data["consent"]:
            raise forms.ValidationError(_("Tick the box to ask for news of future programs."))
        return True
