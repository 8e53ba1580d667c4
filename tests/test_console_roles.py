"""Every console page as every wrong role: 403, audited, and nothing changed; and a form
posted without its CSRF token: 403, nothing changed. Over real HTTP against the real app,
a real worker and the time-skipping server (the meeting is held, so actions exist)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import ProposeCommand
from domain.common.i18n import gettext as tr
from domain.directory.models import Country, Directory, Organisation, Participant, Region, Role
from domain.followup.actions import ActionSpec, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.meeting.status import StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.registration.held import HoldReplyCommand
from starter.cli.inputs import read_directory
from starter.client import commands
from starter.data import AUDITORS
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import audit_actions, console_site, signed_in
from tests.factories import central_asia, meeting
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

NOT_YOURS = "This page is not yours to see or change."

# a second region, whose secretariat must not reach Central Asia's meetings
SOUTH_EAST_ASIA = Directory(
    regions=[
        Region(
            code="SEA",
            name="South East Asia",
            secretariat_city="Manila",
            secretariat_email="secretariat.sea@example.org",
            zone="Asia/Manila",
        ),
        Region(
            code="INT",
            name="Initiative coordination",
            secretariat_city="Brussels",
            secretariat_email="coordination@example.org",
            zone="Europe/Brussels",
            coordination=True,
        ),
    ],
    countries=[Country(code="PH", name="Philippines", region="SEA")],
    organisations=[
        Organisation(code="SEC-SEA", name="Regional Secretariat for South East Asia"),
        Organisation(code="COORD", name="Coordination", region="INT"),
    ],
    participants=[
        Participant(
            id="sea-sec-head",
            name="Maria Santos",
            email="head.secretariat.sea@example.org",
            role=Role.SECRETARIAT,
            organisation="SEC-SEA",
        ),
        Participant(
            id="int-coord-head",
            name="Claire Vermeulen",
            email="head.coordination@example.org",
            role=Role.SECRETARIAT,
            organisation="COORD",
        ),
    ],
)


async def test_every_page_refuses_every_wrong_role(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    store.load_directory(read_directory(AUDITORS))
    store.load_directory(SOUTH_EAST_ASIA)
    m = meeting(organisations=["JRC"])
    mid = m.id
    with SmtpCatcher(port=free_port()) as catcher:
        async with (
            running_worker(env.client, store, catcher.port) as queue,
            console_site(env.client, store, catcher, queue) as site,
        ):
            await invited(await plan(env.client, m, queue))
            nfp = Actor(id="kz-nfp", channel=Channel.CLI)
            await commands.rsvp(
                env.client,
                store,
                mid,
                RsvpCommand(participant_id="kz-nfp", attendance=Attendance.IN_PERSON, actor=nfp),
            )
            item = await commands.propose_item(
                env.client,
                store,
                mid,
                ProposeCommand(
                    title="Kazakhstan update", presenter="kz-nfp", minutes=20, actor=nfp
                ),
            )
            await held_replies_are_decided_on_the_pages(env, store, catcher, site.base, mid)
            await advance_to(env, m.end_utc() + timedelta(hours=1))
            site.clock.at = await env.get_current_time()
            await commands.record_minutes(
                env.client,
                store,
                mid,
                MinutesCommand(
                    markdown="# Minutes",
                    actor=Actor(id="ca-sec-head", channel=Channel.CLI),
                    actions=[
                        ActionSpec(
                            what="Report",
                            owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"),
                            due=m.end.date() + timedelta(days=30),
                        )
                    ],
                ),
            )

            async def snapshot() -> tuple[object, ...]:
                s = await commands.status(env.client, mid)
                a = await commands.agenda(env.client, mid)
                reg = await commands.attendance(env.client, mid)
                act = await commands.action_status(env.client, f"{mid}-A1")
                return (
                    s.phase,
                    s.sequence,
                    s.answers,
                    [(p.participant_id, p.attendance) for p in s.participants],
                    a.version,
                    a.published_version,
                    [(i.id, i.status, i.title) for i in a.items],
                    reg.presences,
                    act.status,
                    s.minutes_recorded,
                    s.held_replies,
                )

            before = await snapshot()
            b = f"{site.base}/console"
            manage_get = [
                f"/meetings/{mid}/desk",
                f"/meetings/{mid}/reschedule",
                f"/meetings/{mid}/cancel",
                f"/meetings/{mid}/schedule",
                "/plan",
            ]
            read_get = [
                f"/meetings/{mid}",
                f"/meetings/{mid}/agenda",
                f"/meetings/{mid}/attendance",
                f"/meetings/{mid}/followup",
                f"/meetings/{mid}/timeline",
            ]
            manage_post = {
                f"/meetings/{mid}/answer": {"participant": "kg-nfp", "attendance": "decline"},
                f"/meetings/{mid}/remind": {},
                f"/meetings/{mid}/reschedule": {
                    "start": "2030-01-01T09:00",
                    "end": "2030-01-02T17:00",
                },
                f"/meetings/{mid}/reschedule/confirm": {
                    "start": "2030-01-01T09:00",
                    "end": "2030-01-02T17:00",
                },
                f"/meetings/{mid}/cancel/confirm": {"reason": "no"},
                f"/meetings/{mid}/agenda/decide": {
                    "item": item.id,
                    "decision": "reject",
                    "reason": "no",
                },
                f"/meetings/{mid}/agenda/publish": {},
                f"/meetings/{mid}/desk": {"participant": "kz-nfp"},
                f"/meetings/{mid}/replies/H3/confirm": {},
                f"/meetings/{mid}/replies/H3/discard": {"back": "dashboard"},
                f"/meetings/{mid}/followup": {"minutes": "x"},
                f"/meetings/{mid}/schedule": {"start": "2030-01-01T09:00"},
                "/plan": {"id": "RTM-CA-99", "title": "x"},
            }
            invitee_get = [f"/my/{mid}", f"/my/{mid}/invite.ics"]
            invitee_post = {
                f"/my/{mid}/answer": {"attendance": "decline"},
                f"/my/{mid}/propose": {"title": "x", "minutes": "20"},
            }
            done_post = {f"/my/actions/{mid}/A1": {"note": "not mine"}}
            dashboard = ["/"]
            audit_get = ["/audit"]

            wrong: dict[str, tuple[list[str], dict[str, dict[str, str]]]] = {
                "nfp.kz@example.org": (manage_get + read_get + audit_get + dashboard, manage_post),
                "nfp.kg@example.org": (
                    manage_get + read_get + audit_get + dashboard,
                    manage_post | done_post,
                ),
                "observer.jrc@example.org": (
                    manage_get + read_get + dashboard,
                    manage_post | done_post,
                ),
                "head.secretariat.sea@example.org": (  # their own region's plan page is theirs
                    [p for p in manage_get if p != "/plan"] + read_get + invitee_get + audit_get,
                    {k: v for k, v in manage_post.items() if k != "/plan"}
                    | invitee_post
                    | done_post,
                ),
                "auditor@example.org": (
                    manage_get + invitee_get,
                    manage_post | invitee_post | done_post,
                ),
                "head.secretariat.ca@example.org": (
                    invitee_get + audit_get,
                    invitee_post | done_post,
                ),
            }
            refused = 0
            for email, (gets, posts) in wrong.items():
                http, csrf = await signed_in(site.base, catcher, email)
                async with http:
                    for path in gets:
                        async with http.get(b + path, allow_redirects=False) as r:
                            assert r.status == 403, (email, "GET", path, r.status)
                            text = await r.text()  # in the person's language
                            assert any(tr(lang, NOT_YOURS) in text for lang in ("en", "ru"))
                        refused += 1
                    for path, data in posts.items():
                        async with http.post(
                            b + path, data=data | {"csrf": csrf}, allow_redirects=False
                        ) as r:
                            assert r.status == 403, (email, "POST", path, r.status)
                        refused += 1
            assert await snapshot() == before, "no refused request changed anything"
            assert audit_actions(store).count("console.forbidden") == refused

            # the right people do get in (so the 403s above are about roles, not bugs); the
            # coordination's staff manage every region
            for email in ("head.coordination@example.org", "head.secretariat.ca@example.org"):
                http, csrf = await signed_in(site.base, catcher, email)
                async with http:
                    for path in manage_get + read_get + dashboard:
                        async with http.get(b + path, allow_redirects=False) as r:
                            assert r.status == 200, (email, path, r.status)
            http, csrf = await signed_in(site.base, catcher, "head.secretariat.ca@example.org")
            async with http:
                # CSRF: the same change without its token is refused and changes nothing
                data = {"participant": "kg-nfp", "attendance": "decline"}
                async with http.post(
                    b + f"/meetings/{mid}/answer", data=data, allow_redirects=False
                ) as r:
                    assert r.status == 403
                async with http.post(
                    b + f"/meetings/{mid}/answer",
                    data=data | {"csrf": "x" * 43},
                    allow_redirects=False,
                ) as r:
                    assert r.status == 403
                assert await snapshot() == before
                assert (
                    audit_actions(store).count("console.csrf_refused") == 3
                )  # one in held_replies_are_decided_on_the_pages
            http, csrf = await signed_in(site.base, catcher, "auditor@example.org")
            async with http:
                for path in read_get + audit_get:
                    async with http.get(b + path, allow_redirects=False) as r:
                        assert r.status == 200, (path, r.status)
            http, csrf = await signed_in(site.base, catcher, "nfp.kz@example.org")
            async with http:
                for path in [*invitee_get, "/my/actions"]:
                    async with http.get(b + path, allow_redirects=False) as r:
                        assert r.status == 200, (path, r.status)


async def held_replies_are_decided_on_the_pages(
    env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher, base: str, mid: str
) -> None:
    """Replies from unauthenticated senders are listed on the dashboard and the meeting's
    registration page; the region's secretariat confirms one (it becomes the answer, by the
    web) and discards another (nothing changes); without the CSRF token nothing happens."""
    for pid, attendance in (("kg-nfp", "in-person"), ("tj-nfp", "decline"), ("mn-nfp", "online")):
        await commands.hold_reply(env.client, store, mid, HoldReplyCommand(
            participant_id=pid, attendance=Attendance(attendance), sequence=0,
            sender=f"nfp.{pid[:2]}@example.org", envelope_from="bounce@elsewhere.example",
            reason="no DKIM signature", actor=Actor(id=pid, channel=Channel.CALENDAR)))  # fmt: skip
    names = {p.id: p.name for p in store.participants()}
    http, csrf = await signed_in(base, catcher, "head.secretariat.ca@example.org")
    async with http:
        async with http.get(f"{base}/console/") as r:
            dashboard = await r.text()
        async with http.get(f"{base}/console/meetings/{mid}") as r:
            page = await r.text()
        for shown in (dashboard, page):
            assert f"Confirm the reply of {names['kg-nfp']}" in shown
            assert f"Discard the reply of {names['tj-nfp']}" in shown
            assert "no DKIM signature" in shown
        confirm = f"{base}/console/meetings/{mid}/replies/H1/confirm"
        async with http.post(confirm, data={"back": "dashboard"}, allow_redirects=False) as r:
            assert r.status == 403, "no CSRF token"
        assert len((await commands.status(env.client, mid)).held_replies) == 3
        async with http.post(
            confirm, data={"csrf": csrf, "back": "dashboard"}, allow_redirects=False
        ) as r:
            assert (r.status, r.headers["Location"]) == (303, "/console/?done=reply-confirmed")
        discard = f"{base}/console/meetings/{mid}/replies/H2/discard"
        async with http.post(discard, data={"csrf": csrf}, allow_redirects=False) as r:
            assert r.headers["Location"] == f"/console/meetings/{mid}?done=reply-discarded"
        async with http.post(discard, data={"csrf": csrf}, allow_redirects=False) as r:
            assert r.status == 409, "already discarded: refused, the reason shown"
        async with http.post(
            f"{base}/console/meetings/{mid}/replies/X1/confirm", data={"csrf": csrf}
        ) as r:
            assert r.status == 400
    status = await commands.status(env.client, mid)
    assert [h.id for h in status.held_replies] == ["H3"]
    kg = await commands.status(env.client, mid, StatusPage(participant_id="kg-nfp"))
    tj = await commands.status(env.client, mid, StatusPage(participant_id="tj-nfp"))
    row = kg.participants[0]
    assert (row.attendance, row.answered_via) == (Attendance.IN_PERSON, "web")
    assert tj.participants[0].attendance is None
    assert {"reply.confirmed", "reply.discarded"} <= set(audit_actions(store))
