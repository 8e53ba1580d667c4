"""Why a command was refused: a stable code and its parameters, with the English text.

A `Refusal` is the English sentence itself (a `str`: the workflows' validators raise it,
logs and the audit's `reason` keep reading it as before) that also carries its code and
parameters, so that each door (CLI, link pages, console) writes it in its reader's
language through the catalogue, and the audit log keeps what was refused in a form that
does not depend on the wording. The codes are part of the engine's interface: never
rename one, add a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["OTHER", "REASONS", "Refusal", "refusal_of", "several"]


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


OTHER = "other"  # a reason without a code of its own (a validation message, an older worker)

# Parameters that hold one of the engine's values (a phase, a mode): shown in the reader's
# words (domain.common.terms) too.
_TERM_PARAMS = frozenset({"status", "phase", "mode", "kind"})

REASONS: dict[str, str] = {
    OTHER: "%(text)s",
    # the meeting as a whole
    "meeting.missing": N_("no meeting '%(meeting)s'"),
    "meeting.exists": N_("meeting %(meeting)s already exists"),
    "meeting.over": N_("the meeting is cancelled or closed"),
    "meeting.ended": N_("meeting %(meeting)s is cancelled or closed"),
    "meeting.cancelled": N_("meeting %(meeting)s is cancelled"),
    "meeting.phase": N_("meeting %(meeting)s is %(phase)s"),
    "meeting.finished": N_("%(meeting)s has ended"),
    "meeting.finished_how": N_("meeting %(meeting)s has ended (%(how)s)"),
    "meeting.started": N_("meeting %(meeting)s has started"),
    "meeting.loading": N_("the meeting is loading its participants; try again in a moment"),
    "meeting.busy": N_("invitations are still going out; try again in a moment"),
    "meeting.planned_only": N_("%(meeting)s is only planned: schedule it first"),
    "meeting.not_yet_scheduled": N_(
        "%(meeting)s is only planned: answers are taken once it is scheduled"
    ),
    # answers
    "rsvp.not_invited": N_("participant '%(participant)s' is not invited to %(meeting)s"),
    "rsvp.stale": N_(
        "stale answer: it refers to invitation sequence %(sequence)s, "
        "the current one is %(current)s"
    ),
    "rsvp.never_sent": N_(
        "answer to invitation sequence %(sequence)s, which was never sent "
        "(the current one is %(current)s)"
    ),
    "rsvp.closed": N_("registration for %(meeting)s closed at %(deadline)s"),
    "rsvp.online_only": N_("%(meeting)s is online only: in-person attendance is not possible"),
    "rsvp.in_person_only": N_("%(meeting)s is in person only: online attendance is not possible"),
    # calendar replies held for confirmation
    "held.not_invited": N_("participant '%(participant)s' is not invited"),
    "held.unknown": N_("no reply %(reply)s awaits confirmation (waiting: %(waiting)s)"),
    "held.none": N_("no reply %(reply)s awaits confirmation (waiting: none)"),
    # reschedule, schedule, cancel, remind
    "reschedule.started": N_("meeting %(meeting)s has started: it can no longer be rescheduled"),
    "reschedule.same": N_("nothing changes: same dates, zone, venue, format and link"),
    "schedule.already": N_("meeting %(meeting)s is already scheduled: reschedule it instead"),
    "cancel.ended": N_("meeting %(meeting)s is already cancelled or closed"),
    "cancel.started": N_("meeting %(meeting)s has started: it can no longer be cancelled"),
    "remind.nobody": N_("everyone has answered: nobody to remind"),
    "remind.inviting": N_(
        "nobody to remind yet: the invitations are still going out and everyone who has "
        "one has answered"
    ),
    # the agenda
    "agenda.deadline": N_("the agenda proposal deadline passed (%(deadline)s)"),
    "agenda.presenter": N_("presenter '%(presenter)s' is not invited to this meeting"),
    "agenda.published": N_("this agenda (version %(version)s) is already published"),
    "agenda.no_item": N_("no agenda item '%(item)s'"),
    "agenda.reject_decided": N_("item %(item)s is %(status)s: only proposals can be rejected"),
    "agenda.accept_decided": N_("item %(item)s is %(status)s: only proposals can be accepted"),
    "agenda.no_reason": N_("%(field)s: a rejection needs a reason"),
    "agenda.empty_edit": N_("an edit needs at least one of %(fields)s"),
    # attendance
    "presence.not_invited": N_("participant '%(participant)s' is not invited to this meeting"),
    "presence.not_registered": N_("%(participant)s is not registered (no accepted answer)"),
    "presence.not_today": N_("today is not a day of the meeting (venue time)"),
    "presence.counted": N_("%(participant)s is already counted today (%(mode)s)"),
    # minutes and actions
    "minutes.not_held": N_("meeting %(meeting)s has not been held yet"),
    "minutes.recorded": N_("the minutes of %(meeting)s are already recorded"),
    "minutes.due": N_("%(field)s: %(due)s is not after the meeting"),
    "owner.unknown_country": N_("%(field)s: unknown country '%(code)s'"),
    "owner.nobody": N_("%(field)s: country %(code)s has no NFP or deputy to remind"),
    "owner.unknown": N_("%(field)s: unknown %(kind)s '%(code)s'"),
    "action.done": N_("action %(action)s is already done"),
    "action.missing": N_("no action '%(action)s'"),
    "action.ended": N_("action %(action)s ended"),
    "action.finished": N_("action %(action)s of %(meeting)s has ended"),
    "action.finished_how": N_("action %(action)s has ended (%(how)s)"),
    # a meeting definition (a file, the plan and schedule forms, a reschedule)
    "at": "%(field)s: %(problem)s",  # a problem beside its field: no words of its own
    "and": "%(first)s; %(rest)s",  # several problems: no words of its own either
    "input.missing": N_("Field required"),
    "input.integer": N_("Input should be a valid integer, unable to parse string as an integer"),
    "input.link": N_("'%(value)s' is not an http(s) link"),
    "input.region": N_("%(field)s: unknown region '%(region)s'"),
    "input.nobody": N_("%(field)s: the directory has nobody for these countries/organisations"),
    "meeting.offset": N_("start and end are venue wall-clock times: give them without an offset"),
    "meeting.end_first": N_("end (%(end)s) must be after start (%(start)s)"),
    "meeting.deadline_late": N_("%(field)s: a venue time no later than the start"),
    "meeting.too_long": N_("a meeting lasts at most 14 days"),
    "meeting.needs.in_person": N_("%(field)s: required for an in-person meeting"),
    "meeting.needs.online": N_("%(field)s: required for an online meeting"),
    "meeting.needs.hybrid": N_("%(field)s: required for a hybrid meeting"),
    "meeting.twice": N_("%(field)s: listed twice: %(values)s"),
    "meeting.nobody": N_("%(field)s: invite at least one participant, country or organisation"),
    "meeting.past": N_("%(field)s: %(when)s %(zone)s is in the past"),
    "time.gap": N_(
        "%(field)s: %(when)s does not exist in %(zone)s (the clocks skip from %(skip_from)s "
        "to %(skip_to)s that day); the nearest valid time is %(nearest)s"
    ),
    "time.twice": N_(
        "%(field)s: %(when)s happens twice in %(zone)s (the clocks go back that night): "
        "choose a time that happens once"
    ),
    # the directory, as a region's secretariat writes it
    "directory.auditor": N_("%(field)s: auditors are named by the initiative, not by a region"),
    "directory.country": N_("%(field)s: %(country)s is not a country of region %(region)s"),
    "directory.organisation": N_(
        "%(field)s: only the region's secretariat (%(organisation)s) is yours to edit"
    ),
    "directory.id_taken": N_("%(field)s: %(id)s is already in the directory"),
    "directory.columns": N_("columns missing: %(columns)s"),
    "directory.email_twice": N_("email %(email)s is listed twice"),
    # sending again
    "resend.closed": N_("the meeting is closed: there is nothing to send again"),
    "resend.not_invited": N_("%(field)s: '%(participant)s' is not invited to this meeting"),
    "resend.not_failed": N_("%(participant)s's invitation has not failed: nothing to send again"),
    "resend.none_failed": N_("no invitation has failed: nothing to send again"),
}


class Refusal(str):
    """The English reason (a `str`, as every caller used it) with its code and parameters."""

    code: str
    params: dict[str, str]
    inner: dict[str, Refusal]  # parameters that are refusals themselves, translated too

    def __new__(cls, code: str, /, **params: object) -> Refusal:
        if code not in REASONS:
            raise KeyError(f"no refusal code {code!r}")
        values = {k: str(v) for k, v in params.items()}
        self = super().__new__(cls, REASONS[code] % values)
        self.code = code
        self.params = values
        self.inner = {k: v for k, v in params.items() if isinstance(v, Refusal)}
        return self

    def text(self, lang: str) -> str:
        """The reason in `lang`, through the engine's catalogue (English without one)."""
        from domain.common import i18n
        from domain.common.terms import term

        template = REASONS[self.code]
        translated = i18n.gettext(lang, template) if template != REASONS[OTHER] else template
        values = {k: term(v, lang) if k in _TERM_PARAMS else v for k, v in self.params.items()}
        values |= {k: v.text(lang) for k, v in self.inner.items()}
        return translated % values

    def detail(self) -> dict[str, Any]:
        """What a workflow's refusal carries to the doors, and the audit log keeps."""
        found: dict[str, Any] = {"code": self.code, "params": dict(self.params)}
        if self.inner:
            found["inner"] = {k: v.detail() for k, v in self.inner.items()}
        return found


