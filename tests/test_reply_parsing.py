"""Calendar replies: parse_reply on the MIME shapes real clients send (Outlook, Gmail, Apple,
Thunderbird), and nothing but ReplyError from bytes that are not one (the inbound endpoint
that reads them is in test_inbound_replies)."""

from __future__ import annotations

import base64
import contextlib
import quopri

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.registration.replies import CalendarReply, ReplyError, meeting_id_from_uid, parse_reply
from tests.budget import examples

ORGANISER = "secretariat.ca@example.org"
UID = "rtm-ca-16-0a1b2c3d@example.org"

OUTLOOK_TZ = (
    "BEGIN:VTIMEZONE",
    "TZID:Arabian Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16010101T000000",
    "TZOFFSETFROM:+0400",
    "TZOFFSETTO:+0400",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def reply_ics(
    uid: str = UID,
    attendee: str = "nfp.kz@example.org",
    partstat: str = "ACCEPTED",
    sequence: int | str | None = 0,
    *,
    method: str = "REPLY",
    cn: str = "Aigerim Bekova",
    prodid: str = "Microsoft Exchange Server 2010",
    head: tuple[str, ...] = (),
    body: tuple[str, ...] = (),
) -> str:
    """A METHOD:REPLY VCALENDAR as the clients write it (CRLF lines)."""
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{prodid}",
        "VERSION:2.0",
        *([f"METHOD:{method}"] if method else []),
        *head,
        "BEGIN:VEVENT",
        f'ATTENDEE;PARTSTAT={partstat};CN="{cn}":mailto:{attendee}',
        *body,
        "ORGANIZER;CN=CBRN CoE Regional Secretariat:mailto:secretariat.ca@example.org",
        "DTSTART;TZID=Asia/Dubai:20260610T090000",
        "DTEND;TZID=Asia/Dubai:20260611T173000",
        f"UID:{uid}" if uid else "",
        *([f"SEQUENCE:{sequence}"] if sequence is not None else []),
        "DTSTAMP:20260501T101500Z",
        "SUMMARY:Accepted: 16th Round-Table Meeting",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(line for line in lines if line) + "\r\n"


def _b64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def outlook(ics: str, sender: str = '"Bekova, Aigerim" <NFP.KZ@EXAMPLE.ORG>') -> bytes:
    """Outlook/Exchange: multipart/alternative, the calendar base64 with method=REPLY."""
    b = "_000_DB9PR0101MB2233A1B2C3D4E5F6DB9PR0101MB2233eurp_"
    return (
        f"From: {sender}\r\n"
        f"To: CBRN CoE Regional Secretariat <{ORGANISER}>\r\n"
        "Subject: Accepted: 16th Round-Table Meeting\r\n"
        "Thread-Topic: 16th Round-Table Meeting\r\n"
        "Date: Fri, 1 May 2026 10:15:00 +0000\r\n"
        "Message-ID: <DB9PR0101MB2233@DB9PR0101MB2233.eurprd01.prod.exchangelabs.com>\r\n"
        "Content-Language: en-US\r\n"
        "X-MS-Has-Attach:\r\n"
        "X-MS-TNEF-Correlator:\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative;\r\n\tboundary="{b}"\r\n'
        "\r\n"
        f"--{b}\r\n"
        'Content-Type: text/plain; charset="us-ascii"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "\r\n"
        f"--{b}\r\n"
        'Content-Type: text/html; charset="us-ascii"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "<html><body></body></html>\r\n"
        f"--{b}\r\n"
        'Content-Type: text/calendar; charset="utf-8"; method=REPLY\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        f"{_b64(ics)}"
        f"--{b}--\r\n"
    ).encode("ascii")


def gmail(
    ics: str, sender: str = "Sardor Karimov <nfp.uz@example.org>", inline: bool = True
) -> bytes:
    """Gmail: mixed(alternative(plain, html, calendar 7bit), application/ics invite.ics)."""
    outer, inner = "000000000000a1b2c3d405f1e2d3c4", "000000000000a1b2c3d305f1e2d3c4"
    calendar = (
        (
            f"--{inner}\r\n"
            'Content-Type: text/calendar; charset="UTF-8"; method=REPLY\r\n'
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            f"{ics}"
        )
        if inline
        else ""
    )
    return (
        f"From: {sender}\r\n"
        f"To: {ORGANISER}\r\n"
        "Subject: Declined: 16th Round-Table Meeting @ Wed 10 Jun 2026\r\n"
        "Message-ID: <CAF+abc123@mail.gmail.com>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{outer}"\r\n'
        "\r\n"
        f"--{outer}\r\n"
        f'Content-Type: multipart/alternative; boundary="{inner}"\r\n'
        "\r\n"
        f"--{inner}\r\n"
        'Content-Type: text/plain; charset="UTF-8"\r\n'
        "\r\n"
        "Sardor Karimov has declined this invitation.\r\n"
        "\r\n"
        f"--{inner}\r\n"
        'Content-Type: text/html; charset="UTF-8"\r\n'
        "\r\n"
        "<p>Sardor Karimov has declined this invitation.</p>\r\n"
        f"{calendar}"
        f"--{inner}--\r\n"
        f"--{outer}\r\n"
        'Content-Type: application/ics; name="invite.ics"\r\n'
        'Content-Disposition: attachment; filename="invite.ics"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        f"{_b64(ics)}"
        f"--{outer}--\r\n"
    ).encode("ascii")


def apple(ics: str, sender: str = "Bolormaa Ganbaatar <nfp.mn@example.org>") -> bytes:
    """Apple Calendar: the message is just the text/calendar part, quoted-printable."""
    qp = quopri.encodestring(ics.encode("utf-8")).decode("ascii")
    return (
        f"From: {sender}\r\n"
        f"To: {ORGANISER}\r\n"
        "Subject: Invitation: 16th Round-Table Meeting (Tentative)\r\n"
        "Message-Id: <5E1C7A2B-1234-4C6E-9F7A-0123456789AB@example.org>\r\n"
        "Mime-Version: 1.0 (Mac OS X Mail 16.0)\r\n"
        "Content-Type: text/calendar; charset=utf-8; method=REPLY\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        f"{qp}"
    ).encode("ascii")


def plain(text: str = "Thanks, I will attend.", sender: str = "nfp.kz@example.org") -> bytes:
    return f"From: {sender}\r\nTo: {ORGANISER}\r\nSubject: Re: RTM\r\n\r\n{text}\r\n".encode()


def test_outlook_reply_base64_in_multipart_alternative() -> None:
    raw = outlook(reply_ics(attendee="NFP.KZ@EXAMPLE.ORG", head=OUTLOOK_TZ))
    assert parse_reply(raw) == CalendarReply(
        sender="nfp.kz@example.org",
        uid=UID,
        sequence=0,
        attendee="nfp.kz@example.org",
        partstat="ACCEPTED",
    )


def test_gmail_reply_inline_and_attached() -> None:
    ics = reply_ics(attendee="nfp.uz@example.org", partstat="DECLINED", sequence=2, cn="Sardor")
    reply = parse_reply(gmail(ics))
    assert (reply.sender, reply.attendee, reply.partstat, reply.sequence) == (
        "nfp.uz@example.org",
        "nfp.uz@example.org",
        "DECLINED",
        2,
    )
    assert parse_reply(gmail(ics, inline=False)) == reply, "the .ics attachment alone suffices"


def test_apple_reply_single_quoted_printable_part() -> None:
    ics = reply_ics(
        attendee="Deputy.KZ@Example.org",
        partstat="tentative",
        sequence=None,
        cn="Ерлан Сейткали",
        prodid="-//Apple Inc.//macOS 14.4//EN",
        body=("COMMENT:Буду онлайн, если смогу",),
    )
    reply = parse_reply(apple(ics, sender="=?utf-8?b?0JXRgNC70LDQvQ==?= <DEPUTY.kz@example.ORG>"))
    assert reply.sender == reply.attendee == "deputy.kz@example.org"
    assert reply.partstat == "TENTATIVE"
    assert reply.sequence == 0, "SEQUENCE absent means 0"


def test_thunderbird_style_inline_attachment_with_calendar_type() -> None:
    """text/calendar sent as an attachment named invite.ics (Thunderbird, some webmails)."""
    ics = reply_ics(sequence=1)
    raw = (
        f"From: nfp.kz@example.org\r\nTo: {ORGANISER}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nAccepted\r\n"
        '--b\r\nContent-Type: text/calendar; method=REPLY; name="invite.ics"\r\n'
        'Content-Disposition: attachment; filename="invite.ics"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(ics)}--b--\r\n"
    ).encode()
    assert parse_reply(raw).sequence == 1


def test_a_broken_inline_part_falls_back_to_the_attachment() -> None:
    good = reply_ics(attendee="nfp.uz@example.org", partstat="DECLINED")
    raw = gmail(good).replace(
        b"BEGIN:VCALENDAR\r\nPRODID", b"BEGIN:VCALENDAR\r\nbroken\r\nPRODID", 1
    )
    assert parse_reply(raw).partstat == "DECLINED"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "From must hold exactly one address"),
        (b"\x00\xff garbage \r\n\r\n\x80", "From must hold exactly one address"),
        (plain(), "no calendar"),
        (outlook(reply_ics(method="REQUEST")), "not a REPLY: METHOD is REQUEST"),
        (outlook(reply_ics(method="")), "not a REPLY: the calendar has no METHOD"),
        (outlook(reply_ics(uid="")), "no UID"),
        (outlook(reply_ics(sequence="abc")), "SEQUENCE is not an integer"),
        (outlook(reply_ics(sequence=-1)), "SEQUENCE is negative"),
        (outlook("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"), "exactly one VEVENT"),
        (outlook(reply_ics(body=("BEGIN:VALARM", "END:VALARM"))), None),
        (
            outlook(reply_ics(body=("ATTENDEE;PARTSTAT=ACCEPTED:mailto:deputy.kz@example.org",))),
            "exactly one ATTENDEE, found 2",
        ),
        (outlook(reply_ics().replace("mailto:nfp.kz", "urn:nfp.kz")), "not a mailto: address"),
        (outlook("this is not a calendar"), "unreadable calendar"),
        (apple(reply_ics(), sender="a@example.org, b@example.org"), "exactly one address"),
        (apple(reply_ics(), sender="not an address"), "exactly one address"),
        (apple(reply_ics(uid="x" * 2000)), "invalid reply: uid"),
    ],
)
def test_what_is_not_a_usable_reply_raises_reply_error(raw: bytes, why: str | None) -> None:
    if why is None:  # a sub-component inside the VEVENT is fine
        assert parse_reply(raw).partstat == "ACCEPTED"
        return
    with pytest.raises(ReplyError, match=why):
        parse_reply(raw)


