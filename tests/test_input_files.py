"""`rtm meeting plan FILE` on files that are not what they claim: each refused at once with
a message naming the file and the problem (exit 2), and no workflow started."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import yaml
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from starter.cli.inputs import InputError, read_document
from starter.cli.main import main
from tests.factories import meeting_data


async def _exists(env: WorkflowEnvironment, workflow_id: str) -> bool:
    try:
        await env.client.get_workflow_handle(workflow_id).describe()
        return True
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise


async def _plan(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = await asyncio.to_thread(main, ["meeting", "plan", str(path)])
    err = capsys.readouterr().err
    return code, err


async def test_a_yaml_key_given_twice_is_refused(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = meeting_data()
    text = yaml.safe_dump(data, allow_unicode=True)
    path = tmp_path / "meeting.yaml"
    path.write_text(f"id: RTM-CA-99\n{text}")  # PyYAML alone keeps the last `id:`
    assert yaml.safe_load(path.read_text())["id"] == data["id"]
    code, err = await _plan(path, capsys)
    assert code == 2, err
    assert "key 'id' appears twice" in err and "line" in err, err
    assert "Traceback" not in err
    assert not await _exists(cli_env, data["id"])
    assert not await _exists(cli_env, "RTM-CA-99")


async def test_a_json_key_given_twice_is_refused(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = meeting_data()
    path = tmp_path / "meeting.json"
    path.write_text('{"title": "Shadow title", ' + json.dumps(data)[1:])
    code, err = await _plan(path, capsys)
    assert code == 2, err
    assert "key 'title' appears twice" in err, err
    assert not await _exists(cli_env, data["id"])


async def test_a_file_not_in_utf8_is_a_clear_error(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = meeting_data(title="Круглый стол")
    path = tmp_path / "meeting.yaml"
    path.write_bytes(yaml.safe_dump(data, allow_unicode=True).encode("cp1251"))
    code, err = await _plan(path, capsys)
    assert code == 2, err
    assert "not UTF-8" in err and str(path) in err, err
    assert "Traceback" not in err and "UnicodeDecodeError" not in err
    assert not await _exists(cli_env, data["id"])


async def test_a_huge_definition_is_refused_fast(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = meeting_data(participants=[f"p-{n:07d}" for n in range(250_000)])
    path = tmp_path / "meeting.yaml"
    path.write_text(yaml.safe_dump(data))
    assert path.stat().st_size > 3_000_000  # the 3 MB of the report
    started = time.monotonic()
    code, err = await _plan(path, capsys)
    took = time.monotonic() - started
    assert code == 2, err
    assert "larger than 1024 KB" in err, err
    assert took < 5, f"refusing a {path.stat().st_size} byte file took {took:.1f} s"
    assert not await _exists(cli_env, data["id"])


def test_a_long_list_is_checked_for_repeats_in_linear_time(tmp_path: Path) -> None:
    """Just under the size limit, the model's own checks must not take minutes either."""
    from domain.meeting.definition import MeetingDefinition

    data = meeting_data(participants=[f"p-{n:06d}" for n in range(40_000)] + ["p-000001"])
    started = time.monotonic()
    with pytest.raises(ValueError, match="listed twice: p-000001"):
        MeetingDefinition.model_validate(data)
    assert time.monotonic() - started < 5


def test_read_document_accepts_what_it_always_did(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: 1\nb: {c: 2, d: [x, y]}\nlist:\n  - {id: 1}\n  - {id: 1}\n")
    assert read_document(path) == {"a": 1, "b": {"c": 2, "d": ["x", "y"]},
                                   "list": [{"id": 1}, {"id": 1}]}  # fmt: skip
    nested = tmp_path / "nested.yaml"
    nested.write_text("a:\n  b: 1\n  b: 2\n")
    with pytest.raises(InputError, match="key 'b' appears twice"):
        read_document(nested)
