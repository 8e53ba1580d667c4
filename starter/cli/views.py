"""Text renderings of what the workflow queries answer, for the CLI."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.agenda.view import AgendaView
from domain.attendance.register import AttendanceView
from domain.common.display import printable
from domain.common.i18n import written_in
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import MeetingStatus
from starter.cli.replies import held_line


def _shown(status: MeetingStatus) -> str:
    first = status.page.offset + 1
    return f"{first}-{first + len(status.participants) - 1}" if status.participants else "none"


def render_status(status: MeetingStatus) -> str:
    """Phase, each participant's invitation and answer, and the answer counts."""
    m = status.meeting
    zones = {p.participant_id: p.zone for p in status.participants}
    lines = [
        f"{status.id}  {status.title}",
        f"{m.start:%Y-%m-%d %H:%M} - {m.end:%Y-%m-%d %H:%M} {m.zone}, {m.format.value}"
        + (f", {m.venue.city}" if m.venue else ""),
        f"phase {status.phase.value}, invitation sequence {status.sequence}; registration "
        f"until {m.registration_deadline_text()}",
        f"invitations: {status.count(InvitationStatus.SENT)} sent, "
        f"{status.count(InvitationStatus.FAILED)} failed, "
        f"{status.count(InvitationStatus.PENDING)} pending",
        "",
        f"participants {_shown(status)} of {status.matching}:",
        f"  {'participant':<16} {'from':<9} {'invitation':<10} {'answer':<10} {'via':<14} "
        f"{'mail in':<7} email",
    ]
    for row in status.participants:
        inv = row.invitation
        answer = row.attendance.value if row.attendance else "-"
        lines.append(
            f"  {row.participant_id:<16} {row.affiliation:<9} {inv.status.value:<10} "
            f"{answer:<10} {row.answered_via or '-':<14} "
            f"{written_in(row.languages, m.bilingual):<7} {row.email}"
            + (f"  ({printable(inv.error)})" if inv.error else "")
        )
    if status.held_replies:
        lines += ["", f"calendar replies awaiting confirmation ({len(status.held_replies)}; "
                      "`rtm reply confirm|discard`):"]  # fmt: skip
        lines += [f"  {held_line(reply)}" for reply in status.held_replies]
    published = status.agenda_published_version
    lines += [
        "",
        f"agenda: version {status.agenda_version}, "
        + (f"published version {published}" if published else "not published"),
        f"attendance: {status.attendance_summary or 'nobody checked in or joined yet'}",
        f"follow-up: minutes {'recorded' if status.minutes_recorded else 'not recorded'}, "
        f"{sum(1 for a in status.actions if a.status.value == 'done')}/{len(status.actions)} "
        "actions done",
    ]
    lines += ["", "answers by mode: " + _counts(status.answers.by_mode), "answers by country:"]
    for country, counts in status.answers.by_country.items():
        lines.append(f"  {country:<9} {_counts(counts)}")
    shown = (
        f", the next {len(status.reminders)}"
        if status.reminders_total > len(status.reminders)
        else ""
    )
    lines += ["", f"coming reminders ({status.reminders_total}{shown}):"]
    for r in status.reminders:
        local = r.at.astimezone(ZoneInfo(zones.get(r.participant_id or "", m.zone)))
        lines.append(
            f"  {r.at:%Y-%m-%d %H:%M} UTC  ({local:%a %H:%M} local)  {r.kind.value:<15} "
            f"{r.days_before:>3}d  {r.participant_id or 'secretariat'}"
        )
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{mode} {n}" for mode, n in counts.items())


def render_agenda(agenda: AgendaView) -> str:
    """Every item with its status, then the timetable (or why the items do not fit)."""
    lines = [
        f"{agenda.meeting_id} agenda, version {agenda.version}"
        + (f", published version {agenda.published_version}" if agenda.published_version
           else ", not published"),
        "",
    ]  # fmt: skip
    for item in agenda.items:
        extra = f" ({item.presenter})" if item.presenter else ""
        reason = f"  -- {item.reason}" if item.reason else ""
        lines.append(
            f"  {item.id:<4} {item.status.value:<9} {item.kind.value:<15} {item.minutes:>3} min  "
            f"{item.title}{extra}{reason}"
        )
    lines.append("")
    if agenda.problem:
        lines.append(f"does not fit: {agenda.problem}")
    titles = {i.id: i.title for i in agenda.items}
    day = None
    for slot in agenda.slots:
        if slot.day != day:
            day = slot.day
            lines.append(f"{day:%A %d %B %Y}")
        lines.append(
            f"  {slot.start:%H:%M}-{slot.end:%H:%M}  {slot.item_id:<4} {titles[slot.item_id]}"
        )
    return "\n".join(lines)


def render_attendance(view: AttendanceView) -> str:
    """The register, day by day, and its counts in press-release form."""
    c = view.counts
    lines = [f"{view.meeting_id}: {c.summary}", ""]
    for p in view.presences:
        lines.append(f"  {p.day}  {p.participant_id:<16} {p.mode.value:<9} {p.at:%H:%M} UTC")
    lines += [
        "",
        f"participants: {c.participants}; by mode: {_counts(c.by_mode)}",
        f"by country: {_counts(c.by_country)}",
        f"by organisation: {_counts(c.by_organisation)}",
        f"NFPs present from: {', '.join(c.nfp_countries) or '-'}",
    ]
    for day, counts in c.by_day.items():
        lines.append(f"  {day}: {_counts(counts)}")
    return "\n".join(lines)
