"""Determinism guard: every recorded history replays against today's workflow code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain.common.contracts import (
    LOAD_PARTICIPANTS,
    MeetingSummary,
    ParticipantList,
    ParticipantQuery,
)
from domain.meeting.definition import MeetingDefinition
from domain.meeting.state import MeetingState
from worker import WORKFLOWS, sandbox_runner
from workflows.meeting.workflow import MeetingWorkflow

pytestmark = pytest.mark.replay

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
MEETING_HISTORIES = [p for p in HISTORIES if p.name.startswith("meeting_")]


def test_there_are_recorded_histories() -> None:
    assert HISTORIES, "tests/histories/ must hold at least one recorded history"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(strict=True),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


@workflow.defn(name="MeetingWorkflow")
class ReorderedMeetingWorkflow(MeetingWorkflow):
    """Today's workflow with one careless change: it loads the participants before it
    records the SCHEDULED phase. Running meetings must not accept that."""

    @workflow.run
    async def run(self, start: MeetingDefinition | MeetingState) -> MeetingSummary:
        meeting = start.meeting if isinstance(start, MeetingState) else start
        await workflow.execute_activity(
            LOAD_PARTICIPANTS,
            ParticipantQuery.of(meeting),
            result_type=ParticipantList,
            start_to_close_timeout=timedelta(minutes=1),
        )
        return await super().run(start)


@pytest.mark.parametrize("path", MEETING_HISTORIES, ids=[p.stem for p in MEETING_HISTORIES])
async def test_a_changed_workflow_fails_against_recorded_history(path: Path) -> None:
    replayer = Replayer(
        workflows=[ReorderedMeetingWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(strict=True),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None
    assert "nondetermin" in str(result.replay_failure).lower()
