"""The client's reads name each query by its handler and its answer's type (so that they
load no workflow class); these must be what the workflow classes define."""

from __future__ import annotations

import pytest
from temporalio import workflow

from starter.client.queries import QUERIES, Query
from workflows.followup.action_item import ActionItemWorkflow
from workflows.meeting.workflow import MeetingWorkflow

pytestmark = pytest.mark.integration  # the workflows' definitions, as the SDK reads them

WORKFLOWS = {w.__name__: w for w in (MeetingWorkflow, ActionItemWorkflow)}


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.workflow}.{q.name}")
def test_each_query_is_the_workflows_by_name_and_answer_type(query: Query[object]) -> None:
    definition = workflow._Definition.must_from_class(WORKFLOWS[query.workflow])
    assert definition.name == query.workflow
    assert query.name in definition.queries, list(definition.queries)
    assert definition.queries[query.name].ret_type is query.answer


def test_a_wrong_name_or_type_would_be_seen() -> None:
    """The check above can fail: a query the workflow lacks, an answer of another type."""
    definition = workflow._Definition.must_from_class(MeetingWorkflow)
    assert "agenda_view" not in definition.queries
    assert definition.queries["status"].ret_type is not definition.queries["agenda"].ret_type
