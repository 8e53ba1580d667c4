"""The network's tables on SQLite and PostgreSQL: countries' calendars read back equal,
series numbered once per key and never lowered by a reload, project ideas numbered per
region, listed open until decided."""

from __future__ import annotations

from datetime import date

from activities.store import Store
from domain.ideas.models import IdeaDecision, IdeaStatus, NewIdea
from starter.cli.inputs import read_directory
from starter.data import NETWORK


def test_network_directory_reads_back_equal(any_store: Store) -> None:
    directory = read_directory(NETWORK)
    counts = any_store.load_directory(directory)
    assert counts["series"] == len(directory.series) == 12
    assert any_store.countries() == sorted(directory.countries, key=lambda c: c.code)
    uae = next(c for c in any_store.countries("GCC") if c.code == "AE")
    assert [r.since for r in uae.weekend] == [None, date(2022, 1, 1)]
    assert {r.code: r for r in any_store.regions()} == {r.code: r for r in directory.regions}
    assert any_store.organisations() == sorted(directory.organisations, key=lambda o: o.code)
    assert any_store.all_series() == sorted(directory.series, key=lambda s: s.code)
    assert [s.code for s in any_store.all_series("CA")] == ["RTM-CA", "TRT-BIO-CA"]


def test_series_numbers_once_per_key_and_a_reload_never_lowers_them(any_store: Store) -> None:
    directory = read_directory(NETWORK)
    any_store.load_directory(directory)
    assert any_store.allocate_series_number("HRS", "run-1") == 10
    assert any_store.allocate_series_number("HRS", "run-1") == 10  # a retried activity
    assert any_store.allocate_series_number("HRS", "run-2") == 11
    any_store.load_directory(directory)  # says last_number 9 again
    heads = any_store.series("HRS")
    assert heads is not None and heads.last_number == 11
    assert any_store.allocate_series_number("HRS", "run-3") == 12
    any_store.note_series_number("HRS", 20)  # a meeting numbered by hand was recorded
    any_store.note_series_number("HRS", 15)  # an older one: never lowers it
    assert any_store.allocate_series_number("HRS", "run-4") == 21
    assert any_store.series("NOPE") is None


def test_project_ideas_numbered_per_region_and_open_until_decided(any_store: Store) -> None:
    any_store.load_directory(read_directory(NETWORK))
    first = any_store.record_idea(NewIdea(region="CA", title="Bio lab network"), "ca-sec-head")
    second = any_store.record_idea(NewIdea(region="CA", title="Mass gatherings"), "ca-sec-head")
    gulf = any_store.record_idea(NewIdea(region="GCC", title="Chemical safety"), "gcc-sec-head")
    assert (first.id, second.id, gulf.id) == ("PI-CA-1", "PI-CA-2", "PI-GCC-1")
    decided = any_store.decide_idea(
        IdeaDecision(idea_id="PI-CA-1", status=IdeaStatus.REJECTED, decided_in="RTM-CA-16"),
        "ca-sec-head",
    )
    assert decided.status is IdeaStatus.REJECTED and decided.decided_by == "ca-sec-head"
    assert [i.id for i in any_store.ideas("CA", open_only=True)] == ["PI-CA-2"]
    assert [i.id for i in any_store.ideas("CA")] == ["PI-CA-1", "PI-CA-2"]
    assert [i.id for i in any_store.ideas(open_only=True)] == ["PI-CA-2", "PI-GCC-1"]
    assert any_store.idea("PI-CA-1") == decided
