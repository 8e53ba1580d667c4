"""`rtm cycle create|show|pause|resume|trigger|delete --region R`: the six-monthly Schedule."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.common.marks import N_
from domain.common.refusals import Refusal
from starter.cli.common import connect, open_store, print_json
from starter.cli.errors import InputError
from starter.cli.say import phrase, say
from starter.cli.scope import scope_refusal

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_cycle(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm cycle create|show|pause|resume|trigger|delete --region R`."""
    from starter.client import cycle

    store = open_store(settings)
    series = None
    if args.series is not None:
        series = store.series(args.series)
        if series is None:
            problem = Refusal("series.unknown", field="series", series=repr(args.series))
            raise InputError([problem])
        if series.kind.value == "rtm":
            rtm = Refusal(
                "series.rtm", field="series", series=series.code, option="--region",
                region=series.region,
            )  # fmt: skip
            raise InputError([rtm])
        scope = getattr(args, "scope", None)
        if scope is not None and (series.region or series.organiser) != scope:
            raise InputError([scope_refusal(settings, "series", scope)])
    elif args.region is None:
        give = Refusal("scope.give_region", field="region", option="--region", other="--series")
        raise InputError([give])
    region = store.region(series.organiser if series else args.region)
    if region is None:
        unknown = Refusal("input.unknown_region", field="region", region=repr(args.region))
        raise InputError([unknown])
    key = series.code if series else region.code
    client = await connect(settings)
    try:
        if args.action == "create":
            yearly = series is not None and series.cadence.value == "yearly"
            months = cycle.months_of(args.months) if args.months or not yearly else (1,)
            await cycle.create(client, region.code, region.zone, settings.task_queue, months,
                               args.day, args.hour,
                               series=series.code if series else None)  # fmt: skip
            say("%(key)s: cycle created, months %(months)s, day %(day)s, %(hour)s %(zone)s",
                key=key, months=list(months), day=args.day, hour=f"{args.hour:02d}:00",
                zone=region.zone)  # fmt: skip
        elif args.action == "show":
            view = await cycle.show(client, key)
            if args.json:
                print_json(view)
                return 0
            state = phrase("PAUSED") if view.paused else phrase("active")
            say("%(key)s: months %(months)s, day %(day)s, %(hour)s %(zone)s, %(state)s %(note)s",
                key=key, months=view.months, day=view.day, hour=f"{view.hour:02d}:00",
                zone=view.zone, state=state, note=view.note)  # fmt: skip
            for when in view.next_runs:
                say("  next run %(at)s UTC", at=f"{when:%Y-%m-%d %H:%M}")
            for run in view.recent_runs:
                say("  recent   %(run)s", run=run)
        elif args.action == "pause":
            await cycle.pause(client, key, f"paused by {settings.cli_user}")
            say("%(key)s: cycle paused; nothing starts until it is resumed", key=key)
        elif args.action == "resume":
            await cycle.resume(client, key, f"resumed by {settings.cli_user}")
            say("%(key)s: cycle resumed", key=key)
        elif args.action == "trigger":
            await cycle.trigger(client, key)
            say("%(key)s: cycle triggered; the next meeting is being planned", key=key)
        else:
            await cycle.delete(client, key)
            say("%(key)s: cycle deleted", key=key)
    except cycle.CycleError as exc:
        raise InputError([exc.refusal]) from exc
    return 0


def register(cyc: argparse.ArgumentParser) -> None:
    cyc.set_defaults(fn=cmd_cycle)
    cyc.add_argument("action", choices=["create", "show", "pause", "resume", "trigger", "delete"])
    cyc.add_argument("--region")
    cyc.add_argument("--series", help=N_("a series with a cadence, e.g. HRS (yearly)"))
    cyc.add_argument("--months", help=N_("months of the year, default 1,7 (a yearly series: 1)"))
    cyc.add_argument("--day", type=int, default=1, help=N_("day of the month (1-28)"))
    cyc.add_argument("--hour", type=int, default=9, help=N_("hour in the region's zone"))
    cyc.add_argument("--json", action="store_true", help=N_("show: the schedule as JSON"))


PARSERS = {"cycle": register}
