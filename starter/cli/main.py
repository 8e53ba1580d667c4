"""`rtm`: the secretariat's command line. Talks to Temporal through the client only.

Exit codes: 0 done, 1 failure of a peer (server down, ...), 2 bad input (nothing changed).

Each top-level command lives in its feature's module (`starter/cli/<module>.py`, which has
a `PARSERS` table); only the module of the command being run is imported, so `rtm --help`
loads neither the ORM nor Temporal. A new command is a module and one line in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from domain.common.marks import N_

COMMANDS: dict[str, tuple[str, str]] = {
    "dev": ("dev", N_("run the embedded stack until interrupted")),
    "demo": ("dev", N_("the embedded stack, the Central Asia directory and its next RTM")),
    "worker": ("dev", N_("run a worker against TEMPORAL_ADDRESS")),
    "db": ("db", N_("the database schema: `rtm db upgrade`")),
    "web": ("services", N_("run the web app (links, console, feeds) on RTM_WEB_HOST:RTM_WEB_PORT")),
    "inbound": ("services", N_("run the calendar-reply SMTP endpoint on RTM_INBOUND_HOST:PORT")),
    "health": ("services", N_("exit 0 when a service (worker, web, inbound) answers")),
    "directory": ("directory", N_("the participant directory")),
    "meeting": ("meeting", N_("meetings")),
    "cycle": ("cycle", N_("a region's six-monthly RTM cycle (a Temporal Schedule)")),
    "remind": ("registration", N_("chase everyone who has not answered, now")),
    "rsvp": ("registration", N_("record a participant's answer")),
    "reply": (
        "replies",
        N_("calendar replies held until the secretariat confirms or discards them"),
    ),
    "agenda": ("agenda", N_("a meeting's agenda")),
    "attendance": ("attendance", N_("who attended, how, which days")),
    "followup": ("followup", N_("record minutes and action items, mail them")),
    "actions": ("followup", N_("follow-up actions across meetings")),
    "ideas": ("ideas", N_("project ideas carried to the region's next RTMs until decided")),
    "audit": ("audit", N_("timeline of a meeting; `audit export MEETING DIR`")),
    "mail": ("mail", N_("the SMTP catcher's mailbox")),
    "smtp": ("smtp", N_("check the SMTP relay: connect, TLS, AUTH, a test message")),
    "report": ("reports", N_("a meeting's report in the shape of a press release (md, pdf)")),
    "register": ("reports", N_("a meeting's attendance register per day and mode (csv, xlsx)")),
    "participants": ("reports", N_("the participant list for the registration desk (pdf)")),
    "tracker": ("reports", N_("action items across meetings, filtered (csv, xlsx)")),
    "history": ("reports", N_("past meetings with their published counts")),
    "feed": ("reports", N_("calendar subscription links: a person's or a region's")),
    "charts": ("reports", N_("charts of a meeting or a region (SVG), or a signed link to them")),
}
"""Top-level command -> (module under starter.cli, help line)."""


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `rtm` parser, with the arguments of the command named in `argv` (of all: None)."""
    from starter.cli.parser_words import Parser

    p = Parser(prog="rtm", description=N_("Round-Table Meeting engine"))
    sub = p.add_subparsers(dest="command", required=True)
    chosen = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    for name, (module, help) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help, description=help)
        if argv is None or name == chosen:
            importlib.import_module(f"starter.cli.{module}").PARSERS[name](cmd)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    from starter.cli.language import terminal_language
    from starter.cli.parser_words import parser_language

    with parser_language(terminal_language()):  # argparse's complaints in the operator's words
        args = parser(argv).parse_args(argv)
    import asyncio

    from activities.config import SettingsError, load_settings
    from starter.cli.errors import InputError
    from starter.cli.language import error_line
    from starter.client.refusals import CommandRefused

    try:
        settings = load_settings()
    except SettingsError as exc:
        lang = terminal_language()
        for problem in exc.problems:
            print(error_line(problem, lang), file=sys.stderr)
        return 2
    try:
        from starter.cli.scope import enforce

        enforce(args, settings)  # a region's secretariat sees and manages its region only
        code: int = asyncio.run(args.fn(args, settings))
        return code
    except InputError as exc:  # a problem the engine knows by its code: in the operator's words
        lang = terminal_language()
        for problem in exc.problems:
            print(error_line(problem, lang), file=sys.stderr)
        return 2
    except CommandRefused as exc:  # in the operator's language (LANGUAGE, LC_ALL, LANG)
        print(error_line(exc.refusal, terminal_language()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:  # a peer that does not answer: by its code where it has one
        from domain.common.refusals import Refusal

        problem = exc.args[0] if exc.args and isinstance(exc.args[0], Refusal) else str(exc)
        if "Failed client connect" in str(exc):
            problem = Refusal("peer.temporal", server="Temporal",
                              address=settings.temporal_address, command="`rtm dev`",
                              variable="TEMPORAL_ADDRESS")  # fmt: skip
        print(error_line(problem, terminal_language()), file=sys.stderr)
        return 1


def entry() -> None:
    """The `rtm` console script: main(), then a hard exit once the output is flushed.

    After a failed connect, tearing down the Temporal client's native runtime at
    interpreter exit can crash the process; the command's work and output are complete.
    """
    from activities.private_files import restrict_umask

    restrict_umask()  # whatever the engine writes (key, mail, database) is its user's only
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
