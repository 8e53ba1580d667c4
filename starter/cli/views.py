"""Text renderings of what the workflow queries answer, for the CLI."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.agenda.view import AgendaView
from domain.attendance.register import AttendanceView, RegisterCounts
from domain.common.display import printable
from domain.common.i18n import DEFAULT, written_in
from domain.common.marks import N_
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import MeetingStatus
from starter.cli.language import terminal_language
from starter.cli.replies import held_line
from starter.cli.say import phrase, phrase_n, shown, weekday

# The status table's columns (heading, width); the headings in the operator's language.
HEADINGS = [(N_("participant"), 16), (N_("from"), 9), (N_("invitation"), 10), (N_("answer"), 10),
            (N_("via"), 14), (N_("mail in"), 7), (N_("email"), 0)]  # fmt: skip


def _shown(status: MeetingStatus) -> str:
    first = status.page.offset + 1
    if not status.participants:
        return phrase("none")
    return f"{first}-{first + len(status.participants) - 1}"


def render_status(status: MeetingStatus, summary: str | None = None) -> str:
    """Phase, each participant's invitation and answer, and the answer counts (`summary`:
    the register's summary in the operator's language, where the engine's is English)."""
    m = status.meeting
    zones = {p.participant_id: p.zone for p in status.participants}
    lines = [
        f"{status.id}  {status.title}",
        f"{m.start:%Y-%m-%d %H:%M} - {m.end:%Y-%m-%d %H:%M} {m.zone}, {shown(m.format.value)}"
        + (f", {m.venue.city}" if m.venue else ""),
        phrase("phase %(phase)s, invitation sequence %(sequence)s; registration until "
              "%(deadline)s", phase=shown(status.phase.value), sequence=status.sequence,
              deadline=m.registration_deadline_text()),
        phrase("invitations: %(sent)s sent, %(failed)s failed, %(pending)s pending",
              sent=status.count(InvitationStatus.SENT),
              failed=status.count(InvitationStatus.FAILED),
              pending=status.count(InvitationStatus.PENDING)),
        "",
        phrase("participants %(shown)s of %(matching)s:", shown=_shown(status),
              matching=status.matching),
        "  " + " ".join(f"{phrase(h):<{w}}" for h, w in HEADINGS),
    ]  # fmt: skip
    for row in status.participants:
        inv = row.invitation
        answer = shown(row.attendance.value) if row.attendance else "-"
        lines.append(
            f"  {row.participant_id:<16} {row.affiliation:<9} {shown(inv.status.value):<10} "
            f"{answer:<10} {row.answered_via or '-':<14} "
            f"{written_in(row.languages, m.bilingual):<7} {row.email}"
            + (f"  ({printable(inv.error)})" if inv.error else "")
        )
    if status.held_replies:
        lines += ["", phrase("calendar replies awaiting confirmation (%(count)s; %(command)s):",
                            count=len(status.held_replies),
                            command="`rtm reply confirm|discard`")]  # fmt: skip
        lines += [f"  {held_line(reply)}" for reply in status.held_replies]
    published = status.agenda_published_version
    done = sum(1 for a in status.actions if a.status.value == "done")
    lines += [
        "",
        phrase("agenda: version %(version)s, %(published)s", version=status.agenda_version,
              published=phrase("published version %(version)s", version=published) if published
              else phrase("not published")),
        phrase("attendance: %(summary)s",
              summary=summary or status.attendance_summary
              or phrase("nobody checked in or joined yet")),
        phrase("follow-up: minutes %(minutes)s, %(done)s/%(total)s actions done",
              minutes=phrase("recorded") if status.minutes_recorded else phrase("not recorded"),
              done=done, total=len(status.actions)),
    ]  # fmt: skip
    lines += ["", phrase("answers by mode: %(counts)s", counts=_counts(status.answers.by_mode)),
              phrase("answers by country:")]  # fmt: skip
    for country, counts in status.answers.by_country.items():
        lines.append(f"  {country:<9} {_counts(counts)}")
    next_few = (
        phrase(", the next %(count)s", count=len(status.reminders))
        if status.reminders_total > len(status.reminders)
        else ""
    )
    lines += ["", phrase("coming reminders (%(total)s%(shown)s):", total=status.reminders_total,
                        shown=next_few)]  # fmt: skip
    for r in status.reminders:
        local = r.at.astimezone(ZoneInfo(zones.get(r.participant_id or "", m.zone)))
        local_time = phrase("(%(time)s local)", time=f"{weekday(local)} {local:%H:%M}")
        lines.append(
            f"  {r.at:%Y-%m-%d %H:%M} UTC  {local_time}  {shown(r.kind.value):<15} "
            f"{r.days_before:>3}d  {r.participant_id or phrase('secretariat')}"
        )
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{shown(mode)} {n}" for mode, n in counts.items())


def render_agenda(agenda: AgendaView) -> str:
    """Every item with its status, then the timetable (or why the items do not fit)."""
    published = (
        phrase("published version %(version)s", version=agenda.published_version)
        if agenda.published_version
        else phrase("not published")
    )
    lines = [
        phrase("%(meeting)s agenda, version %(version)s, %(published)s", meeting=agenda.meeting_id,
              version=agenda.version, published=published),
        "",
    ]  # fmt: skip
    for item in agenda.items:
        extra = f" ({item.presenter})" if item.presenter else ""
        reason = f"  -- {item.reason}" if item.reason else ""
        lines.append(
            f"  {item.id:<4} {item.status.value:<9} {item.kind.value:<15} "
            + phrase("%(minutes)s min", minutes=f"{item.minutes:>3}")
            + f"  {item.title}{extra}{reason}"
        )
    lines.append("")
    if agenda.problem:
        lines.append(phrase("does not fit: %(problem)s", problem=agenda.problem))
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


def attendance_summary(c: RegisterCounts) -> str:
    """The register's counts in press-release form ("more than 40 participants, including
    NFPs from six partner countries"), in the operator's language (digits but in English)."""
    if terminal_language() == DEFAULT:
        return c.summary
    n = c.participants
    head = (phrase("more than %(num)s participants", num=(n - 1) // 10 * 10) if n >= 20
            else phrase_n("%(num)s participant", "%(num)s participants", n))  # fmt: skip
    countries = len(c.nfp_countries)
    tail = phrase_n("including NFPs from %(num)s partner country",
                    "including NFPs from %(num)s partner countries", countries)  # fmt: skip
    return f"{head}, {tail}"


def render_attendance(view: AttendanceView) -> str:
    """The register, day by day, and its counts in press-release form."""
    c = view.counts
    lines = [f"{view.meeting_id}: {attendance_summary(c)}", ""]
    for p in view.presences:
        lines.append(f"  {p.day}  {p.participant_id:<16} {p.mode.value:<9} {p.at:%H:%M} UTC")
    lines += [
        "",
        phrase("participants: %(count)s; by mode: %(counts)s", count=c.participants,
              counts=_counts(c.by_mode)),
        phrase("by country: %(counts)s", counts=_counts(c.by_country)),
        phrase("by organisation: %(counts)s", counts=_counts(c.by_organisation)),
        phrase("NFPs present from: %(countries)s", countries=", ".join(c.nfp_countries) or "-"),
    ]  # fmt: skip
    for day, counts in c.by_day.items():
        lines.append(f"  {day}: {_counts(counts)}")
    return "\n".join(lines)
