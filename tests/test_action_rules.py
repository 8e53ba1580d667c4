"""Follow-up action items, the pure rules: when an action is chased, whom it names, and its
signed done link (the workflows that chase them are in test_action_items)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.common.links import DONE_PURPOSE, LinkError, done_link, verify
from domain.directory.models import Participant, Role
from domain.followup.actions import (
    ActionInput,
    ActionItem,
    ActionPolicy,
    ActionSpec,
    ActionStatus,
    Owner,
    OwnerKind,
    action_input,
    done_link_expiry,
    done_problem,
    owner_problem,
    resolve_owners,
)
from domain.followup.chasing import next_action_moments
from domain.meeting.definition import MeetingDefinition
from tests.action_schedule import action_schedule
from tests.factories import LINK_KEY, central_asia, meeting

MAIL_BASE = "http://127.0.0.1:8000"  # the harness' public_url
SECRETARIAT = Participant(
    id="secretariat",
    name="CBRN CoE Regional Secretariat for Central Asia",
    email="secretariat.ca@example.org",
    role=Role.SECRETARIAT,
    organisation="SEC-CA",
    zone="Asia/Tashkent",
)
KZ = Owner(kind=OwnerKind.COUNTRY, code="KZ", name="Republic of Kazakhstan")


def _meeting() -> MeetingDefinition:
    return meeting()  # the 16th RTM, hybrid in Dubai: venue zone Asia/Dubai


def _input(
    m: MeetingDefinition,
    action_id: str,
    owner: Owner,
    due: date,
    what: str = "Send the updated national CBRN action plan to the secretariat",
    **changes: Any,
) -> ActionInput:
    spec = ActionSpec(what=what, owner=owner, due=due)
    inp = action_input(m, action_id, spec, central_asia().participants, SECRETARIAT)
    return inp.model_copy(update=changes) if changes else inp


def _item(due: date, opened: datetime | None = None, **changes: Any) -> ActionItem:
    m = _meeting()
    inp = _input(m, "A1", KZ, due)
    return inp.item.model_copy(update={"opened_at": opened, **changes})


def test_moments_fall_on_working_days_at_the_sending_hour_in_the_venue_zone() -> None:
    # due Friday 22 January 2027; Dubai is UTC+4 all year
    item = _item(date(2027, 1, 22), datetime(2026, 11, 23, 12, tzinfo=UTC))
    schedule = action_schedule(item, ActionPolicy(), datetime(2027, 2, 20, tzinfo=UTC))
    assert [(mo.key, mo.at) for mo in schedule] == [
        ("due-7", datetime(2027, 1, 15, 6, tzinfo=UTC)),  # Friday 10:00 Dubai
        ("overdue-1", datetime(2027, 1, 25, 6, tzinfo=UTC)),  # Saturday -> Monday, not Friday
        ("overdue-2", datetime(2027, 2, 1, 6, tzinfo=UTC)),
        ("escalation", datetime(2027, 2, 5, 6, tzinfo=UTC)),
        ("overdue-3", datetime(2027, 2, 8, 6, tzinfo=UTC)),
        ("overdue-4", datetime(2027, 2, 15, 6, tzinfo=UTC)),
    ]
    # a reminder falling on a weekend moves back to Friday (domain.reminders.planning.send_moment)
    sunday_due = _item(date(2027, 1, 31), datetime(2026, 11, 23, 12, tzinfo=UTC))
    (due7,) = [
        mo
        for mo in action_schedule(sunday_due, ActionPolicy(), datetime(2027, 2, 1, tzinfo=UTC))
        if mo.key == "due-7"
    ]
    assert due7.at == datetime(2027, 1, 22, 6, tzinfo=UTC)


def test_next_moments_skip_what_is_sent_superseded_or_before_the_opening() -> None:
    policy = ActionPolicy()
    item = _item(date(2027, 1, 22), datetime(2026, 11, 23, 12, tzinfo=UTC))
    start = next_action_moments(item, policy, set(), datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert [mo.key for mo in start] == ["due-7", "overdue-1", "overdue-2", "escalation"]
    # a worker down for weeks: one overdue reminder (the latest), not a burst
    late = datetime(2027, 2, 20, tzinfo=UTC)
    after = next_action_moments(item, policy, {"due-7"}, late)
    assert [mo.key for mo in after if mo.at <= late] == ["escalation", "overdue-4"]
    assert [mo.key for mo in after if mo.at > late] == ["overdue-5", "overdue-6", "overdue-7"]
    sent = {"due-7", "overdue-4", "escalation"}
    assert all(mo.at > late for mo in next_action_moments(item, policy, sent, late))
    # recorded after its due date: nothing from before the opening
    opened = datetime(2027, 1, 27, 12, tzinfo=UTC)
    opened_late = _item(date(2027, 1, 22), opened)
    keys = [mo.key for mo in next_action_moments(opened_late, policy, set(), opened)]
    assert keys == ["overdue-2", "escalation", "overdue-3", "overdue-4"]
    done = item.model_copy(update={"status": ActionStatus.DONE})
    assert next_action_moments(done, policy, set(), late) == []
    assert done_problem(done) == "action A1 is already done" and done_problem(item) is None


def test_owners_are_resolved_and_unknown_owners_refused() -> None:
    people = central_asia().participants
    assert {p.id for p in resolve_owners(KZ, people)} == {"kz-nfp", "kz-deputy"}
    jrc = Owner(kind=OwnerKind.ORGANISATION, code="JRC")
    assert [p.id for p in resolve_owners(jrc, people)] == ["jrc-obs"]
    assert owner_problem(KZ, people) is None
    assert owner_problem(Owner(kind=OwnerKind.COUNTRY, code="FR"), people) == (
        "owner: unknown country 'FR'"
    )
    no_nfp = [p for p in people if p.id not in ("kz-nfp", "kz-deputy")]
    assert owner_problem(KZ, no_nfp) == "owner: country KZ has no NFP or deputy to remind"
    nobody = Owner(kind=OwnerKind.PARTICIPANT, code="nobody")
    assert owner_problem(nobody, people) == "owner: unknown participant 'nobody'"
    with pytest.raises(ValueError, match="unknown organisation 'NATO'"):
        _input(_meeting(), "A9", Owner(kind=OwnerKind.ORGANISATION, code="NATO"), date.today())


def test_the_done_link_is_signed_for_one_action_and_expires() -> None:
    item = _item(date(2027, 1, 22))
    at = datetime(2027, 1, 15, 6, tzinfo=UTC)
    expires = done_link_expiry(item, at)
    assert expires == datetime(2028, 1, 22, tzinfo=UTC)
    url = done_link(LINK_KEY, MAIL_BASE + "/", item.meeting_id, "A1", expires)
    path, _, query = url.partition("?")
    assert path == f"{MAIL_BASE}/action/{item.meeting_id}/A1/done"
    exp, sig = (v.split("=", 1)[1] for v in query.split("&"))
    verify(LINK_KEY, DONE_PURPOSE, (item.meeting_id, "A1"), exp, sig, at)
    with pytest.raises(LinkError) as other:
        verify(LINK_KEY, DONE_PURPOSE, (item.meeting_id, "A2"), exp, sig, at)
    assert other.value.status == 403
    with pytest.raises(LinkError) as late:
        verify(LINK_KEY, DONE_PURPOSE, (item.meeting_id, "A1"), exp, sig, expires)
    assert late.value.status == 410
