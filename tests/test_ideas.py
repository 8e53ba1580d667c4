"""Project ideas on the agenda: listed under the project review of the region's next RTM,
or under a standing item of their own when the region's template has no project review."""

from __future__ import annotations

from domain.agenda.items import standing_items
from domain.agenda.template import ItemKind, TemplateItem, default_template
from domain.ideas.models import IdeaDecision, IdeaStatus, ProjectIdea, decision_problem, idea_lines


def test_ideas_are_listed_under_the_project_review() -> None:
    ideas = ["PI-CA-1: Regional bio-safety project (from TRT-BIO-CA-2) - to be decided"]
    items = standing_items(default_template(), [("KZ", "Kazakhstan")], ["A1 open"], ideas)
    review = [i for i in items if i.kind is ItemKind.PROJECT_REVIEW]
    assert [i.details for i in review] == [ideas]
    assert [i.details for i in items if i.kind is ItemKind.ACTION_REVIEW] == [["A1 open"]]
    without = standing_items(default_template(), [("KZ", "Kazakhstan")], ["A1 open"])
    assert [i.details for i in without if i.kind is ItemKind.PROJECT_REVIEW] == [[]]


def test_a_template_without_project_review_gets_one_for_the_ideas() -> None:
    template = [TemplateItem(title="Opening", kind=ItemKind.OPENING, minutes=30)]
    items = standing_items(template, [], None, ["PI-GCC-1: Gulf idea - to be decided"])
    assert [(i.title, i.details) for i in items] == [
        ("Opening", []),
        ("Project ideas to decide", ["PI-GCC-1: Gulf idea - to be decided"]),
    ]
    assert [i.title for i in standing_items(template, [], None, [])] == ["Opening"]


def test_idea_lines_and_decisions() -> None:
    from datetime import UTC, datetime

    idea = ProjectIdea(
        id="PI-CA-1",
        region="CA",
        title="Regional bio-safety project",
        origin="TRT-BIO-CA-2",
        proposed_by="KG",
        recorded_at=datetime(2027, 3, 25, tzinfo=UTC),
        recorded_by="ca-sec-head",
    )
    assert idea_lines([idea]) == [
        "PI-CA-1: Regional bio-safety project (from TRT-BIO-CA-2), proposed by KG - to be decided"
    ]
    accept = IdeaDecision(idea_id="PI-CA-1", status=IdeaStatus.ACCEPTED)
    assert decision_problem(idea, accept) is None
    assert decision_problem(None, accept) == "idea: unknown project idea 'PI-CA-1'"
    reopened = IdeaDecision(idea_id="PI-CA-1", status=IdeaStatus.OPEN)
    assert decision_problem(idea, reopened) == "status: a decision accepts or rejects"
    done = idea.model_copy(update={"status": IdeaStatus.REJECTED})
    assert decision_problem(done, accept) == "idea PI-CA-1 is already rejected"
