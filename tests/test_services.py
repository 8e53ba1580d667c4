"""Each service of a deployment runs alone as a process (`rtm worker`, `rtm web`,
`rtm inbound`), against the real dev server, a SQLite file and the SMTP catcher, with the
link key from a secret file; `rtm health` says when each answers; SIGTERM stops each."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common import i18n
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting
from tests.harness import invited, plan
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
RTM = [sys.executable, "-m", "starter.cli.main"]


@pytest.fixture
def service_env(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher, tmp_path: Path
) -> dict[str, str]:
    secret = tmp_path / "secrets" / "rtm_link_key"
    secret.parent.mkdir()
    secret.write_text("a link key from a docker secret\n")
    web_port = free_port()
    env = os.environ | {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "DATABASE_URL": store.url,
        "RTM_TASK_QUEUE": f"rtm-services-{web_port}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(catcher.port),
        "RTM_WEB_PORT": str(web_port),
        "RTM_INBOUND_PORT": str(free_port()),
        "RTM_VAR_DIR": str(tmp_path / "var"),
        "RTM_PUBLIC_URL": f"http://127.0.0.1:{web_port}/",
        "RTM_LINK_KEY_FILE": str(secret),
    }
    env.pop("RTM_LINK_KEY", None)
    return env


def _rtm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RTM, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def services(service_env: dict[str, str]) -> Iterator[dict[str, subprocess.Popen[str]]]:
    for name in ("worker", "web", "inbound"):
        down = _rtm(service_env, "health", name)
        assert down.returncode == 1 and "unhealthy" in down.stderr, (name, down.stderr)
    procs = {
        name: subprocess.Popen(
            [*RTM, name],
            cwd=ROOT,
            env=service_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("worker", "web", "inbound")
    }
    try:
        deadline = time.monotonic() + 120
        waiting = set(procs)
        while waiting:
            for name in sorted(waiting):
                assert procs[name].poll() is None, f"rtm {name} exited early"
                if _rtm(service_env, "health", name).returncode == 0:
                    waiting.discard(name)
            assert time.monotonic() < deadline, f"not healthy in time: {waiting}"
            time.sleep(0.5)
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


async def test_each_service_runs_alone_and_stops_on_sigterm(
    dev_env: WorkflowEnvironment,
    catcher: SmtpCatcher,
    service_env: dict[str, str],
    services: dict[str, subprocess.Popen[str]],
) -> None:
    # the worker process sends a meeting's invitations, with links to the public URL
    m = meeting(organisations=[], countries=["KZ"])
    await invited(await plan(dev_env.client, m, service_env["RTM_TASK_QUEUE"]), timeout=120)
    mail = next(c for c in catcher.caught if c.rcpt_tos == ("nfp.kz@example.org",))
    body = mail.message().get_body(preferencelist=("plain",))
    assert body is not None
    links = re.findall(r"(http://\S+/rsvp/\S+)", body.get_content())
    assert links and all(u.startswith(service_env["RTM_PUBLIC_URL"] + "rsvp/") for u in links)

    # the web process verifies them with the same key (from the secret file)
    async with aiohttp.ClientSession() as http, http.get(links[0]) as resp:
        page = await resp.text()
        assert resp.status == 200, page
        assert '<form method="post" action="?exp=' in page, "the confirmation, in any language"
        assert i18n.gettext("ru", "Confirm your answer") in page  # kz-nfp reads Russian

    # the inbound process answers SMTP
    assert _rtm(service_env, "health", "inbound").returncode == 0

    for name, proc in services.items():
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.to_thread(proc.communicate, timeout=30)
        assert proc.returncode == 0, (name, out)
        assert "Traceback" not in out, (name, out)
    for name in ("web", "inbound"):  # (the worker's mark goes stale only after a while)
        assert _rtm(service_env, "health", name).returncode == 1
