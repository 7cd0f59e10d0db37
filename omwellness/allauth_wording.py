"""Catalogue entries for allauth's own words on the site's account pages.

allauth ships French from France ("e-mail"). The site's catalogue (LOCALE_PATHS) comes
before allauth's, so marking these allauth messages here gives the labels, placeholders
and errors people see on the sign-in and sign-up pages the Canadian word ("courriel")
and the site's typography. Nothing imports this module: it exists for `makemessages`.
"""

from django.utils.translation import gettext_noop

ALLAUTH_WORDING = (
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("Email (optional)"),
    gettext_noop("Forgot your password?"),
    gettext_noop("The email address and/or password you specified are not correct."),
)
