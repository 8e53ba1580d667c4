"""Message-IDs carry the installation: its mail domain (RTM_MAIL_DOMAIN, else the organiser's)
and a tag of its own (RTM_INSTALLATION_ID, else derived from the link key), so that two
installations never collide while a re-send of the same message keeps its id."""

from __future__ import annotations

from activities.config import Settings
from domain.invitations.batches import message_id
from domain.mail.builder import MailIdentity
from tests.factories import meeting


def test_two_installations_never_make_the_same_message_id() -> None:
    m = meeting()
    first = Settings(link_key_env="key-of-tashkent").mail_identity()
    second = Settings(link_key_env="key-of-brussels").mail_identity()
    assert first.tag and second.tag and first.tag != second.tag
    assert message_id(m, 0, "kz-nfp", first) != message_id(m, 0, "kz-nfp", second)


def test_a_resend_keeps_its_message_id() -> None:
    m = meeting()
    identity = Settings(link_key_env="key-of-tashkent").mail_identity()
    again = Settings(link_key_env="key-of-tashkent").mail_identity()  # a restart: same key
    assert message_id(m, 2, "kz-nfp", identity) == message_id(m, 2, "kz-nfp", again)
    assert message_id(m, 2, "kz-nfp", identity) != message_id(m, 3, "kz-nfp", identity)


def test_the_mail_domain_and_installation_id_come_from_the_environment() -> None:
    m = meeting()
    identity = Settings(mail_domain="rtm.example.net", installation_id="ca-prod").mail_identity()
    assert identity == MailIdentity(domain="rtm.example.net", tag="ca-prod")
    assert message_id(m, 0, "kz-nfp", identity) == f"<{m.id}.0.kz-nfp.ca-prod@rtm.example.net>"
    default = Settings(link_key_env="k").mail_identity()
    assert message_id(m, 0, "kz-nfp", default).endswith(f".{default.tag}@example.org>"), (
        "without RTM_MAIL_DOMAIN: the organiser's domain"
    )
