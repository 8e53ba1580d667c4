"""The batch renderer (`InvitationRenderer`) writes the very bytes of `invitation_mail`.

It renders what the recipients of a batch share once per language and zone and fills in
each one's name and links; these tests compare it, message by message, with rendering each
message whole: every kind, format and language, names that HTML escapes, personal links
and none, and values that hold the placeholders' own mark (rendered whole then).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import pytest

from domain.common.links import join_link, rsvp_links
from domain.directory.models import Participant
from domain.invitations.batches import InvitationBatch
from domain.mail.invitation import InvitationRenderer, invitation_mail
from domain.mail.render import MARK
from domain.meeting.definition import MeetingDefinition
from tests.budget import share
from tests.mail_kinds import people, rtm

pytestmark = pytest.mark.unit

KEY = b"test-only rsvp link key, 32 bytes"
BASE_URL = "https://rtm.example.org/"
STAMP = datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC)
Format = Literal["in_person", "online", "hybrid"]


def _meeting(fmt: Format, **overrides: Any) -> MeetingDefinition:
    data: dict[str, Any] = {"format": fmt}
    if fmt == "online":
        data["venue"] = None
    if fmt == "in_person":
        data["join_link"] = None
    return rtm(**(data | overrides))


def _readers() -> list[Participant]:
    """The directory's people (English, Russian, several zones), and names to escape."""
    found = list(people().values())
    first = found[0]
    odd = ['Ann <b>"O\'Neil" & Co</b>', "Ли & <Чжан>", "  spaced  ", ""]
    found += [
        first.model_copy(update={"id": f"odd-{i}", "name": name}) for i, name in enumerate(odd)
    ]
    return found


def _batches(m: MeetingDefinition) -> list[InvitationBatch]:
    return [
        InvitationBatch(meeting=m, sequence=0, recipients=[]),
        InvitationBatch(
            meeting=m.model_copy(update={"start": m.start.replace(day=12)}),
            sequence=1,
            recipients=[],
            previous=m,
        ),
        InvitationBatch(
            meeting=m, sequence=2, method="CANCEL", recipients=[], reason="Venue <closed> & moved"
        ),
    ]


def _variants(m: MeetingDefinition, p: Participant) -> list[tuple[Any, str | None]]:
    links = rsvp_links(KEY, BASE_URL, m, p.id)
    # & and < to escape in the HTML; a personal link even where the meeting has none
    join = (join_link(KEY, BASE_URL, m, p.id) or f"{BASE_URL}join/{p.id}") + "&x=<1>"
    return [(None, None), (links, None), (links, join), (links, ""), (None, join)]


FORMATS: list[Format] = ["in_person", "online", "hybrid"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_message_is_the_bytes_rendered_whole(fmt: Format) -> None:
    """Every reader in every batch; in the quick run (tests/budget.py) a ninth of them in
    each batch, a different ninth in each, so that the nine batches see every reader."""
    m = _meeting(fmt)
    readers = _readers()
    for b, batch in enumerate(_batches(m)):
        renderer = InvitationRenderer(batch)
        for p in share(readers, len(readers) // 9 + 1, FORMATS.index(fmt) * 3 + b):
            for links, join in _variants(batch.meeting, p):
                got = renderer.mail(p, STAMP, links, join)
                assert got == invitation_mail(batch, p, STAMP, links, join), (
                    batch.method,
                    batch.sequence,
                    p.id,
                    links is not None,
                    join,
                )


def test_a_bilingual_meeting_and_a_later_stamp_are_the_bytes_rendered_whole() -> None:
    m = _meeting("hybrid", bilingual=True, notes="Bring <ID> & badge")
    batch = InvitationBatch(meeting=m, sequence=0, recipients=[])
    renderer = InvitationRenderer(batch)
    for minutes, p in enumerate(_readers()):
        stamp = STAMP.replace(minute=minutes % 60)
        links = rsvp_links(KEY, BASE_URL, m, p.id)
        join = join_link(KEY, BASE_URL, m, p.id)
        assert renderer.mail(p, stamp, links, join) == invitation_mail(batch, p, stamp, links, join)


def test_values_holding_the_placeholder_mark_are_rendered_whole() -> None:
    """A placeholder in a name, a link or the meeting's own text is never filled in."""
    p = next(iter(people().values()))
    for m, name in [
        (_meeting("hybrid"), f"Eve {MARK}join\ue001"),
        (_meeting("hybrid", title=f"RTM {MARK}name\ue001"), p.name),
    ]:
        batch = InvitationBatch(meeting=m, sequence=0, recipients=[])
        reader = p.model_copy(update={"name": name})
        links = rsvp_links(KEY, BASE_URL, m, p.id)
        join = join_link(KEY, BASE_URL, m, p.id)
        got = InvitationRenderer(batch).mail(reader, STAMP, links, join)
        assert got == invitation_mail(batch, reader, STAMP, links, join)


def test_batches_of_one_shape_share_a_renderer_and_others_do_not() -> None:
    m = _meeting("hybrid")
    a, b, c = (
        InvitationBatch(meeting=m, sequence=0, recipients=list(people().values())[:2]),
        InvitationBatch(meeting=m, sequence=0, recipients=list(people().values())[2:4]),
        InvitationBatch(meeting=m, sequence=1, recipients=[]),
    )
    assert InvitationRenderer.shape_of(a) == InvitationRenderer.shape_of(b)
    assert InvitationRenderer.shape_of(a) != InvitationRenderer.shape_of(c)
