"""Personal join links and the registration desk page, over real HTTP, on the
time-skipping server (the workflow's clock moves to the meeting day)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import aiohttp
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common import i18n
from domain.common.links import desk_link
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from starter.web.app import make_app, serve
from tests.factories import central_asia, meeting
from tests.harness import LINK_KEY, advance_to, invited, plan, running_worker
from tests.ports import free_port

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)


async def test_join_link_counts_and_redirects_and_desk_checks_in(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    m = meeting(organisations=[])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            await invited(await plan(env.client, m, queue))
            for pid, mode in (("kz-nfp", Attendance.ONLINE), ("kg-nfp", Attendance.IN_PERSON)):
                await commands.rsvp(env.client, store, m.id, RsvpCommand(
                    participant_id=pid, attendance=mode, actor=SECRETARIAT))  # fmt: skip
            mail = next(c for c in catcher.caught if c.rcpt_tos[0] == "nfp.kz@example.org")
            body = mail.message().get_body(preferencelist=("plain",))
            assert body is not None
            join_online = i18n.gettext("ru", "Join online: %(url)s") % {"url": ""}  # kz-nfp: ru
            found = re.search(rf"{re.escape(join_online)}(http\S+)", body.get_content())
            assert found, "the invitation carries a personal join link"
            join = found.group(1).replace("http://127.0.0.1:8000", base)
            assert "/join/" in join and m.join_link not in join

            runner = await serve(make_app(env.client, store, LINK_KEY), "127.0.0.1", port)
            try:
                async with aiohttp.ClientSession() as http:
                    # before the meeting day: the button goes on to the meeting, nothing counted
                    async with http.post(join, allow_redirects=False) as r:
                        assert r.status == 303 and r.headers["Location"] == m.join_link
                    assert (await commands.attendance(env.client, m.id)).presences == []

                    await advance_to(env, m.start_utc())
                    async with http.get(join.replace("sig=", "sig=x"), allow_redirects=False) as r:
                        assert r.status == 403
                    async with http.post(join.replace("sig=", "sig=x"), allow_redirects=False) as r:
                        assert r.status == 403
                    assert (await commands.attendance(env.client, m.id)).presences == []

                    # on the day, a mail scanner opens the link (GET, HEAD): a page, no count
                    for method in ("GET", "HEAD", "GET"):
                        async with http.request(method, join, allow_redirects=False) as r:
                            assert r.status == 200, method
                            page = await r.text()
                    join_now = i18n.gettext("ru", "Join now")  # kz-nfp's page, in Russian
                    assert join_now in page and m.join_link in page and m.title in page
                    assert '<html lang="ru">' in page
                    assert (await commands.attendance(env.client, m.id)).presences == []

                    for _ in range(2):  # the button; a second press is not a second count
                        async with http.post(join, allow_redirects=False) as r:
                            assert r.status == 303 and r.headers["Location"] == m.join_link
                    register = await commands.attendance(env.client, m.id)
                    assert [(p.participant_id, p.mode.value) for p in register.presences] == [
                        ("kz-nfp", "online")
                    ]

                    desk = desk_link(LINK_KEY, base, m)
                    async with http.get(desk) as r:
                        page = await r.text()
                        assert r.status == 200
                        assert "Bakyt Asanov" in page and "Check in" in page
                    async with http.post(desk, data={"participant": "kg-nfp"}) as r:
                        assert r.status == 200 and "kg-nfp checked in" in await r.text()
                    async with http.post(desk, data={"participant": "kg-nfp"}) as r:
                        assert "already counted today" in await r.text()
                    # kz-nfp was counted online, then comes to the desk: the room wins
                    async with http.post(desk, data={"participant": "kz-nfp"}) as r:
                        assert r.status == 200 and "kz-nfp checked in" in await r.text()
                    async with http.post(join, allow_redirects=False) as r:
                        assert r.status == 303  # still goes on to the meeting, counts nothing
                    async with http.post(desk, data={"participant": "uz-nfp"}) as r:
                        assert "not registered" in await r.text()
                    async with http.get(desk.replace("sig=", "sig=y")) as r:
                        assert r.status == 403
            finally:
                await runner.cleanup()
            register = await commands.attendance(env.client, m.id)

    assert sorted((p.participant_id, p.mode.value) for p in register.presences) == [
        ("kg-nfp", "in-person"),
        ("kz-nfp", "in-person"),
    ]
    assert register.counts.by_mode == {"in-person": 2}
    refused = [a for a in store.audit(m.id) if a.action == "link.refused"]
    counts: Counter[str] = Counter()
    for a in refused:  # one row a minute per kind (two if the test crossed a minute)
        counts[json.loads(a.detail)["kind"]] += json.loads(a.detail)["count"]
    assert counts == {"/join/{meeting}/{participant} 403": 2, "/desk/{meeting} 403": 1}
