"""`rtm report`, `register`, `participants`, `tracker`, `history` and `feed`: what the
secretariat publishes and files, from what the engine recorded."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from domain.common import i18n
from domain.common.marks import N_
from domain.common.refusals import Refusal
from starter.cli.common import actor, add, connect, open_store
from starter.cli.errors import InputError
from starter.cli.inputs import parse, read_document, unwritable
from starter.cli.say import phrase, say, say_n, shown

if TYPE_CHECKING:
    from activities.config import Settings
    from domain.reports.facts import MeetingFacts


def _write(data: bytes, args: argparse.Namespace, settings: Settings, name: str) -> None:
    """To --output (`-` is stdout); by default text to stdout, files under var/reports/."""
    target = args.output or ("-" if args.format in ("md", "csv") else None)
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(target) if target else settings.var_dir / "reports" / f"{name}.{args.format}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise InputError([unwritable(path, exc)]) from exc
    say("%(path)s (%(bytes)s bytes)", path=path, bytes=len(data))


async def _facts(args: argparse.Namespace, settings: Settings) -> MeetingFacts:
    from starter.client.reports import meeting_facts

    store = open_store(settings, reports=True)
    return await meeting_facts(await connect(settings), store, args.meeting)


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from activities.reports.documents import Format, report_document
    from starter.client.reports import meeting_report

    client, store = await connect(settings), open_store(settings, reports=True)
    report = await meeting_report(client, store, args.meeting)
    data = report_document(report, Format(args.format), args.language)
    _write(data, args, settings, f"{args.meeting}-report-{args.language}")
    return 0


async def cmd_register(args: argparse.Namespace, settings: Settings) -> int:
    from activities.reports.documents import Format, register_document

    facts = await _facts(args, settings)
    data = register_document(facts, Format(args.format), args.language)
    _write(data, args, settings, f"{args.meeting}-register")
    return 0


async def cmd_participants(args: argparse.Namespace, settings: Settings) -> int:
    from activities.reports.documents import desk_document

    facts = await _facts(args, settings)
    _write(desk_document(facts, args.language), args, settings, f"{args.meeting}-participants")
    return 0


async def cmd_tracker(args: argparse.Namespace, settings: Settings) -> int:
    from activities.reports.documents import Format, tracker_document
    from domain.reports.tracker import TrackerFilter

    f = parse(TrackerFilter, {"region": args.region, "country": args.country,
                              "owner": args.owner, "state": args.state,
                              "overdue": args.overdue})  # fmt: skip
    store = open_store(settings, reports=True)
    items = store.actions(f.region, f.country)
    data = tracker_document(items, f, datetime.now(UTC), Format(args.format), args.language)
    _write(data, args, settings, "actions")
    return 0


async def cmd_history_load(args: argparse.Namespace, settings: Settings) -> int:
    from domain.reports.history import History, history_problems

    history = parse(History, read_document(Path(args.file)))
    store = open_store(settings)
    problems = history_problems(
        history, {r.code for r in store.regions()}, {c.code for c in store.countries()}
    )
    if problems:
        raise InputError(problems)
    count = store.load_history(history)
    for region in sorted({m.region for m in history.meetings}):
        loaded = store.region(region)
        last = loaded.last_rtm_number if loaded else 0
        say("%(region)s: the next RTM is number %(number)s", region=region, number=last + 1)
    say_n("%(num)s past meeting loaded", "%(num)s past meetings loaded", count)
    return 0


async def cmd_history_list(args: argparse.Namespace, settings: Settings) -> int:
    for m in open_store(settings).past_meetings(args.region):
        counted = (phrase("more than %(num)s participants", num=m.participants) if m.more_than
                   else phrase("%(num)s participants", num=m.participants))  # fmt: skip
        print(f"{m.id:<12} {m.start}..{m.end}  {m.city or '-'}, {shown(m.format.value)}: "
              + phrase("%(participants)s, %(num)s countries", participants=counted,
                      num=len(m.countries)))  # fmt: skip
    return 0


def _subject(args: argparse.Namespace) -> tuple[str, str]:
    if bool(args.person) == bool(args.region):
        problem = Refusal("input.one_of", field="feed", first="--person", second="--region")
        raise InputError([problem])
    return ("person", args.person) if args.person else ("region", args.region)


async def cmd_feed(args: argparse.Namespace, settings: Settings) -> int:
    from domain.reports.feeds import FeedKind, feed_path

    kind, subject = _subject(args)
    store = open_store(settings)
    known = (
        any(p.id == subject for p in store.participants())
        if kind == "person"
        else store.region(subject) is not None
    )
    if not known:
        code, value = ("input.unknown_person", "person") if kind == "person" else (
            "input.unknown_region", "region")  # fmt: skip
        raise InputError([Refusal(code, field=kind, **{value: repr(subject)})])
    if args.action == "revoke":
        serial = store.revoke_feed(kind, subject, actor(settings).id)
        say("revoked; the new link of %(kind)s %(subject)s:", kind=shown(kind), subject=subject)
    else:
        serial = store.feed_serial(kind, subject)
    path = feed_path(settings.link_key(), FeedKind(kind), subject, serial)
    print(settings.public_url.rstrip("/") + path)
    return 0


async def cmd_charts(args: argparse.Namespace, settings: Settings) -> int:
    """The charts page and each SVG into a directory, or (--url) a signed link to them."""
    from domain.reports.links import charts_link
    from domain.reports.render import chart_svg, charts_page
    from starter.client.reports import meeting_charts, region_charts

    if bool(args.meeting) == bool(args.region):
        problem = Refusal("input.one_of", field="charts", first="--meeting", second="--region")
        raise InputError([problem])
    kind, subject = ("meeting", args.meeting) if args.meeting else ("region", args.region)
    now = datetime.now(UTC)
    if args.url:
        link = charts_link(settings.link_key(), settings.public_url, kind, subject, now, args.days)
        print(link + ("" if args.language == i18n.DEFAULT else f"&language={args.language}"))
        return 0
    client, store = await connect(settings), open_store(settings, reports=True)
    if kind == "meeting":
        title, charts = await meeting_charts(client, store, subject, args.language)
    else:
        title, charts = await region_charts(client, store, subject, args.language, now.date())
    out = Path(args.output) if args.output else settings.var_dir / "charts" / subject
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(charts_page(title, charts, args.language), "utf-8")
        for chart in charts:
            (out / f"{chart.id}.svg").write_text(chart_svg(chart, args.language), "utf-8")
    except OSError as exc:
        raise InputError([unwritable(out, exc)]) from exc
    say(
        "%(page)s and %(files)s",
        page=out / "index.html",
        files=", ".join(c.id + ".svg" for c in charts),
    )
    return 0


def _language(cmd: argparse.ArgumentParser) -> None:
    """Every language that has a catalogue (a new one needs nothing here)."""
    cmd.add_argument("--language", choices=i18n.available(), default=i18n.DEFAULT)


def _output(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--output", "-o", help=N_("file to write; '-' for standard output"))


def register_report(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_report)
    cmd.add_argument("meeting")
    cmd.add_argument("--format", choices=["md", "pdf"], default="md")
    _language(cmd)
    _output(cmd)


def register_register(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_register)
    cmd.add_argument("meeting")
    cmd.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    _language(cmd)
    _output(cmd)


def register_participants(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_participants, format="pdf")
    cmd.add_argument("meeting")
    _language(cmd)
    _output(cmd)


def register_tracker(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_tracker)
    cmd.add_argument("--region")
    cmd.add_argument("--country")
    cmd.add_argument("--owner", help=N_("CODE or KIND:CODE, e.g. country:KZ, participant:kz-nfp"))
    cmd.add_argument("--state", choices=["open", "done", "overdue"])
    cmd.add_argument("--overdue", action="store_true", help=N_("only open actions past due"))
    cmd.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    _language(cmd)
    _output(cmd)


def register_history(cmd: argparse.ArgumentParser) -> None:
    sub = cmd.add_subparsers(dest="action", required=True)
    add(sub, "load", cmd_history_load, N_("load past meetings with their counts")).add_argument(
        "file"
    )
    add(sub, "list", cmd_history_list, N_("the past meetings loaded")).add_argument("--region")


def register_feed(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_feed)
    cmd.add_argument("action", choices=["url", "revoke"])
    cmd.add_argument("--person", help=N_("participant id: their meetings and actions"))
    cmd.add_argument("--region", help=N_("region code: its meetings and actions"))


def register_charts(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_charts)
    cmd.add_argument("--meeting", help=N_("answers over time and attendance per day"))
    cmd.add_argument("--region", help=N_("actions by state over time and RTMs over the years"))
    _language(cmd)
    cmd.add_argument("--output", "-o", help=N_("directory for index.html and the SVG files"))
    cmd.add_argument("--url", action="store_true", help=N_("print a signed link to the page"))
    cmd.add_argument("--days", type=int, default=30, help=N_("how long the link is valid"))


PARSERS = {
    "charts": register_charts,
    "report": register_report,
    "register": register_register,
    "participants": register_participants,
    "tracker": register_tracker,
    "history": register_history,
    "feed": register_feed,
}
