"""`rtm ideas add|list|decide`: project ideas that travel to the region's next RTMs.

A technical round table's project proposal, or what an RTM's brainstorming on new project
ideas produced, is recorded here; each next RTM of its region lists it under the project
review until it is accepted or rejected. Every change is in the audit log.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.common.marks import N_
from domain.common.refusals import Refusal
from domain.ideas.models import IdeaDecision, NewIdea, decision_problem
from starter.cli.common import add, open_store
from starter.cli.errors import InputError
from starter.cli.inputs import parse
from starter.cli.say import say, say_n, shown

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_ideas_add(args: argparse.Namespace, settings: Settings) -> int:
    fields = {"region": args.region, "title": args.title, "summary": args.summary or "",
              "origin": args.origin, "proposed_by": args.by}  # fmt: skip
    idea = parse(NewIdea, {k: v for k, v in fields.items() if v is not None})
    store = open_store(settings)
    if store.region(idea.region) is None:
        unknown = Refusal("input.unknown_region", field="region", region=repr(idea.region))
        raise InputError([unknown])
    if idea.origin is not None and store.meeting_region(idea.origin) is None:
        raise InputError([Refusal("input.no_meeting", field="origin", meeting=repr(idea.origin))])
    recorded = store.record_idea(idea, settings.cli_user)
    store.append_audit(
        idea.origin, settings.cli_user, "cli", "idea.recorded", recorded.model_dump(mode="json")
    )
    say(
        "%(id)s recorded: %(title)s; on the agenda of %(region)s's next RTM",
        id=recorded.id,
        title=recorded.title,
        region=idea.region,
    )
    return 0


async def cmd_ideas_list(args: argparse.Namespace, settings: Settings) -> int:
    ideas = open_store(settings).ideas(args.region, args.open)
    for i in ideas:
        origin = i.origin or "-"
        print(f"{i.id:<12} {i.status.value:<9} {origin:<18} {i.title}")
    say_n("%(num)s project idea", "%(num)s project ideas", len(ideas))
    return 0


async def cmd_ideas_decide(args: argparse.Namespace, settings: Settings) -> int:
    decision = parse(
        IdeaDecision,
        {"idea_id": args.idea, "status": args.status, "decided_in": args.at, "note": args.note},
    )
    store = open_store(settings)
    idea = store.idea(decision.idea_id)
    scope = getattr(args, "scope", None)
    if idea is not None and scope is not None and idea.region != scope:
        idea = None  # another region's idea: as if it did not exist
    problem = decision_problem(idea, decision)
    if problem:
        raise InputError([problem])
    decided = store.decide_idea(decision, settings.cli_user)
    store.append_audit(
        decision.decided_in, settings.cli_user, "cli", f"idea.{decided.status.value}",
        decided.model_dump(mode="json"),
    )  # fmt: skip
    say(
        "%(id)s %(status)s: %(title)s",
        id=decided.id,
        status=shown(decided.status.value),
        title=decided.title,
    )
    return 0


def register(ideas: argparse.ArgumentParser) -> None:
    isub = ideas.add_subparsers(dest="action", required=True)
    new = add(isub, "add", cmd_ideas_add, N_("record a project idea for a region's next RTMs"))
    new.add_argument("--region", required=True)
    new.add_argument("--title", required=True)
    new.add_argument("--summary")
    new.add_argument(
        "--from", dest="origin", help=N_("the meeting it came from, e.g. TRT-BIO-CA-2")
    )
    new.add_argument("--by", help=N_("who proposed it: a country, organisation or person"))
    listing = add(isub, "list", cmd_ideas_list, N_("project ideas by region"))
    listing.add_argument("--region")
    listing.add_argument("--open", action="store_true", help=N_("only those not decided yet"))
    decide = add(isub, "decide", cmd_ideas_decide, N_("accept or reject a project idea"))
    decide.add_argument("idea", help=N_("e.g. PI-CA-1"))
    decide.add_argument("--status", required=True, choices=["accepted", "rejected"])
    decide.add_argument("--at", help=N_("the meeting that decided it, e.g. RTM-CA-17"))
    decide.add_argument("--note")


PARSERS = {"ideas": register}
