"""The engine's message catalogue: extract, update and compile (Babel).

    .venv/bin/python -m scripts.catalogue extract   # messages.pot from code and templates
    .venv/bin/python -m scripts.catalogue update    # merge it into every language's .po
    .venv/bin/python -m scripts.catalogue compile   # .po -> .mo (bootstrap runs this)

The .po files are the source (reviewed, committed); the .mo files are built.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "domain" / "common" / "locale"
POT = LOCALE / "messages.pot"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))
# from Python code: _() and N_() (marks), translate() (the link pages' titles), Msg() (the
# console's sentences, translated when a page prints them), say(), say_n(), phrase() and
# phrase_n() (what `rtm` prints)
KEYWORDS = ["-k", "N_", "-k", "translate", "-k", "Msg", "-k", "say", "-k", "say_n:1,2", "-k",
            "phrase", "-k", "phrase_n:1,2"]  # fmt: skip
EXTRACT = ["extract", "-F", "babel.cfg", *KEYWORDS, "--no-location"]


def run(*args: str) -> None:
    done = subprocess.run([PYBABEL, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "extract":
        run(*EXTRACT, "--sort-output", "--omit-header", "-o", str(POT), ".")
    elif command == "update":
        run("update", "-i", str(POT), "-d", str(LOCALE), "--no-fuzzy-matching",
            "--ignore-obsolete")  # fmt: skip
    elif command == "compile":
        run("compile", "-d", str(LOCALE), "--use-fuzzy" if "--fuzzy" in argv else "--statistics")
    else:
        print(f"unknown command {command!r}: extract, update or compile", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
