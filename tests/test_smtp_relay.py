"""Invitations through a real relay in each shape production meets, and each way it refuses.

aiosmtpd on 127.0.0.1 with a CA made by the test: STARTTLS with AUTH, implicit TLS, and a relay
that refuses each step. Every failure ends with each invitation `failed` and the server's
words in the status and the audit log, quickly; AUTH never goes out before TLS.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.config import Settings
from activities.store import Store
from domain.common.contracts import Phase
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import MeetingStatus
from tests.factories import meeting
from tests.harness import invited, plan, settings_for
from tests.relay import PASSWORD, USER, CertificateAuthority, Relay
from worker import build_worker


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path)


def relay_settings(relay: Relay, store: Store, **smtp: Any) -> Settings:
    return Settings.model_validate(settings_for(relay.port, store.url).model_dump() | smtp)


@asynccontextmanager
async def worker(env: WorkflowEnvironment, settings: Settings, store: Store) -> AsyncIterator[str]:
    async with build_worker(env.client, settings, store):
        yield settings.task_queue


async def fan_out(env: WorkflowEnvironment, settings: Settings, store: Store) -> MeetingStatus:
    m = meeting()
    async with worker(env, settings, store) as queue:
        return await invited(await plan(env.client, m, queue), timeout=60)


async def test_starttls_and_auth_deliver_every_invitation(
    skipping_env: WorkflowEnvironment, store: Store, ca: CertificateAuthority
) -> None:
    with Relay(ca, tls="starttls", auth=True) as relay:
        settings = relay_settings(
            relay, store, smtp_username=USER, smtp_password=PASSWORD, smtp_ca_file=str(ca.ca_file)
        )  # no SMTP_TLS: credentials alone switch STARTTLS on
        status = await fan_out(skipping_env, settings, store)
    assert status.count(InvitationStatus.SENT) == len(status.participants) == 17
    assert len(relay.caught) == 17
    assert relay.logins and all(login == (USER, PASSWORD) for login in relay.logins)
    assert relay.talks
    for conversation in relay.talks:
        verbs = [step for step, _ in conversation.steps]
        assert verbs.index("STARTTLS") < verbs.index("AUTH") < verbs.index("MAIL"), verbs
    assert relay.tls_before_auth()


async def test_implicit_tls_on_its_own_port(
    skipping_env: WorkflowEnvironment, store: Store, ca: CertificateAuthority
) -> None:
    with Relay(ca, tls="implicit", auth=True) as relay:
        settings = relay_settings(
            relay,
            store,
            smtp_tls="implicit",
            smtp_username=USER,
            smtp_password=PASSWORD,
            smtp_ca_file=str(ca.ca_file),
            mail_domain="rtm.example.net",
        )
        status = await fan_out(skipping_env, settings, store)
    assert status.count(InvitationStatus.SENT) == 17
    assert len(relay.caught) == 17
    tag = settings.mail_identity().tag
    assert all(c.message_id.endswith(f".{tag}@rtm.example.net>") for c in relay.caught)
    assert relay.talks and relay.tls_before_auth()
    assert all(tls for c in relay.talks for _, tls in c.steps), "TLS from the first byte"


REFUSALS = {
    # shape name: (relay, client settings, words the reason must carry)
    "untrusted certificate": (
        {"tls": "starttls", "auth": True},
        {"smtp_username": USER, "smtp_password": PASSWORD},
        "certificate verify failed",
    ),
    "535 wrong password": (
        {"tls": "starttls", "auth": True},
        {"smtp_username": USER, "smtp_password": "wrong", "ca": "yes"},
        "535",
    ),
    "538 encryption required": (
        {
            "tls": "starttls",
            "auth": True,
            "auth_reply": "538 5.7.11 Encryption required for requested authentication mechanism",
        },
        {"smtp_username": USER, "smtp_password": PASSWORD, "ca": "yes"},
        "538 5.7.11",
    ),
    "no STARTTLS on offer": (
        {"tls": "none", "auth": True},
        {"smtp_username": USER, "smtp_password": PASSWORD, "ca": "yes"},
        "does not offer STARTTLS",
    ),
    "530 authentication required": (
        {"tls": "starttls", "auth": True},
        {"smtp_tls": "starttls", "ca": "yes"},
        "530 5.7.0",
    ),
}


@pytest.mark.parametrize("shape", list(REFUSALS))
async def test_a_refusing_relay_fails_every_invitation_with_its_reason(
    skipping_env: WorkflowEnvironment, store: Store, ca: CertificateAuthority, shape: str
) -> None:
    relay_shape, client, words = REFUSALS[shape]
    client = dict(client)
    if client.pop("ca", None):
        client["smtp_ca_file"] = str(ca.ca_file)
    began = time.monotonic()
    with Relay(ca, **relay_shape) as relay:  # type: ignore[arg-type]
        status = await fan_out(skipping_env, relay_settings(relay, store, **client), store)
    took = time.monotonic() - began

    assert status.phase is not Phase.INVITING
    assert status.count(InvitationStatus.FAILED) == 17, [i.error for i in status.invitations]
    for invitation in status.invitations:
        assert invitation.error is not None and words in invitation.error, invitation.error
    assert relay.caught == [], "nothing was delivered"
    assert relay.tls_before_auth(), "AUTH never went out in clear"
    assert took < 60, f"failed within a minute, not retried for ever ({took:.0f} s)"
    failed = [a for a in store.audit(status.id) if a.action == "invitation.failed"]
    assert len(failed) == 17
    assert all(words in json.loads(a.detail)["error"] for a in failed)
