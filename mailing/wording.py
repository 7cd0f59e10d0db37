"""What a person is asked, word for word: shown beside an unticked box on the registration
form and the program pages' form, and copied into each Consent it records.

CASL (s. 10) asks that a request for consent say who asks (the centre's name and how to
reach it: `templatetags/mailing_tags.py` prints them under the box from the centre's
details) and that consent can be withdrawn. Change the words here; consents given
before keep the words they were given with. A French reader is asked in French, and
their consent keeps the French words they saw.
"""

from django.utils.translation import gettext, gettext_lazy, gettext_noop

CONSENT_WORDING = gettext_noop(
    "Tell me about future programs. omwellness may write to me with news of its "
    "programs and events; I can unsubscribe at any time."
)


def consent_wording() -> str:
    """The wording in the active language: the words the person is reading now."""
    return gettext(CONSENT_WORDING)


CONSENT_LABEL = gettext_lazy(CONSENT_WORDING)
