"""What the site accepts as a person's name, wherever someone types one."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Letters (Unicode category Lo) that draw nothing: Hangul fillers, used to make names
# that look empty.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def person_name(value: str) -> str:
    """The name as it will be stored and shown, or ValidationError with what to fix.

    Format characters (category Cf: zero-width spaces and joiners, bidi overrides and
    isolates, soft hyphens) are removed: they can hide a name, reverse it on a roster
    or in an email subject, or make two names that look alike differ. Control
    characters go too, runs of spaces become one, and what is left must hold at least
    one letter, so a name made only of invisible characters, spaces or punctuation is
    refused.
    """
    kept = "".join(
        char
        for char in unicodedata.normalize("NFC", value)
        if unicodedata.category(char) not in ("Cf", "Cc") or char.isspace()
    )
    kept = "".join(char for char in kept if char not in INVISIBLE_LETTERS)
    name = " ".join(kept.split())
    if not name:
        raise ValidationError(_("Please tell us your name."), code="required")
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise ValidationError(_("Please write your name with at least one letter."), code="letters")
    return name
