"""The translation catalogues, compiled with babel: locale/<lang>/LC_MESSAGES/django.po
to the django.mo that Django reads. No GNU gettext is needed to run the site.

The .mo files are not committed: `make install` compiles them, and so does every
process at start-up (OmwellnessConfig.ready) when a .po is newer than its .mo, so a
deploy, a worker or a test run never serves English for want of a compiled file.
"""

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core import checks

logger = logging.getLogger(__name__)


def compile_catalogue(po_path: Path) -> bool:
    """Writes the .mo beside `po_path` unless it is newer already; True when written."""
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    with po_path.open("rb") as po_file:
        catalogue = read_po(po_file, abort_invalid=True)
    # Another process may compile the same file at once: each writes its own temporary
    # file and moves it into place, so a reader never sees half a catalogue.
    with tempfile.NamedTemporaryFile(dir=po_path.parent, suffix=".mo.tmp", delete=False) as out:
        # Fuzzy entries are left out, as msgfmt does: a guess is not a translation.
        write_mo(out, catalogue, use_fuzzy=False)
    os.chmod(out.name, 0o644)  # a temporary file is private; a catalogue is not
    os.replace(out.name, mo_path)
    return True


def compile_all(locale_dirs: Iterable[Path | str]) -> list[Path]:
    """Compiles every stale catalogue under `locale_dirs`; the .po files it compiled."""
    compiled = []
    for root in locale_dirs:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            if compile_catalogue(po_path):
                compiled.append(po_path)
    return compiled


def compile_at_start(locale_dirs: Iterable[Path | str]) -> None:
    """compile_all, for a process starting: a read-only disk is logged, not fatal
    (the image should then carry the .mo files, built by `make install`)."""
    try:
        compile_all(locale_dirs)
    except OSError as error:
        logger.warning("Could not compile the translation catalogues: %s", error)


def catalogues_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every catalogue is compiled and current (a Django system check): a deploy whose
    disk refused the compilation stops at the release step's `check` instead of
    serving English under /fr/."""
    from django.conf import settings

    return [
        checks.Error(
            f"{po_path.with_suffix('.mo')} is missing or older than its .po: "
            "run `python -m devtools.compilemessages` when building the image",
            id="omwellness.E002",
        )
        for root in settings.LOCALE_PATHS
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po"))
        if not po_path.with_suffix(".mo").exists()
        or po_path.with_suffix(".mo").stat().st_mtime < po_path.stat().st_mtime
    ]
