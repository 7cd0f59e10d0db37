"""Compiles the translation catalogues with babel (omwellness.catalogues), for
`make install`: no GNU gettext needed.

Usage: python -m devtools.compilemessages [locale dir ...]   (default: settings' LOCALE_PATHS)
A .mo newer than its .po is left as it is. The .mo files are not committed.
"""

import sys
from pathlib import Path

from omwellness.catalogues import compile_all

DEFAULT_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main(argv: list[str]) -> int:
    for po_path in compile_all([Path(arg) for arg in argv] or [DEFAULT_LOCALE_DIR]):
        print(f"Compiled {po_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
