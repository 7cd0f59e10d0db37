"""The French catalogue compiled with babel, no GNU gettext: what Django reads."""

import gettext
import os

from django.test import override_settings

from omwellness.catalogues import catalogues_check, compile_all

PO = """msgid ""
msgstr ""
"Language: fr\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Programs"
msgstr "Programmes"

#, fuzzy
msgid "Program"
msgstr "Programmes"

msgid "%(count)s seat left"
msgid_plural "%(count)s seats left"
msgstr[0] "%(count)s place restante"
msgstr[1] "%(count)s places restantes"
"""


def test_french_catalogue_compiles_without_gettext_and_leaves_guesses_out(tmp_path):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(PO, encoding="utf-8")
    with override_settings(LOCALE_PATHS=[tmp_path]):
        assert [e.id for e in catalogues_check()] == ["omwellness.E002"]  # not compiled yet
        assert compile_all([tmp_path]) == [folder / "django.po"]
        assert catalogues_check() == []
    assert compile_all([tmp_path]) == []  # up to date: left alone
    with (folder / "django.mo").open("rb") as mo:
        french = gettext.GNUTranslations(mo)
    assert french.gettext("Programs") == "Programmes"
    assert french.gettext("Program") == "Program"  # the fuzzy guess is not used
    assert french.ngettext("%(count)s seat left", "%(count)s seats left", 2) == (
        "%(count)s places restantes"
    )
    assert oct(os.stat(folder / "django.mo").st_mode & 0o777) == "0o644"
