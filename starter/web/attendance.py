"""Attendance routes of the web app: personal join links and the registration desk.

/join/{meeting}/{participant}: GET shows the meeting's link and a "Join now" button; the
button's POST records the online join (on a meeting day) and goes on to the meeting URL.
/desk/{meeting}: the desk's page, from a signed desk link, with a check-in button per
registered participant.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from domain.attendance.register import CheckInCommand, JoinCommand, Mode
from domain.common import i18n
from domain.common.terms import term
from domain.meeting.definition import localized
from domain.meeting.status import MeetingStatus, StatusPage
from domain.registration.answers import Actor, Attendance, Channel
from starter.client import commands
from starter.web.link_templates import meeting_facts, render_page, translate
from starter.web.pages import (
    Parts,
    error_page,
    link_refused,
    page,
    page_language,
    person_language,
    reason,
    translator,
)

log = logging.getLogger(__name__)

JOIN_PATH = "/join/{meeting}/{participant}"
DESK_PATH = "/desk/{meeting}"
ACCEPTED = (Attendance.IN_PERSON, Attendance.ONLINE)


def add_attendance_routes(app: web.Application, parts: Parts) -> None:
    client, store, key, now = parts

    async def joinable(request: web.Request) -> tuple[str, str, MeetingStatus] | web.Response:
        """The verified link's meeting, participant and status, or the page refusing it."""
        meeting_id = request.match_info["meeting"]
        pid = request.match_info["participant"]
        if refused := await link_refused(request, store, (key, now()), "join", (meeting_id, pid)):
            return refused
        try:
            one = StatusPage(participant_id=pid, limit=1)  # their row: name and languages
            status = await commands.status(client, meeting_id, one)
        except commands.NoSuchMeeting:
            lang = await person_language(request, store, pid)
            _ = translator(lang)
            text = _("There is no meeting %(id)s.") % {"id": meeting_id}
            return error_page(404, text, lang=lang)
        if status.meeting.join_link is None:
            row = next((p for p in status.participants if p.participant_id == pid), None)
            lang = await person_language(request, store, pid, row.languages if row else ())
            _ = translator(lang)
            text = _("The %(title)s has no online part.")
            return error_page(
                404, text % {"title": localized(status.meeting, lang).title}, lang=lang
            )
        return meeting_id, pid, status

    async def join_page(request: web.Request) -> web.Response:
        """GET and HEAD: the meeting's link and a "Join now" button; records nothing, since
        mail scanners open every link of a message before its reader does."""
        found = await joinable(request)
        if isinstance(found, web.Response):
            return found
        _, pid, status = found
        row = next((p for p in status.participants if p.participant_id == pid), None)
        lang = page_language(request, row.languages if row is not None else ())
        return render_page(
            "join.html",
            lang=lang,
            title=translate("Join the meeting", lang),
            name=row.name if row is not None else pid,
            facts=meeting_facts(status.meeting, lang),
            target=status.meeting.join_link,
            action="?" + urlencode({"exp": request.query["exp"], "sig": request.query["sig"]}),
        )

    async def join(request: web.Request) -> web.StreamResponse:
        """POST, the button: count the join (a refusal such as 'not a meeting day' does not
        block), then on to the meeting."""
        found = await joinable(request)
        if isinstance(found, web.Response):
            return found
        meeting_id, pid, status = found
        target = status.meeting.join_link
        assert target is not None
        try:
            command = JoinCommand(participant_id=pid, actor=Actor(id=pid, channel=Channel.LINK))
            await commands.join_online(client, store, meeting_id, command)
        except commands.CommandRefused as exc:
            log.info("join of %s to %s not counted: %s", pid, meeting_id, exc)
        raise web.HTTPSeeOther(target)

    async def desk(request: web.Request) -> web.Response:
        """The desk's page: who is registered, who is in today; POST checks one in."""
        meeting_id = request.match_info["meeting"]
        if refused := await link_refused(request, store, (key, now()), "desk", (meeting_id,)):
            return refused
        lang = page_language(request)
        _ = translator(lang)
        notice = ""
        if request.method == "POST":
            form = await request.post()
            pid = str(form.get("participant", ""))
            try:
                command = CheckInCommand(
                    participant_id=pid, actor=Actor(id="registration-desk", channel=Channel.LINK)
                )
                await commands.check_in(client, store, meeting_id, command)
                notice = _("%(id)s checked in.") % {"id": pid}
            except commands.CommandRefused as exc:
                notice = _("Not checked in: %(reason)s") % {"reason": reason(exc, lang)}
            except ValueError:
                notice = _("Not checked in: no such participant.")
        try:
            status = await commands.status(client, meeting_id, StatusPage(limit=0))
            register = await commands.attendance(client, meeting_id)
            registered = [
                row
                async for row in commands.all_participants(client, meeting_id)
                if row.attendance in ACCEPTED
            ]
        except commands.NoSuchMeeting:
            text = _("There is no meeting %(id)s.") % {"id": meeting_id}
            return error_page(404, text, lang=lang)
        venue_today = now().astimezone(ZoneInfo(status.meeting.zone)).date()
        today = {p.participant_id: p.mode for p in register.presences if p.day == venue_today}
        query = urlencode({"exp": request.query["exp"], "sig": request.query["sig"]})
        rows = []
        button = html.escape(_("Check in"))  # outside the f-string: extracted for the catalogue
        for row in registered:
            mode = today.get(row.participant_id)
            pid = html.escape(row.participant_id)
            checked = _("checked in (%(mode)s)") % {"mode": term(mode, lang)} if mode else ""
            action = (
                html.escape(checked) if mode is not None
                else f'<form method="post" action="?{html.escape(query)}" style="display:inline">'
                f'<input type="hidden" name="participant" value="{pid}">'
                f"<button>{button}</button></form>"
            )  # fmt: skip
            rows.append(
                f"<tr><td>{html.escape(row.name)}</td><td>{html.escape(row.affiliation)}</td>"
                f"<td>{html.escape(term(row.attendance, lang) if row.attendance else '')}</td>"
                f"<td>{action}</td></tr>"
            )
        heads = (_("Name"), _("From"), _("Registered"), "")
        table = "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr>"
        table += "".join(rows) + "</table>"
        present = sum(1 for m in today.values() if m is Mode.IN_PERSON)
        today_text = _("%(summary)s; %(present)s in the room today.")
        n = register.counts.participants  # attended so far, in the reader's words
        ngettext = i18n.translations(lang).ngettext
        summary = ngettext("%(num)s participant attended", "%(num)s participants attended", n)
        return page(
            200,
            _("Registration desk: %(title)s") % {"title": localized(status.meeting, lang).title},
            *([notice] if notice else []),
            today_text % {"summary": summary % {"num": n}, "present": present},
            form=table,
            lang=lang,
        )

    app.router.add_get(JOIN_PATH, join_page)  # HEAD too
    app.router.add_post(JOIN_PATH, join)
    app.router.add_get(DESK_PATH, desk)
    app.router.add_post(DESK_PATH, desk)
