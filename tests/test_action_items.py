"""Follow-up action items: chased by their own workflows over months on the time-skipping
server (exact mails at the planned instants, escalation, done through the CLI path and
through the signed link, continue-as-new for an action overdue for a year), and the
projection on SQLite and PostgreSQL (the planning rules are in test_action_rules)."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import aiohttp
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.store import Store
from domain.common import i18n
from domain.common.links import signature
from domain.followup.actions import (
    DONE_LINK,
    ActionInput,
    ActionItem,
    ActionStatus,
    DoneCommand,
    Owner,
    OwnerKind,
    local_day,
)
from domain.followup.chasing import MomentKind, next_action_moments
from domain.registration.answers import Actor, Channel
from starter.client import commands
from starter.devstack.catcher import Caught, SmtpCatcher
from starter.web.app import make_app, serve
from tests.action_schedule import action_schedule
from tests.harness import LINK_KEY, advance_to, running_worker
from tests.ports import free_port
from tests.test_action_rules import KZ, MAIL_BASE, SECRETARIAT, _input, _meeting
from worker import WORKFLOWS, sandbox_runner
from workflows.followup.action_item import ActionItemWorkflow

CLI_USER = Actor(id="secretariat.ca", channel=Channel.CLI)
KZ_EMAILS = {"nfp.kz@example.org", "deputy.kz@example.org"}
Handle = WorkflowHandle[ActionItemWorkflow, ActionItem]


async def _start(client: Client, inp: ActionInput, queue: str) -> Handle:
    return await client.start_workflow(
        ActionItemWorkflow.run, inp, id=inp.item.workflow_id, task_queue=queue
    )


def _action_mails(catcher: SmtpCatcher, action: ActionItem) -> list[Caught]:
    return [
        c
        for c in catcher.caught
        if c.message()["X-RTM-Meeting"] == action.meeting_id
        and c.message()["X-RTM-Action"] == action.id
    ]


def _text(msg: EmailMessage) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def _scheduled(c: Caught) -> datetime:
    return datetime.fromisoformat(str(c.message()["X-RTM-Scheduled"]))


def _done_url(c: Caught) -> str:
    found = re.findall(r"https?://\S+/done\?exp=\d+&sig=[A-Za-z0-9_-]+", _text(c.message()))
    assert len(found) == 1, _text(c.message())
    return str(found[0])


async def _eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    """Poll `check` (e.g. a projection row an activity writes) until it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


# --- the workflow over months ---------------------------------------------------------


