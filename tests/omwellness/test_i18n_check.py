"""devtools/i18n_check.py, fed small good and bad samples."""

import io

from babel.messages.pofile import read_po

from devtools import i18n_check


def problems_in_template(source: str, name: str = "templates/sample.html") -> list[str]:
    return [p.text for p in i18n_check.check_template(name, source)]


def test_french_check_finds_an_unmarked_sentence_in_a_template():
    source = '{% load i18n %}\n<h1>{% translate "Welcome" %}</h1>\n<p>Register before Friday.</p>\n'
    (problem,) = i18n_check.check_template("templates/sample.html", source)
    assert (problem.line, problem.text, problem.why) == (
        3,
        "Register before Friday.",
        "unmarked text",
    )
    assert str(problem) == "templates/sample.html:3: unmarked text: 'Register before Friday.'"


def test_french_check_passes_a_marked_template():
    source = (
        "{% load i18n %}{# Not a sentence for anyone #}\n"
        '<h1 title="{% translate "Programs" %}">{% translate "Programs" %}</h1>\n'
        "{% blocktranslate trimmed with name=person.name %}\n"
        "  Hello {{ name }}, see you soon.\n"
        "{% endblocktranslate %}\n"
        "{% comment %}Drawn without the database.{% endcomment %}\n"
        "<script>const label = 'not checked';</script><style>p::after { content: 'x'; }</style>\n"
        "<p>{{ amount }} · 2027 — &amp; omwellness · hello@omwellness.ca · MSC</p>\n"
    )
    assert problems_in_template(source) == []


def test_french_check_reads_attributes_people_read():
    source = (
        '<img src="x.png" alt="A calm room">\n'
        '<input placeholder="Your name" value="{{ v }}">\n'
        '<nav aria-label="Main"></nav>\n'
        '<meta name="description" content="Programs in Ontario">\n'
        '<a href="/programs/" class="button">{{ label }}</a>\n'
    )
    assert problems_in_template(source) == [
        "A calm room",
        "Your name",
        "Main",
        "Programs in Ontario",
    ]


def test_french_check_reads_text_emails_line_by_line():
    source = '{% load i18n %}{% translate "Hello" %}\n\nYour seat is held.\n{{ link }}\n'
    (problem,) = i18n_check.check_template("templates/emails/x.txt", source)
    assert (problem.line, problem.text) == (3, "Your seat is held.")


def problems_in_python(source: str) -> list[tuple[int, str]]:
    return [(p.line, p.why) for p in i18n_check.check_python("programs/sample.py", source)]


def test_french_check_finds_an_unmarked_message_in_python():
    source = (
        "from django.contrib import messages\n"
        "def view(request, form, name):\n"
        '    messages.success(request, "Your registration is cancelled.")\n'
        '    messages.info(request, f"Welcome back, {name}.")\n'
        '    form.add_error("email", "This address is taken.")\n'
        '    raise ValidationError("Too long: %s" % name)\n'
    )
    assert problems_in_python(source) == [
        (3, "unmarked messages.success"),
        (4, "unmarked messages.info"),
        (5, "unmarked add_error"),
        (6, "unmarked ValidationError"),
    ]


def test_french_check_passes_marked_python():
    source = (
        "from django import forms\n"
        "from django.contrib import messages\n"
        "from django.utils.translation import gettext as _, gettext_lazy\n"
        "class F(forms.Form):\n"
        '    name = forms.CharField(label=gettext_lazy("Name"), max_length=20)\n'
        "def view(request, form, n):\n"
        '    messages.success(request, _("Your registration is cancelled."))\n'
        '    messages.info(request, _("%(n)s seats left") % {"n": n})\n'
        '    form.add_error(None, _("Already registered."))\n'
        '    form.add_error("email", "Staff only.")  # i18n-check: staff\n'
        '    messages.error(request, "")\n'
    )
    assert problems_in_python(source) == []


def test_french_check_reads_form_fields_in_python():
    source = (
        "from django import forms\n"
        "class F(forms.Form):\n"
        "    name = forms.CharField(\n"
        '        label="Your name",\n'
        '        help_text=_("As on your ID."),\n'
        '        error_messages={"required": "Please tell us your name."},\n'
        '        widget=forms.TextInput(attrs={"placeholder": "Alex Martin", "class": "x"}),\n'
        "    )\n"
    )
    assert problems_in_python(source) == [
        (4, "unmarked CharField(label=)"),
        (6, "unmarked error_messages[required]"),
        (7, "unmarked attrs[placeholder]"),
    ]


def catalogue(text: str):
    return read_po(io.BytesIO(text.encode()))


HEADER = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def test_french_check_fails_a_fuzzy_or_missing_translation():
    po = catalogue(
        HEADER + 'msgid "Programs"\nmsgstr "Programmes"\n\n'
        '#, fuzzy\nmsgid "Program"\nmsgstr "Programmes"\n\n'
        'msgid "Sign in"\nmsgstr ""\n'
    )
    found = [(p.text, p.why) for p in i18n_check.check_catalogue("django.po", po)]
    assert found == [("Program", "fuzzy translation"), ("Sign in", "no translation")]
    # Limited to the strings some files use: only theirs count.
    assert i18n_check.check_catalogue("django.po", po, wanted={("Programs", None)}) == []


def test_french_check_fails_a_string_the_catalogue_lacks():
    po = catalogue(HEADER + 'msgid "Programs"\nmsgstr "Programmes"\n')
    sources = catalogue(
        HEADER + '#: templates/base.html:12\nmsgid "Programs"\nmsgstr ""\n\n'
        '#: templates/base.html:30\nmsgid "Privacy"\nmsgstr ""\n\n'
        '#: programs/views.py:9\nmsgid "Full"\nmsgstr ""\n'
    )
    missing, used = i18n_check.check_catalogue_current(po, sources, within=None)
    assert [(p.path, p.line, p.text) for p in missing] == [
        ("templates/base.html", 30, "Privacy"),
        ("programs/views.py", 9, "Full"),
    ]
    missing, used = i18n_check.check_catalogue_current(po, sources, within=["templates"])
    assert [p.text for p in missing] == ["Privacy"]
    assert used == {("Programs", None), ("Privacy", None)}


def test_french_layout_and_error_pages_are_ready_in_french():
    """The whole check (makemessages on a copy included) on the layout and error pages."""
    only = ["templates/base.html", "templates/404.html", "templates/500.html"]
    assert [str(p) for p in i18n_check.run(only + ["templates/503.html"])] == []
