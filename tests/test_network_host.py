"""A host different from the organiser (the GCC secretariat hosting the 15th Central Asia
RTM in Dubai) is named in the invitation, text and HTML, and in the meeting report."""

from __future__ import annotations

from datetime import UTC, datetime

from activities.reports.documents import report_markdown
from domain.common import i18n
from domain.invitations.batches import InvitationBatch
from domain.mail.invitation import invitation_content
from tests.factories import central_asia, meeting
from tests.report_facts import rtm15_facts

GCC = {"name": "CBRN CoE Regional Secretariat for the GCC Countries", "organisation": "SEC-GCC"}
STAMP = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_invitation_names_the_host_beside_the_organiser() -> None:
    kz = next(p for p in central_asia().participants if p.id == "kz-nfp")
    hosted = meeting(host=GCC)
    rendered, _ = invitation_content(
        InvitationBatch(meeting=hosted, sequence=0, method="REQUEST", recipients=[kz]), kz, STAMP
    )
    # in the reader's language (the NFP of Kazakhstan reads Russian)
    hosted_by = i18n.gettext(i18n.pick(kz.languages), "Hosted by: %(host)s")
    assert hosted_by % {"host": GCC["name"]} in rendered.text
    assert hosted_by % {"host": GCC["name"]} in rendered.html
    plain = meeting()
    rendered, _ = invitation_content(
        InvitationBatch(meeting=plain, sequence=0, method="REQUEST", recipients=[kz]), kz, STAMP
    )
    label = hosted_by.split("%")[0]
    assert label not in rendered.text and label not in rendered.html
    itself = meeting(host={"name": plain.organiser.name})  # the organiser hosting: not repeated
    assert itself.host_name is None and hosted.host_name == GCC["name"]


def test_the_report_names_the_host() -> None:
    facts = rtm15_facts()
    hosted = facts.model_copy(update={"meeting": facts.meeting.model_copy(update={
        "host": meeting(host=GCC).host})})  # fmt: skip
    assert f"The meeting was hosted by {GCC['name']}." in report_markdown(hosted, "en")
    assert f"Принимающая сторона встречи: {GCC['name']}." in report_markdown(hosted, "ru")
    assert "hosted by" not in report_markdown(facts, "en")
