"""Fails when text meant for people is not marked for translation, or when the French
catalogue is behind: run by `make lint`.

1. Templates a participant sees (everything under templates/ but the staff areas):
   text between tags, and the alt, title, aria-label and placeholder attributes, a
   meta description and a button's value, outside {% translate %} and
   {% blocktranslate %}. Comments, <script> and <style>, numbers, punctuation, email
   addresses and the brand are not language.
2. Python in the participant apps: a string literal or f-string handed straight to
   messages.success/info/warning/error/add_message, ValidationError, a form field's
   label, help_text or error_messages, form.add_error, a widget's placeholder, or an
   email's subject. A string meant for staff alone carries `# i18n-check: staff` on
   its line.
3. The French catalogue (locale/fr/LC_MESSAGES/django.po): an entry with no
   translation or a fuzzy flag, and any marked string the catalogue lacks (found by
   running makemessages on a copy of the locale folder: `make messages` fixes it).

Usage: python -m devtools.i18n_check [--only PATH ...]
--only limits every check to those files or folders (the catalogue to the strings
they use). Prints file:line and the text of each problem; exits 1 when there is any.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# Staff areas: they may stay in English (issue 15). Folders, then single templates
# elsewhere that only staff see: the certificates page of the facilitator's portal and
# the emails to facilitators.
STAFF_TEMPLATES = ("facilitate", "admin", "charts")
STAFF_TEMPLATE_FILES = re.compile(
    r"^(certificates/completion\.html"
    r"|emails/(application_facilitators|facilitators_\w+|minimum_decision)\.\w+)$"
)
PARTICIPANT_APPS = (
    "programs", "registrations", "receipts", "mailing", "certificates", "switching",
    "privacy", "omwellness",
)  # fmt: skip
# Python that only staff or machines read: the admin, commands, the schema, the emails
# to facilitators.
STAFF_MODULES = re.compile(
    r"(^|/)(admin(_[a-z_]+)?\.py|admin/|management/|migrations/)"
    r"|^registrations/emails/facilitators\.py$"
)
STAFF_LINE = "i18n-check: staff"
# The same makemessages command as `make messages`.
MAKEMESSAGES_IGNORE = (
    ".venv/*", "tests/*", "var/*", "bench/*", "devtools/*", "staticfiles/*", "node_modules/*",
)  # fmt: skip

# Text that is the same in every language. Keep it short: a name, not a sentence.
NOT_LANGUAGE = {
    "omwellness",  # the brand
    "om",  # the brand's wordmark, om<span>wellness</span>
    "wellness",
    "MSC",  # Mindful Self-Compassion's initials, kept in French
}
EMAIL_OR_URL = re.compile(r"\S+@\S+\.\w+|https?://\S+")
LETTER = re.compile(r"[^\W\d_]")
# Attributes a person reads or hears.
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
READ_META = {"description", "og:description", "og:image:alt", "og:title", "twitter:description"}
# Stands for a template tag or variable in the text the HTML parser reads (no letter).
HOLE = "\ue000"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def is_language(text: str) -> bool:
    """Whether `text` holds words (not only numbers, punctuation, addresses, names)."""
    text = EMAIL_OR_URL.sub(" ", text.replace(HOLE, " "))
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    return any(LETTER.search(w) and w.strip(".,:;·()") not in NOT_LANGUAGE for w in words)


# --- 1. Templates ------------------------------------------------------------------------


def template_skeleton(source: str) -> str:
    """The template with every tag, variable and comment replaced by HOLE and the text
    inside {% blocktranslate %} and {% comment %} taken out, lines kept in place."""
    from django.template.base import Lexer, TokenType, tag_re

    lexer = Lexer(source)
    out = []
    skipping = None  # the end tag that closes a marked or commented stretch
    in_tag = False
    lineno = 1
    for bit in tag_re.split(source):
        if bit:
            token = lexer.create_token(bit, None, lineno, in_tag)
            lineno += bit.count("\n")
            newlines = "\n" * bit.count("\n")
            if token.token_type == TokenType.BLOCK:
                name = token.contents.split()[0] if token.contents else ""
                if skipping and name == skipping:
                    skipping = None
                elif not skipping and name in ("blocktranslate", "blocktrans"):
                    skipping = "end" + name
                elif not skipping and name == "comment":
                    skipping = "endcomment"
            if token.token_type == TokenType.TEXT and not skipping:
                out.append(bit)
            elif token.token_type in (TokenType.BLOCK, TokenType.VAR):
                out.append(HOLE + newlines)
            else:  # {# comments #}, and text inside a marked or commented stretch
                out.append(newlines)
        in_tag = not in_tag
    return "".join(out)


def _shown(text: str) -> str:
    """The text as a person fixing it would look for it: {…} where a tag or variable was."""
    return " ".join(text.replace(HOLE, "{…}").split())


class _Reader(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.problems: list[Problem] = []
        self.raw = 0  # inside <script> or <style>

    def _check(self, text: str | None, why: str) -> None:
        if text and is_language(text):
            self.problems.append(Problem(self.path, self.getpos()[0], _shown(text), why))

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.raw += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in READ_ATTRIBUTES:
                self._check(value, f"unmarked {name}")
        meta = values.get("name") or values.get("property")
        if tag == "meta" and meta in READ_META:
            self._check(values.get("content"), f"unmarked meta {meta}")
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self._check(values.get("value"), "unmarked button")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.raw -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.raw:
            self.raw -= 1

    def handle_data(self, data):
        if not self.raw:
            self._check(data, "unmarked text")


def check_template(path: str, source: str) -> list[Problem]:
    skeleton = template_skeleton(source)
    if path.endswith(".txt"):
        return [
            Problem(path, number, _shown(line), "unmarked text")
            for number, line in enumerate(skeleton.splitlines(), start=1)
            if is_language(line)
        ]
    reader = _Reader(path)
    reader.feed(skeleton)
    reader.close()
    return reader.problems


def participant_templates() -> Iterator[Path]:
    for path in sorted(TEMPLATES.rglob("*")):
        relative = path.relative_to(TEMPLATES)
        staff = relative.parts[0] in STAFF_TEMPLATES
        staff = staff or bool(STAFF_TEMPLATE_FILES.match(relative.as_posix()))
        if path.suffix in (".html", ".txt") and not staff:
            yield path


# --- 2. Python ---------------------------------------------------------------------------

MESSAGE_FUNCTIONS = {"debug", "info", "success", "warning", "error"}
FIELD_KEYWORDS = {"label", "help_text", "empty_label"}


def unmarked(node: ast.expr | None) -> bool:
    """A literal with words that no gettext call wraps."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and is_language(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(unmarked(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):  # "..." % x, "..." + x: a gettext call is fine either side
        return unmarked(node.left) or unmarked(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and unmarked(node.func.value)
    return False


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[position] if len(call.args) > position else None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _owner(node: ast.expr) -> str:
    return _name(node.value) if isinstance(node, ast.Attribute) else ""


def _texts_for_people(node: ast.AST) -> Iterator[tuple[ast.expr, str]]:
    if isinstance(node, ast.Call):
        name, owner = _name(node.func), _owner(node.func)
        if owner == "messages" and name in MESSAGE_FUNCTIONS:
            yield from _one(_argument(node, 1, "message"), f"messages.{name}")
        elif owner == "messages" and name == "add_message":
            yield from _one(_argument(node, 2, "message"), "messages.add_message")
        elif name == "ValidationError":
            yield from _one(_argument(node, 0, "message"), "ValidationError")
        elif name == "add_error":
            yield from _one(_argument(node, 1, "error"), "add_error")
        if name.endswith("Field") or name.endswith("Input") or name in ("Textarea", "Select"):
            for item in node.keywords:
                if item.arg in FIELD_KEYWORDS:
                    yield from _one(item.value, f"{name}({item.arg}=)")
                elif item.arg in ("error_messages", "attrs") and isinstance(item.value, ast.Dict):
                    yield from _dict_texts(item.value, item.arg, every=item.arg == "error_messages")
        for item in node.keywords:
            if item.arg == "subject":
                yield from _one(item.value, "email subject")
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in FIELD_KEYWORDS:
                yield from _one(node.value, f".{target.attr} =")


def _one(node: ast.expr | None, why: str) -> Iterator[tuple[ast.expr, str]]:
    if node is not None and unmarked(node):
        yield node, why
    elif isinstance(node, ast.Dict):  # add_error(None, {...}) or the like
        yield from _dict_texts(node, why, every=True)


def _dict_texts(node: ast.Dict, why: str, *, every: bool) -> Iterator[tuple[ast.expr, str]]:
    for key, value in zip(node.keys, node.values, strict=True):
        name = str(key.value) if isinstance(key, ast.Constant) else "?"
        if (every or name in READ_ATTRIBUTES) and unmarked(value):
            yield value, f"{why}[{name}]"


def check_python(path: str, source: str) -> list[Problem]:
    lines = source.splitlines()
    problems = []
    for node in ast.walk(ast.parse(source, filename=path)):
        for text, why in _texts_for_people(node):
            if STAFF_LINE in lines[text.lineno - 1]:
                continue
            problems.append(Problem(path, text.lineno, ast.unparse(text), f"unmarked {why}"))
    return sorted(problems, key=lambda p: p.line)


def participant_modules() -> Iterator[Path]:
    for app in PARTICIPANT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not STAFF_MODULES.search(path.relative_to(ROOT).as_posix()):
                yield path


# --- 3. The catalogue --------------------------------------------------------------------


def _key(message) -> tuple[str, str | None]:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return msgid, message.context


def _read(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file)


def check_catalogue(
    path: str, catalogue: Catalog, wanted: set[tuple[str, str | None]] | None = None
) -> list[Problem]:
    """Entries with no translation, or a fuzzy one; only `wanted` ones when given."""
    problems = []
    for message in catalogue:
        if not message.id or (wanted is not None and _key(message) not in wanted):
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        line = message.lineno or 0
        if message.fuzzy:
            problems.append(Problem(path, line, _key(message)[0], "fuzzy translation"))
        elif not all(strings):
            problems.append(Problem(path, line, _key(message)[0], "no translation"))
    return problems


def source_messages() -> Catalog:
    """Every marked string in the sources, with where it is: makemessages run on a copy
    of the project whose locale folder is a copy, so the real catalogue is untouched."""
    if shutil.which("xgettext") is None:
        raise SystemExit("makemessages needs GNU gettext: run `make gettext` (Debian's gettext)")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        for entry in ROOT.iterdir():
            if entry.name not in ("locale", ".git", ".venv", "var", "node_modules"):
                (copy / entry.name).symlink_to(entry)
        shutil.copytree(ROOT / "locale", copy / "locale")
        ignored = [arg for pattern in MAKEMESSAGES_IGNORE for arg in ("-i", pattern)]
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "fr",
                "--no-obsolete",
                "-s",
                *ignored,
            ],
            cwd=copy,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        return _read(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")


def check_catalogue_current(
    catalogue: Catalog, sources: Catalog, within: list[str] | None
) -> tuple[list[Problem], set[tuple[str, str | None]]]:
    """Marked strings the catalogue lacks, and the keys of those used `within` paths."""
    known = {_key(message) for message in catalogue if message.id}
    problems, used = [], set()
    for message in sources:
        if not message.id:
            continue
        places = [(file, int(line or 0)) for file, line in message.locations]
        if within is not None:
            places = [(file, line) for file, line in places if _within(file, within)]
            if not places:
                continue
        used.add(_key(message))
        if _key(message) not in known:
            file, line = places[0] if places else (str(CATALOGUE.relative_to(ROOT)), 0)
            problems.append(
                Problem(file, line, _key(message)[0], "not in the catalogue: run make messages")
            )
    return problems, used


# --- Running it --------------------------------------------------------------------------


def _within(path: str, only: Iterable[str]) -> bool:
    path = os.path.normpath(path)
    return any(path == o or path.startswith(o.rstrip("/") + "/") for o in only)


def run(only: list[str] | None) -> list[Problem]:
    only = [os.path.normpath(o) for o in only] if only else None
    problems: list[Problem] = []
    for path in participant_templates():
        relative = str(path.relative_to(ROOT))
        if only is None or _within(relative, only):
            problems += check_template(relative, path.read_text(encoding="utf-8"))
    for path in participant_modules():
        relative = str(path.relative_to(ROOT))
        if only is None or _within(relative, only):
            problems += check_python(relative, path.read_text(encoding="utf-8"))
    catalogue = _read(CATALOGUE)
    missing, used = check_catalogue_current(catalogue, source_messages(), only)
    problems += missing
    problems += check_catalogue(
        str(CATALOGUE.relative_to(ROOT)), catalogue, None if only is None else used
    )
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="PATH", help="check only these paths")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omwellness.settings")
    import django

    django.setup()
    problems = run(args.only)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} strings for people are not ready in French (see the README)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