def _from_detail(detail: Mapping[str, Any], depth: int = 0) -> Refusal | None:
    """The refusal that `detail()` described, or None if it names no known code."""
    if depth > 50 or detail.get("code") not in REASONS:
        return None
    params: dict[str, object] = dict(detail.get("params") or {})
    inner = detail.get("inner") or {}
    for key, sub in inner.items() if isinstance(inner, Mapping) else ():
        found = _from_detail(sub, depth + 1) if isinstance(sub, Mapping) else None
        if found is None:
            return None
        params[key] = found
    try:
        return Refusal(str(detail["code"]), **params)
    except (KeyError, TypeError, ValueError):
        return None


def refusal_of(reason: str, detail: object = None) -> Refusal:
    """The refusal behind `reason`: itself if it is one, else the code and parameters that
    `detail` gives (a workflow's refusal, decoded), else the text as it is."""
    if isinstance(reason, Refusal):
        return reason
    found = _from_detail(detail) if isinstance(detail, Mapping) else None
    if found is not None and str(found) == reason:
        return found  # the same sentence: the code is trusted only when it agrees
    return Refusal(OTHER, text=reason)


def several(problems: Iterable[str]) -> Refusal | None:
    """One refusal for a list of problems: the one itself, or all of them together."""
    found = list(problems)
    if not found:
        return None
    first = refusal_of(found[0])
    rest = several(found[1:])
    return first if rest is None else Refusal("and", first=first, rest=rest)
