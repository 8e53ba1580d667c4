"""`rtm meeting plan FILE`: every bad definition refused with a message naming the problem,
and no workflow started."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.cli.inputs import InputError, check_meeting
from starter.cli.main import main
from tests.factories import meeting_data

LATER = (datetime.now(UTC) + timedelta(days=30)).replace(tzinfo=None, microsecond=0)

BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "end before start",
        {"start": LATER.isoformat(), "end": (LATER - timedelta(hours=1)).isoformat()},
        "must be after start",
    ),
    (
        "start in the past",
        {"start": "2022-03-21T09:00:00", "end": "2022-03-22T17:00:00"},
        "start: 2022-03-21 09:00 Asia/Dubai is in the past",
    ),
    ("unknown time zone", {"zone": "Asia/Atlantis"}, "zone: unknown time zone 'Asia/Atlantis'"),
    ("hybrid without venue", {"venue": None}, "venue: required for a hybrid meeting"),
    ("hybrid without join link", {"join_link": None}, "join_link: required for a hybrid meeting"),
    (
        "online without join link",
        {"format": "online", "venue": None, "join_link": None},
        "join_link: required for an online meeting",
    ),
    (
        "malformed address",
        {"organiser": {"name": "Secretariat", "email": "secretariat@@example"}},
        "organiser.email: 'secretariat@@example' is not a valid email address",
    ),
    (
        "same participant twice",
        {"participants": ["kz-nfp", "uz-nfp", "kz-nfp"]},
        "participants: listed twice: kz-nfp",
    ),
    (
        "unknown participant",
        {"participants": ["kz-nfp", "xx-nfp"]},
        "participants: unknown participant 'xx-nfp'",
    ),
    ("unknown country", {"countries": ["KZ", "RU"]}, "countries: unknown country 'RU'"),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD, ids=[b[0] for b in BAD])
async def test_bad_definition_is_refused_and_starts_nothing(
    cli_env: WorkflowEnvironment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    change: dict[str, Any],
    message: str,
) -> None:
    data = meeting_data(**change)
    path = tmp_path / "meeting.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    code = await asyncio.to_thread(main, ["meeting", "plan", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert not await _describe(cli_env, data["id"])


async def _describe(env: WorkflowEnvironment, workflow_id: str) -> bool:
    try:
        await env.client.get_workflow_handle(workflow_id).describe()
        return True
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise


async def test_good_definition_starts_once_then_is_refused_as_duplicate(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = meeting_data()
    path = tmp_path / "meeting.json"
    path.write_text(json.dumps(data))
    assert await asyncio.to_thread(main, ["meeting", "plan", str(path)]) == 0
    assert await _describe(cli_env, data["id"])
    assert await asyncio.to_thread(main, ["meeting", "plan", str(path)]) == 2
    assert f"meeting {data['id']} already exists" in capsys.readouterr().err
    await cli_env.client.get_workflow_handle(data["id"]).terminate("test done")


async def test_unreadable_file_is_a_clear_error(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "meeting.yaml"
    path.write_text("id: [unclosed")
    assert await asyncio.to_thread(main, ["meeting", "plan", str(path)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_a_deactivated_participant_named_by_id_is_refused(store: Store) -> None:
    store.set_active("uz-nfp", False)
    data = meeting_data(participants=["kz-nfp", "uz-nfp"])
    with pytest.raises(InputError) as refused:
        check_meeting(data, store, datetime.now(UTC))
    assert refused.value.problems == ["participants: 'uz-nfp' is deactivated in the directory"]
    store.set_active("uz-nfp", True)
    assert check_meeting(data, store, datetime.now(UTC)).participants == ["kz-nfp", "uz-nfp"]
