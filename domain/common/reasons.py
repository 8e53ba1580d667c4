"""Every reason the engine refuses a command for: its stable code and its English text,
marked for the catalogue. The codes are part of the engine's interface (the audit log keeps
them): never rename one, add a new one. `domain.common.refusals` makes sentences of them."""

from __future__ import annotations

from domain.common.marks import N_

__all__ = ["OTHER", "REASONS"]

OTHER = "other"  # a reason without a code of its own (a validation message, an older worker)

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
    "action.none_in": N_("action: no action %(action)s in %(meeting)s"),
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
    # pydantic's own checks, by error type (domain.common.invalid), in pydantic's words
    "input.integer_type": N_("Input should be a valid integer"),
    "input.integer_fraction": N_(
        "Input should be a valid integer, got a number with a fractional part"
    ),
    "input.number": N_("Input should be a valid number, unable to parse string as a number"),
    "input.number_type": N_("Input should be a valid number"),
    "input.boolean": N_("Input should be a valid boolean, unable to interpret input"),
    "input.boolean_type": N_("Input should be a valid boolean"),
    "input.string": N_("Input should be a valid string"),
    "input.short.one": N_("String should have at least 1 character"),
    "input.short": N_("String should have at least %(min_length)s characters"),
    "input.long": N_("String should have at most %(max_length)s characters"),
    "input.pattern": N_("String should match pattern '%(pattern)s'"),
    "input.few": N_(
        "List should have at least %(min_length)s item(s) after validation, not %(actual_length)s"
    ),
    "input.many": N_(
        "List should have at most %(max_length)s item(s) after validation, not %(actual_length)s"
    ),
    "input.choice": N_("Input should be %(expected)s"),
    "or": N_("%(some)s or %(last)s"),
    "input.extra": N_("Extra inputs are not permitted"),
    "input.list": N_("Input should be a valid list"),
    "input.mapping": N_("Input should be a valid dictionary"),
    "input.date": N_("Input should be a valid date, like 2027-03-22"),
    "input.datetime": N_("Input should be a valid date and time, like 2027-03-22T09:00"),
    "input.time": N_("Input should be a valid time, like 09:00"),
    "input.gt": N_("Input should be greater than %(gt)s"),
    "input.ge": N_("Input should be greater than or equal to %(ge)s"),
    "input.lt": N_("Input should be less than %(lt)s"),
    "input.le": N_("Input should be less than or equal to %(le)s"),
    "input.url": N_("Input should be a valid URL"),
    "input.naive": N_("Input should not have timezone info"),
    "input.aware": N_("Input should have timezone info"),
    # the engine's own checks of a value
    "input.control": N_("must not contain control characters (CR, LF, tab, ...)"),
    "input.email": N_("%(value)s is not a valid email address"),
    "input.zone": N_("unknown time zone %(zone)s (use an IANA name such as Asia/Dubai)"),
    "input.local_time": N_("%(field)s: give a date and time like 2027-03-22T09:00"),
    "input.region_code": N_("%(field)s: %(region)s is not a region code"),
    "input.unknown_region": N_("%(field)s: unknown region %(region)s"),
    "input.unknown_participant": N_("%(field)s: unknown participant %(participant)s"),
    "input.unknown_country": N_("%(field)s: unknown country %(country)s"),
    "input.unknown_organisation": N_("%(field)s: unknown organisation %(organisation)s"),
    "input.unknown_person": N_("%(field)s: unknown person %(person)s"),
    "input.no_meeting": N_("%(field)s: no meeting %(meeting)s"),
    "input.deactivated": N_("%(field)s: %(participant)s is deactivated in the directory"),
    "input.one_of": N_("%(field)s: give exactly one of %(first)s or %(second)s"),
    "input.usage": N_("usage: %(usage)s"),
    "setting": N_("%(variable)s: %(problem)s (got %(value)s)"),
    "input.not_one_of": N_("%(field)s: %(value)s is not one of %(allowed)s"),
    # files the secretariat gives (a meeting definition, a directory, minutes)
    "file.unreadable": N_("%(path)s: cannot read (%(why)s)"),
    "file.unreadable_as": N_("%(field)s: cannot read %(path)s (%(why)s)"),
    "file.unwritable": N_("%(field)s: cannot write %(path)s (%(why)s)"),
    "file.large": N_("%(path)s: larger than %(kb)s KB; is it the right file?"),
    "file.not_utf8": N_(
        "%(path)s: not UTF-8 text (byte %(byte)s at offset %(offset)s); save it as UTF-8"
    ),
    "file.syntax": N_("%(path)s: not valid %(kind)s: %(error)s"),
    "file.syntax_at": N_("line %(line)s, column %(column)s: %(error)s"),
    "parse.value": N_("a value is expected"),
    "parse.name": N_("a key in double quotes is expected"),
    "parse.comma": N_("a comma is expected"),
    "parse.colon": N_("a colon after the key is expected"),
    "parse.extra": N_("more follows after the end of the document"),
    "parse.string": N_("a text is not closed by its quote"),
    "parse.control": N_("a control character inside a text"),
    "parse.mapping": N_("a key and its value cannot start here (is the line indented right?)"),
    "parse.tab": N_("a tab cannot indent a line (use spaces)"),
    "file.key_twice": N_("key %(key)s appears twice in one object"),
    "file.key_twice_line": N_("key %(key)s appears twice in one mapping (line %(line)s)"),
    "os.missing": N_("no such file or directory"),
    "os.denied": N_("permission denied"),
    "os.directory": N_("it is a directory"),
    # the database's schema and the engine's peers, as `rtm` and the worker say them
    "schema.no_file": N_("database %(database)s: does not exist; run %(command)s"),
    "schema.none": N_("database %(database)s: no schema; run %(command)s"),
    "schema.revision": N_(
        "database %(database)s: schema at revision %(at)s, this version needs %(needed)s; "
        "run %(command)s"
    ),
    "schema.column": N_(
        "table %(table)s lacks column %(column)s (NOT NULL) and this upgrade knows no value "
        "for its rows: add the column by hand, then run %(command)s again"
    ),
    "peer.temporal": N_(
        "cannot reach %(server)s at %(address)s (start the stack with %(command)s, or set "
        "%(variable)s)"
    ),
    "peer.database": N_("cannot reach the database %(database)s: %(error)s"),
    "pdf.font": N_(
        "PDF needs the DejaVu fonts: install the Debian package %(package)s or set "
        "%(variable)s to a directory holding %(file)s"
    ),
    # the directory file as a whole
    "directory.affiliation": N_("a participant belongs to exactly one of country or organisation"),
    "directory.twice.region": N_("region listed twice: %(values)s"),
    "directory.twice.country": N_("country listed twice: %(values)s"),
    "directory.twice.organisation": N_("organisation listed twice: %(values)s"),
    "directory.twice.participant": N_("participant listed twice: %(values)s"),
    "directory.twice.series": N_("series listed twice: %(values)s"),
    "directory.twice.email": N_("participant email listed twice: %(values)s"),
    "directory.country_region": N_("country %(code)s: unknown region %(region)s"),
    "directory.organisation_region": N_("organisation %(code)s: unknown region %(region)s"),
    "directory.series_region": N_("series %(code)s: unknown region %(region)s"),
    "directory.person_country": N_("participant %(id)s: unknown country %(country)s"),
    "directory.person_organisation": N_(
        "participant %(id)s: unknown organisation %(organisation)s"
    ),
    "languages.none": N_("%(field)s: give at least one language code, like uz, ru, en"),
    "languages.unknown": N_("%(field)s: %(value)s is not a language code (like uz, ru, en)"),
    "directory.email_taken": N_("participant %(id)s: email %(email)s already belongs to %(owner)s"),
    # a meeting numbered in a series
    "series.unknown": N_("%(field)s: unknown series %(series)s"),
    "series.kind.rtm": N_("%(field)s: series %(series)s holds rtm meetings"),
    "series.kind.technical": N_("%(field)s: series %(series)s holds technical meetings"),
    "series.kind.heads": N_("%(field)s: series %(series)s holds heads meetings"),
    "series.kind.preparatory": N_("%(field)s: series %(series)s holds preparatory meetings"),
    "series.number": N_("%(field)s: a meeting of series %(series)s has its number"),
    "series.region": N_("%(field)s: series %(series)s is %(owner)s's"),
    "series.rtm": N_("%(field)s: %(series)s are RTMs: use %(option)s %(region)s"),
    # the CLI's user and what they may touch
    "scope.not_staff": N_("%(variable)s: %(user)s is not secretariat staff"),
    "scope.no_region": N_("%(variable)s: %(user)s's organisation manages no region"),
    "scope.auditor": N_("%(variable)s: %(user)s audits and changes nothing"),
    "scope.directory": N_("%(field)s: %(user)s may not load the whole directory"),
    "scope.region": N_("%(field)s: %(user)s manages region %(region)s only"),
    "scope.meeting": N_("%(field)s: no meeting %(meeting)s in region %(region)s"),
    "scope.give_region": N_("%(field)s: give %(option)s R (or %(other)s S)"),
    # sessions and an agenda that does not fit them
    "session.offset": N_("session times are venue wall-clock times: give them without an offset"),
    "session.order": N_("a session must end after it starts: %(start)s to %(end)s"),
    "session.overlap": N_("sessions on %(day)s overlap: %(first)s and %(second)s"),
    "agenda.no_session": N_(
        "item %(item)s (%(minutes)s minutes) does not fit: the meeting has no session time at all"
    ),
    "agenda.too_long": N_(
        "item %(item)s (%(minutes)s minutes) is too long for any session: the longest session "
        "lasts %(longest)s minutes; shorten the item or lengthen a session"
    ),
    "agenda.over": N_(
        "item %(item)s (%(minutes)s minutes) does not fit: %(remaining)s minutes of items "
        "remain unplaced from it on, %(more)s minutes more than the %(left)s minutes left "
        "in the meeting's sessions"
    ),
    "agenda.pieces": N_(
        "item %(item)s (%(minutes)s minutes) does not fit: %(remaining)s minutes of items "
        "remain unplaced from it on, and although %(left)s minutes are left in the meeting's "
        "sessions, no session left has %(minutes)s free minutes in one piece"
    ),
    # a region's cycle (a Schedule that plans its RTMs)
    "cycle.months": N_("%(field)s: %(value)s is not a list of month numbers like 1,7"),
    "cycle.month_range": N_("%(field)s: %(value)s: months are 1 to 12"),
    "cycle.day": N_("%(field)s: 1 to 28, so that every month has it"),
    "cycle.hour": N_("%(field)s: 0 to 23"),
    "cycle.exists.region": N_("region %(key)s already has a cycle"),
    "cycle.exists.series": N_("series %(key)s already has a cycle"),
    "cycle.none": N_("region %(region)s has no cycle: %(hint)s"),
    "cycle.paused": N_("the %(region)s cycle is paused: %(hint)s"),
    # reminders, history files, project ideas
    "reminders.days": N_("%(field)s: distinct whole days between 1 and 365"),
    "history.end_first": N_("end (%(end)s) is before start (%(start)s)"),
    "history.number": N_("number: an RTM needs its number"),
    "idea.unknown": N_("%(field)s: unknown project idea %(idea)s"),
    "idea.undecided": N_("status: a decision accepts or rejects"),
    "idea.decided": N_("idea %(idea)s is already %(status)s"),
}
