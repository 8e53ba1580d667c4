"""`rtm smtp check` against the relay in each shape: one line that says what worked or what
failed and why, exit 0 or 1, and never AUTH in clear."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from starter.cli.main import main
from tests.relay import PASSWORD, USER, CertificateAuthority, Relay


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path)


def _env(monkeypatch: pytest.MonkeyPatch, relay: Relay, **env: str) -> None:
    for name in ("SMTP_TLS", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_CA_FILE", "SMTP_STARTTLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(relay.port))
    monkeypatch.setenv("SMTP_TIMEOUT", "10")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


async def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, ["smtp", "check", *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


async def test_check_passes_with_starttls_auth_and_sends_a_test_message(
    ca: CertificateAuthority, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Relay(ca, tls="starttls", auth=True) as relay:
        _env(
            monkeypatch,
            relay,
            SMTP_USERNAME=USER,
            SMTP_PASSWORD=PASSWORD,
            SMTP_CA_FILE=str(ca.ca_file),
            RTM_MAIL_DOMAIN="rtm.example.net",
        )
        code, out, err = await _check(capsys, "--to", "nfp.kz@example.org")
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 1
    assert out.startswith("ok: ") and "starttls" in out and f"authenticated as {USER}" in out
    assert [c.rcpt_tos for c in relay.caught] == [("nfp.kz@example.org",)]
    assert relay.caught[0].mail_from == "rtm@rtm.example.net"
    assert "relay check" in str(relay.caught[0].message()["Subject"])
    assert relay.tls_before_auth()


async def test_check_over_implicit_tls_without_a_test_message(
    ca: CertificateAuthority, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Relay(ca, tls="implicit", auth=True) as relay:
        _env(
            monkeypatch,
            relay,
            SMTP_TLS="implicit",
            SMTP_USERNAME=USER,
            SMTP_PASSWORD=PASSWORD,
            SMTP_CA_FILE=str(ca.ca_file),
        )
        code, out, _ = await _check(capsys)
    assert code == 0 and "implicit" in out
    assert relay.caught == [] and relay.logins == [(USER, PASSWORD)]


SHAPES = {
    "untrusted certificate": (
        {"tls": "starttls", "auth": True},
        {"SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD},
        "certificate verify failed",
    ),
    "wrong password": (
        {"tls": "starttls", "auth": True},
        {"SMTP_USERNAME": USER, "SMTP_PASSWORD": "wrong", "ca": ""},
        "535",
    ),
    "538": (
        {"tls": "starttls", "auth": True, "auth_reply": "538 5.7.11 Encryption required"},
        {"SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD, "ca": ""},
        "538 5.7.11 Encryption required",
    ),
    "no STARTTLS": (
        {"tls": "none", "auth": True},
        {"SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD, "ca": ""},
        "does not offer STARTTLS",
    ),
    "AUTH in clear refused by the engine": (
        {"tls": "none", "auth": True},
        {"SMTP_TLS": "none", "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD},
        "would go out in clear",
    ),
    "530 on the test message": (
        {"tls": "starttls", "auth": True},
        {"SMTP_TLS": "starttls", "ca": "", "to": "nfp.kz@example.org"},
        "530 5.7.0",
    ),
    "nobody listening": ({}, {}, "connection failure at connect"),
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_check_says_in_one_line_what_failed(
    ca: CertificateAuthority,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    shape: str,
) -> None:
    relay_shape, env, words = SHAPES[shape]
    env = dict(env)
    if "ca" in env:
        env.pop("ca")
        env["SMTP_CA_FILE"] = str(ca.ca_file)
    to = env.pop("to", None)
    relay = Relay(ca, **relay_shape)  # type: ignore[arg-type]
    _env(monkeypatch, relay, **env)
    if shape == "nobody listening":  # the port the relay would have had, closed
        code, out, err = await _check(capsys)
    else:
        with relay:
            code, out, err = await _check(capsys, *(["--to", to] if to else []))
    assert code == 1
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("smtp check failed: ")
    assert words in err, err
    assert relay.caught == []
    assert relay.tls_before_auth(), "AUTH never went out in clear"
