"""Where the reports read a meeting's live facts: the workflow's queries (status, agenda,
attendance) and the directory in the store. The one place that knows the query shapes, so
a change of the status query (summary plus pages) is a change here only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from temporalio.client import Client
from temporalio.service import RPCError

from activities.store import Store
from domain.agenda.items import running_order
from domain.common.refusals import Refusal
from domain.meeting.status import MeetingStatus
from domain.registration.answers import Attendance
from domain.reports.charts import Chart
from domain.reports.facts import MeetingFacts
from domain.reports.render import translations
from domain.reports.report import MeetingReport, draft, draft_past
from domain.reports.series import (
    AnswerEvent,
    RtmCount,
    actions_chart,
    answer_events,
    answers_chart,
    attendance_chart,
    rtm_counts,
    years_chart,
)
from starter.client import queries
from starter.client.refusals import NoSuchMeeting


async def meeting_status(client: Client, meeting_id: str) -> MeetingStatus:
    """The meeting's status with every participant's row."""
    return await queries.full_status(client, meeting_id)


def answers_of(status: MeetingStatus) -> dict[str, Attendance]:
    return {p.participant_id: p.attendance for p in status.participants if p.attendance}


async def meeting_facts(client: Client, store: Store, meeting_id: str) -> MeetingFacts:
    """Everything the report of `meeting_id` is drafted from; NoSuchMeeting if unknown."""
    status = await meeting_status(client, meeting_id)
    agenda = await queries.agenda(client, meeting_id)
    register = await queries.attendance(client, meeting_id)
    invited = {p.participant_id for p in status.participants}
    region = store.region(status.meeting.region)
    return MeetingFacts(
        meeting=status.meeting,
        phase=status.phase,
        region_name=region.name if region else status.meeting.region,
        countries={c.code: c.name for c in store.countries()},
        organisations={o.code: o.name for o in store.organisations()},
        participants=[p for p in store.participants() if p.id in invited],
        answers=answers_of(status),
        presences=register.presences,
        agenda=running_order(agenda.items),
        actions=status.actions,
    )


async def meeting_report(client: Client, store: Store, meeting_id: str) -> MeetingReport:
    """The report of a meeting the engine ran, else of one loaded from history."""
    try:
        return draft(await meeting_facts(client, store, meeting_id))
    except NoSuchMeeting:
        past = next((m for m in store.past_meetings() if m.id == meeting_id), None)
        if past is None:
            raise
    region = store.region(past.region)
    return draft_past(
        past,
        region.name if region else past.region,
        {c.code: c.name for c in store.countries()},
        {o.code: o.name for o in store.organisations()},
    )


HELD = ("held", "follow_up", "closed")


def answer_history(store: Store, meeting_id: str) -> tuple[datetime | None, list[AnswerEvent]]:
    """When the invitations went out and every answer since, from the audit log."""
    rows = [(r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC), r.action, json.loads(r.detail))
            for r in store.audit(meeting_id)]  # fmt: skip
    return answer_events(rows)


async def meeting_charts(
    client: Client, store: Store, meeting_id: str, language: str
) -> tuple[str, list[Chart]]:
    """The meeting's title, its answers chart and its attendance chart."""
    facts = await meeting_facts(client, store, meeting_id)
    _ = translations(language).gettext
    invited_at, events = answer_history(store, meeting_id)
    return facts.meeting.title, [
        answers_chart(invited_at, events, facts.meeting.zone, _),
        attendance_chart(facts, _),
    ]


async def live_counts(client: Client, store: Store, region: str) -> list[RtmCount]:
    """Each held RTM's register counts, for those whose workflow still answers."""
    counts = []
    for m in store.feed_meetings(region=region):
        d = m.meeting
        if d.kind.value != "rtm" or d.number is None or m.phase not in HELD:
            continue
        try:
            register = await queries.attendance(client, d.id)
        except (NoSuchMeeting, RPCError):
            continue
        if register.counts.participants:
            counts.append(RtmCount(number=d.number, year=d.start.year,
                                   participants=register.counts.participants,
                                   countries=len(register.counts.nfp_countries)))  # fmt: skip
    return counts


async def region_charts(
    client: Client, store: Store, region: str, language: str, today: date
) -> tuple[str, list[Chart]]:
    """The region's name, its actions chart and its RTMs over the years."""
    found = store.region(region)
    if found is None:
        raise NoSuchMeeting(Refusal("input.unknown_region", field="region", region=repr(region)))
    _ = translations(language).gettext
    counts = rtm_counts(store.past_meetings(region), await live_counts(client, store, region))
    return _(found.name), [
        actions_chart(store.actions(region=region), today, _),
        years_chart(counts, language, _),
    ]
