"""Forms of the facilitator portal."""

from typing import cast

from django import forms

PRESENT, ABSENT = "present", "absent"


class AttendanceForm(forms.Form):
    """One present/absent choice per confirmed participant of a session.

    Radio buttons rather than checkboxes: "not marked yet" stays distinct from
    "absent", and each choice is a large target on a phone and an arrow key away.
    """

    def __init__(self, *args, registrations, marks: dict[int, bool], **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            mark = marks.get(registration.pk)
            self.fields[self.field_name(registration)] = forms.ChoiceField(
                label=registration.name,
                choices=[(PRESENT, "Present"), (ABSENT, "Absent")],
                widget=forms.RadioSelect,
                required=False,
                initial=None if mark is None else (PRESENT if mark else ABSENT),
            )

    @staticmethod
    def field_name(registration) -> str:
        return f"r{registration.pk}"

    def rows(self):
        """(registration, bound field) pairs, in roster order, for the template."""
        return [
            (registration, self[self.field_name(registration)])
            for registration in self.registrations
        ]

    def marked(self):
        """(registration, present) for every participant given a mark."""
        for registration in self.registrations:
            value = self.cleaned_data.get(self.field_name(registration))
            if value in (PRESENT, ABSENT):
                yield registration, value == PRESENT


class RosterExportForm(forms.Form):
    """What a CSV export holds. Sensitive answers only by an explicit, separate choice."""

    answers = forms.BooleanField(label="Include intake answers", required=False)
    sensitive = forms.BooleanField(
        label="Also include sensitive (health) answers",
        required=False,
        help_text="Only when you need them: the file may be shared or left on a computer.",
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("sensitive") and not cleaned.get("answers"):
            cleaned["answers"] = True
        return cleaned


class MessageParticipantsForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=150)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="Plain text. Sent from the centre's address to every confirmed participant.",
    )


class SignInSheetForm(forms.Form):
    session = forms.TypedChoiceField(label="Session", coerce=int, required=False)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["session"])
        field.choices = [(session.pk, session.title) for session in sessions]
