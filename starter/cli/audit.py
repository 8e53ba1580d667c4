"""`rtm audit MEETING [--json]` and `rtm audit export MEETING DIR`: the auditor's view."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from domain.common.refusals import Refusal
from starter.cli.common import connect, open_store
from starter.cli.errors import InputError
from starter.cli.say import say

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm audit MEETING [--json]` or `rtm audit export MEETING DIR`."""
    from temporalio.service import RPCError, RPCStatusCode

    from starter.client.audit import chain, export, render_timeline, timeline

    words = list(args.words)
    exporting = words[:1] == ["export"]
    if exporting:
        words = words[1:]
    if len(words) != (2 if exporting else 1):
        usage = "rtm audit MEETING [--json] | rtm audit export MEETING DIR"
        raise InputError([Refusal("input.usage", usage=usage)])
    meeting_id = words[0]
    client = await connect(settings)
    try:
        runs = [h.to_json() for h in await chain(client, meeting_id)]
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            problem = Refusal("input.no_meeting", field="meeting", meeting=repr(meeting_id))
            raise InputError([problem]) from exc
        raise
    histories = [json.loads(h) for h in runs]
    entries = await timeline(
        histories, open_store(settings, reports=True).audit(meeting_id), client.data_converter
    )
    if exporting:
        for path in export(meeting_id, runs, entries, Path(words[1])):
            say("wrote %(path)s", path=path)
    elif args.json:
        print(json.dumps([e.model_dump(mode="json") for e in entries], indent=2,
                         ensure_ascii=False))  # fmt: skip
    else:
        print(render_timeline(meeting_id, entries))
    return 0


def register(audit: argparse.ArgumentParser) -> None:
    audit.set_defaults(fn=cmd_audit)
    audit.add_argument("words", nargs="+", metavar="MEETING | export MEETING DIR")
    audit.add_argument("--json", action="store_true")


PARSERS = {"audit": register}