def test_two_vevents_are_refused_and_the_sender_is_kept_for_the_audit() -> None:
    ics = reply_ics()
    event = ics[ics.index("BEGIN:VEVENT") : ics.index("END:VCALENDAR")]
    with pytest.raises(ReplyError, match="exactly one VEVENT, found 2") as err:
        parse_reply(outlook(ics.replace("END:VCALENDAR", event + "END:VCALENDAR")))
    assert err.value.sender == "nfp.kz@example.org"
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("uid", "meeting_id"),
    [
        ("rtm-ca-16@example.org", "RTM-CA-16"),
        ("RTM-CA-16-0A1B2C3D@EXAMPLE.ORG", "RTM-CA-16-0A1B2C3D"),
        (" rtm-ca-16@example.org ", "RTM-CA-16"),
        ("rtm@example.org", None),
        ("rtm-ca-16", None),
        ("@example.org", None),
        ("040000008200E00074C5B7101A82E00800000000@outlook.com", None),
        ("rtm ca 16@example.org", None),
        ("r" + "-x" * 40 + "@example.org", None),
        ("", None),
    ],
)
def test_meeting_id_from_uid(uid: str, meeting_id: str | None) -> None:
    assert meeting_id_from_uid(uid) == meeting_id


SAMPLES = [
    outlook(reply_ics(head=OUTLOOK_TZ)),
    gmail(reply_ics(attendee="nfp.uz@example.org", partstat="DECLINED")),
    apple(reply_ics(partstat="TENTATIVE", cn="Ерлан Сейткали")),
]


def _only_reply_error(raw: bytes) -> None:
    """Garbage may parse or raise ReplyError; anything else escaping is a bug."""
    with contextlib.suppress(ReplyError):
        parse_reply(raw)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_raise_only_reply_error(raw: bytes) -> None:
    _only_reply_error(raw)


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.integers(0, 5000), st.binary(max_size=200), st.booleans())
def test_mangled_replies_raise_only_reply_error(
    sample: bytes, at: int, junk: bytes, insert: bool
) -> None:
    at = at % (len(sample) + 1)
    end = at if insert else at + len(junk)
    _only_reply_error(sample[:at] + junk + sample[end:])
