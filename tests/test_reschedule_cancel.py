"""RSVP from the CLI, reschedule and cancel on real servers: every participant gets the
update (SEQUENCE+1) or the cancellation, and every refused command changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes, policy

import icalendar
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import MeetingStatus
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import Caught, SmtpCatcher
from tests.factories import meeting
from tests.harness import invited, plan, running_worker


def _event(c: Caught) -> tuple[str, icalendar.Event]:
    msg = message_from_bytes(c.data, policy=policy.default)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    cal = icalendar.Calendar.from_ical(payload)
    events = [e for e in cal.walk("VEVENT") if isinstance(e, icalendar.Event)]
    assert len(events) == 1
    return str(cal["METHOD"]), events[0]


async def _cli(*argv: str) -> tuple[int, str]:
    return await asyncio.to_thread(main, list(argv)), ""


async def test_rsvp_reschedule_cancel_round_trip(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = cli_env.client
    m = meeting()
    async with running_worker(client, store, catcher.port) as queue:
        handle = await plan(client, m, queue)
        first = await invited(handle)
        n = len(first.participants)
        assert len(catcher.caught) == n

        async def state() -> MeetingStatus:
            return await commands.status(client, m.id)

        # an answer through the CLI
        code, _ = await _cli("rsvp", m.id, "kz-nfp", "--attend", "online")
        assert code == 0, capsys.readouterr().err
        row = (await state()).participant("kz-nfp")
        assert (row.attendance, row.answered_via) == ("online", "cli")

        # refused answers change nothing
        before = await state()
        for argv, why in [
            (("rsvp", m.id, "xx-nfp", "--attend", "online"), "not invited"),
            (("rsvp", "RTM-XX-99", "kz-nfp", "--attend", "online"), "no meeting"),
        ]:
            capsys.readouterr()
            code, _ = await _cli(*argv)
            assert code == 2
            assert why in capsys.readouterr().err
        # the same refusal in the terminal's language, by its code
        monkeypatch.setenv("LANGUAGE", "ru")
        code, _ = await _cli("rsvp", m.id, "xx-nfp", "--attend", "online")
        monkeypatch.delenv("LANGUAGE")
        assert code == 2
        assert f"участник «xx-nfp» не приглашён на встречу {m.id}" in capsys.readouterr().err
        with pytest.raises(SystemExit) as bad_choice:
            main(["rsvp", m.id, "kz-nfp", "--attend", "maybe"])
        assert bad_choice.value.code == 2
        assert await state() == before

        # a refused reschedule changes nothing
        new_start = m.start + timedelta(days=7)
        new_end = m.end + timedelta(days=7)
        capsys.readouterr()
        code, _ = await _cli(
            "meeting", "reschedule", m.id,
            "--start", new_end.isoformat(), "--end", new_start.isoformat(),
        )  # fmt: skip
        assert code == 2
        assert "must be after start" in capsys.readouterr().err
        assert await state() == before
        assert len(catcher.caught) == n

        # reschedule: everyone gets SEQUENCE 1 with the new dates, same UID
        code, _ = await _cli(
            "meeting", "reschedule", m.id,
            "--start", new_start.isoformat(), "--end", new_end.isoformat(),
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        moved = await state()
        assert moved.sequence == 1
        assert all(i.sequence == 1 and i.status is InvitationStatus.SENT for i in moved.invitations)
        updates = catcher.caught[n:]
        assert sorted(c.rcpt_tos[0] for c in updates) == sorted(p.email for p in moved.participants)
        for c in updates:
            method, event = _event(c)
            assert method == "REQUEST"
            assert int(str(event["SEQUENCE"])) == 1
            assert str(event["UID"]) == m.uid
            assert event.decoded("DTSTART").replace(tzinfo=None) == new_start
        assert moved.participant("kz-nfp").attendance == "online", "answers survive a reschedule"

        # cancel: everyone gets METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE 2
        code, _ = await _cli("meeting", "cancel", m.id, "--reason", "venue unavailable")
        assert code == 0, capsys.readouterr().err
        cancels = catcher.caught[2 * n :]
        assert len(cancels) == n
        for c in cancels:
            method, event = _event(c)
            assert method == "CANCEL"
            assert str(event["STATUS"]) == "CANCELLED"
            assert int(str(event["SEQUENCE"])) == 2
            assert str(event["UID"]) == m.uid
        summary = await handle.result()
        assert summary.phase is Phase.CANCELLED

    # after the end, commands are refused
    capsys.readouterr()
    code, _ = await _cli("meeting", "cancel", m.id)
    assert code == 2
    code, _ = await _cli("rsvp", m.id, "kz-nfp", "--attend", "decline")
    assert code == 2
    assert len(catcher.caught) == 3 * n
    actions = [a.action for a in store.audit(m.id)]
    assert actions.count("rsvp") == 1
    assert "reschedule.refused" in actions and "reschedule" in actions and "cancel" in actions