async def test_an_action_is_chased_escalated_and_done_through_the_cli(
    skipping_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    env = skipping_env
    m = _meeting()
    now = await env.get_current_time()
    inp = _input(m, "A1", KZ, (now + timedelta(days=60)).date())
    assert {p.id for p in inp.owners} == {"kz-nfp", "kz-deputy"}
    assert inp.item.owner_country == "KZ" and inp.item.number == 16
    policy = inp.policy
    async with running_worker(env.client, store, catcher.port) as queue:
        handle = await _start(env.client, inp, queue)
        item = await handle.query(ActionItemWorkflow.status)
        assert item.opened_at is not None and item.status is ActionStatus.OPEN
        first_plan = next_action_moments(item, policy, set(), item.opened_at)
        assert [mo.key for mo in first_plan] == ["due-7", "overdue-1", "overdue-2", "escalation"]
        await _eventually(lambda: [r.status for r in store.actions(region="CA")] == ["open"])

        escalation = next(mo for mo in first_plan if mo.kind is MomentKind.ESCALATION)
        until = escalation.at + timedelta(days=9, hours=12)  # between two moments
        await advance_to(env, until)
        expected = action_schedule(item, policy, until)
        assert [mo.key for mo in expected][:4] == [mo.key for mo in first_plan]
        assert "overdue-3" in {mo.key for mo in expected}
        chased = _action_mails(catcher, item)

        done = await commands.mark_action_done(
            env.client,
            store,
            item.workflow_id,
            DoneCommand(note="Plan sent to the secretariat", actor=CLI_USER),
        )
        assert done.status is ActionStatus.DONE and done.done_by == CLI_USER
        await advance_to(env, until + timedelta(days=120), step=timedelta(days=7))
        result = await handle.result()
        after = _action_mails(catcher, item)

        # a second "done" is refused and changes nothing
        with pytest.raises(commands.CommandRefused, match="action A1 is already done"):
            await commands.mark_action_done(
                env.client, store, item.workflow_id, DoneCommand(actor=CLI_USER)
            )
        assert await commands.action_status(env.client, item.workflow_id) == result

    # exactly the planned mails, to the planned people, at the planned instants
    got: dict[tuple[str, str], datetime] = {}
    for c in chased:
        got[(str(c.message()["X-RTM-Action-Key"]), c.rcpt_tos[0])] = _scheduled(c)
    assert len(got) == len(chased), "no mail sent twice"
    want = {
        (mo.key, email): mo.at
        for mo in expected
        for email in ({SECRETARIAT.email} if mo.kind is MomentKind.ESCALATION else KZ_EMAILS)
    }
    assert sorted(got) == sorted(want)
    for key, at in want.items():
        assert abs(got[key] - at) < timedelta(minutes=1), (key, got[key], at)
    assert after == chased, "nothing after it was marked done"
    assert len({c.message_id for c in chased}) == len(chased)

    # the owners' reminders carry one mark-done link, signed for the action
    owner_mails = [c for c in chased if c.message()["X-RTM-Notice"] == "action-reminder"]
    links = {_done_url(c) for c in owner_mails if c.message()["X-RTM-Action-Key"] == "due-7"}
    assert len(links) == 1
    link = links.pop()
    assert link.startswith(f"{MAIL_BASE}/action/{m.id}/A1/done?")
    due7 = next(c for c in owner_mails if c.message()["X-RTM-Action-Key"] == "due-7")
    (due7_at,) = [mo.at for mo in expected if mo.key == "due-7"]
    days_left = (inp.item.due - local_day(due7_at, m.zone)).days
    # in the owner's language (the NFPs of Kazakhstan read Russian)
    lang = i18n.pick(next(p for p in inp.owners if p.email == due7.rcpt_tos[0]).languages)
    due_in = i18n.ngettext(
        lang,
        "This action from the %(title)s is due in %(num)d day:",
        "This action from the %(title)s is due in %(num)d days:",
        days_left,
    ) % {"title": m.title, "num": days_left}
    assert days_left >= 7 and due_in in _text(due7.message())
    assert all(DONE_LINK not in _text(c.message()) for c in chased)
    (sent_escalation,) = [c for c in chased if c.rcpt_tos == (SECRETARIAT.email,)]
    esc = _text(sent_escalation.message())
    days_late = (local_day(escalation.at, m.zone) - inp.item.due).days
    assert f"is {days_late} days overdue" in esc
    assert "Owner: country Republic of Kazakhstan (KZ)" in esc
    assert f"Due: {inp.item.due:%d %B %Y}" in esc
    assert "nfp.kz@example.org" in esc and "/done?" not in esc

    # the workflow's result, the projection and the audit log agree
    assert result.status is ActionStatus.DONE and result.note == "Plan sent to the secretariat"
    (row,) = store.actions(region="CA")
    assert row == result
    assert store.actions(region="CA", open_only=True) == []
    events = Counter(r.action for r in store.audit(m.id))
    assert events["action.opened"] == 1 and events["action.done"] == 1
    assert events["action-reminder.sent"] == len(owner_mails)
    assert events["action-escalation.sent"] == 1
    refused = [r for r in store.audit(item.workflow_id) if r.action == "action.done.refused"]
    assert len(refused) == 1 and "already done" in json.loads(refused[0].detail)["reason"]
    done_rows = [r for r in store.audit(m.id) if r.action == "action.done"]
    assert (done_rows[0].actor, done_rows[0].channel) == ("secretariat.ca", "cli")


async def test_the_signed_link_shows_then_marks_the_action_done(
    skipping_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    env = skipping_env
    m = _meeting()
    now = await env.get_current_time()
    owner = Owner(kind=OwnerKind.PARTICIPANT, code="uz-nfp")
    inp = _input(m, "A2", owner, (now + timedelta(days=12)).date(), what="Host the 17th RTM")
    assert inp.item.owner_country == "UZ"
    item = inp.item
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # the meeting is known to the store (refused links of unknown meetings write nothing)
    store.record_meeting(m.id, m.region, m.title, "followup", m.model_dump_json())
    async with running_worker(env.client, store, catcher.port) as queue:
        handle = await _start(env.client, inp, queue)
        opened = await handle.query(ActionItemWorkflow.status)
        until = now + timedelta(days=12)
        (reminder,) = [mo for mo in action_schedule(opened, inp.policy, until) if mo.key == "due-7"]
        await advance_to(env, reminder.at + timedelta(hours=1))
        (mail,) = _action_mails(catcher, item)
        assert mail.rcpt_tos == ("nfp.uz@example.org",)
        url = base + _done_url(mail).removeprefix(MAIL_BASE)

        runner = await serve(make_app(env.client, store, LINK_KEY), "127.0.0.1", port)
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(url) as resp:
                    page = await resp.text()
                    assert resp.status == 200, page
                assert "Host the 17th RTM" in page and "Confirm" in page
                status = await handle.query(ActionItemWorkflow.status)
                assert status.status is ActionStatus.OPEN, "GET changes nothing"

                tampered = re.sub(r"sig=[^&]+", "sig=" + "A" * 43, url)
                async with http.post(tampered) as resp:
                    assert resp.status == 403
                other = url.replace("/A2/", "/A1/")
                async with http.get(other) as resp:
                    assert resp.status == 403
                exp = int(re.findall(r"exp=(\d+)", url)[0])
                rsvp_sig = signature(LINK_KEY, "rsvp", (m.id, "A2"), exp)
                wrong_purpose = re.sub(r"sig=[^&]+", f"sig={rsvp_sig}", url)
                async with http.post(wrong_purpose) as resp:
                    assert resp.status == 403
                assert (await handle.query(ActionItemWorkflow.status)).status is ActionStatus.OPEN

                async with http.post(url, data={"note": "Dates agreed\r\nwith the host"}) as resp:
                    page = await resp.text()
                    assert resp.status == 200, page
                assert "recorded as done" in page
                result = await handle.result()

                async with http.get(url) as resp:
                    page = await resp.text()
                    assert resp.status == 409
                assert "already marked done" in html.unescape(page)
                async with http.post(url) as resp:
                    assert resp.status == 409
        finally:
            await runner.cleanup()
        await advance_to(env, reminder.at + timedelta(days=60), step=timedelta(days=7))

    assert result.status is ActionStatus.DONE and result.note == "Dates agreed with the host"
    assert result.done_by == Actor(id=f"owner:{m.id}/A2", channel=Channel.LINK)
    assert len(_action_mails(catcher, item)) == 1, "no reminder once done"
    (row,) = store.actions(country="UZ")
    assert row.status is ActionStatus.DONE and row.done_by == result.done_by
    refused = [r for r in store.audit(m.id) if r.action == "link.refused"]
    # three refusals of one kind (403 on the done route): one row a minute, with a count
    assert 1 <= len(refused) <= 2
    assert sum(json.loads(r.detail)["count"] for r in refused) == 3
    assert refused[0].actor == "unverified:action/A2"
    assert all(r.channel == "link" for r in refused)
    applied = [r.action for r in store.audit(item.workflow_id)]
    assert applied == ["action.done", "action.done.refused"]


async def test_an_action_overdue_for_a_year_continues_as_new(
    skipping_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    env = skipping_env
    m = _meeting()
    now = await env.get_current_time()
    inp = _input(m, "A3", KZ, (now - timedelta(days=3)).date(), continue_after=3)
    async with running_worker(env.client, store, catcher.port) as queue:
        handle = await _start(env.client, inp, queue)
        first_run = handle.first_execution_run_id
        assert first_run is not None
        item = await handle.query(ActionItemWorkflow.status)
        assert item.opened_at is not None
        year = item.opened_at + timedelta(days=365)
        await advance_to(env, year, step=timedelta(days=7))
        described = await env.client.get_workflow_handle(item.workflow_id).describe()
        assert described.run_id != first_run
        assert (await commands.action_status(env.client, item.workflow_id)) == item

        # follow the chain of runs: each ends in CONTINUED_AS_NEW and stays small
        histories = []
        runs: list[str] = []
        run_id: str | None = first_run
        while run_id is not None:
            runs.append(run_id)
            history = await env.client.get_workflow_handle(
                item.workflow_id, run_id=run_id
            ).fetch_history()
            histories.append(history)
            last = history.events[-1]
            if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
                run_id = None
            else:
                attrs = last.workflow_execution_continued_as_new_event_attributes
                run_id = attrs.new_execution_run_id
        assert runs[-1] == described.run_id and len(set(runs)) == len(runs)
        done = await commands.mark_action_done(
            env.client, store, item.workflow_id, DoneCommand(actor=CLI_USER)
        )
        assert done.status is ActionStatus.DONE
        result = await env.client.get_workflow_handle(
            item.workflow_id, result_type=ActionItem
        ).result()

    assert len(histories) >= 5, "continued as new several times"
    assert all(len(h.events) < 200 for h in histories), [len(h.events) for h in histories]
    # the runs replay against today's code (no clock, zone or I/O inside the workflow)
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(),
    )
    for h in (histories[0], histories[len(histories) // 2]):
        replay = await replayer.replay_workflow(h, raise_on_replay_failure=False)
        assert replay.replay_failure is None, replay.replay_failure

    mails = _action_mails(catcher, item)
    keys = [(str(c.message()["X-RTM-Action-Key"]), c.rcpt_tos[0]) for c in mails]
    assert len(keys) == len(set(keys)), "no reminder sent twice across runs"
    expected = action_schedule(item, inp.policy, year)
    assert {k for k, _ in keys} == {mo.key for mo in expected}
    assert len(expected) >= 50 and "escalation" in {mo.key for mo in expected}
    assert "overdue-1" not in {k for k, _ in keys}, "nothing from before the action opened"
    assert result.status is ActionStatus.DONE and result.opened_at == item.opened_at


# --- the projection ---------------------------------------------------------------------


def _stored(
    action_id: str,
    region: str,
    number: int,
    owner: Owner,
    country: str | None,
    due: date,
    done: bool = False,
) -> ActionItem:
    return ActionItem(
        id=action_id,
        meeting_id=f"RTM-{region}-{number}",
        meeting_title=f"{number}th Round-Table Meeting",
        region=region,
        number=number,
        what=f"Action {action_id}",
        owner=owner,
        owner_country=country,
        due=due,
        zone="Asia/Dubai",
        opened_at=datetime(2026, 6, 1, 8, tzinfo=UTC),
        status=ActionStatus.DONE if done else ActionStatus.OPEN,
        done_at=datetime(2026, 9, 1, 8, 30, tzinfo=UTC) if done else None,
        done_by=CLI_USER if done else None,
        note="sent" if done else None,
    )


def test_actions_by_region_country_and_state(any_store: Store) -> None:
    store = any_store
    mn_nfp = Owner(kind=OwnerKind.PARTICIPANT, code="mn-nfp")
    jrc = Owner(kind=OwnerKind.ORGANISATION, code="JRC")
    kz = Owner(kind=OwnerKind.COUNTRY, code="KZ")
    items = [
        _stored("A1", "CA", 15, kz, "KZ", date(2026, 9, 1), done=True),
        _stored("A2", "CA", 15, mn_nfp, "MN", date(2026, 10, 1)),
        _stored("A1", "CA", 16, kz, "KZ", date(2027, 1, 10)),
        _stored("A2", "CA", 16, jrc, None, date(2027, 1, 5)),
        _stored("A3", "CA", 16, kz, "KZ", date(2027, 2, 1), done=True),
        _stored("A1", "SEE", 16, Owner(kind=OwnerKind.COUNTRY, code="RS"), "RS", date(2027, 1, 1)),
    ]
    undone = {"status": ActionStatus.OPEN, "done_at": None, "done_by": None, "note": None}
    for it in items:
        for _ in range(2):  # a retried activity adds no second audit row
            store.record_action(it.model_copy(update=undone), "opened")
        if it.status is ActionStatus.DONE:
            for _ in range(2):
                store.record_action(it, "done")

    def ids(found: list[ActionItem]) -> list[str]:
        return [f"{a.number}/{a.id}" for a in found]

    assert sorted(store.actions(), key=lambda a: a.due) == store.actions()
    assert store.actions() == sorted(items, key=lambda a: (a.due, a.meeting_id, a.id))
    assert ids(store.actions(region="CA")) == ["15/A1", "15/A2", "16/A2", "16/A1", "16/A3"]
    assert ids(store.actions(country="KZ")) == ["15/A1", "16/A1", "16/A3"]
    assert ids(store.actions(country="MN")) == ["15/A2"], "owned by an MN participant"
    assert ids(store.actions(region="CA", open_only=True)) == ["15/A2", "16/A2", "16/A1"]
    assert ids(store.actions(region="CA", country="KZ", open_only=True)) == ["16/A1"]
    assert store.actions(region="XX") == []
    # what the 17th carries forward: the 16th's open actions; the 16th: the 15th's
    assert ids(store.open_actions_before("CA", 17)) == ["16/A2", "16/A1"]
    assert ids(store.open_actions_before("CA", 16)) == ["15/A2"]
    assert store.open_actions_before("CA", 15) == []
    assert ids(store.open_actions_before("SEE", 99)) == ["16/A1"]

    audit = Counter(r.action for r in store.audit("RTM-CA-16"))
    assert audit == {"action.opened": 3, "action.done": 1}
    (done_row,) = [r for r in store.audit("RTM-CA-16") if r.action == "action.done"]
    assert (done_row.actor, done_row.channel) == ("secretariat.ca", "cli")
    assert json.loads(done_row.detail)["action"] == "A3"
