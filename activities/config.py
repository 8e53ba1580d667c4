"""Configuration from environment variables, defaulting to the embedded stack under var/."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from activities.mail.smtp import SmtpConfig
from activities.private_files import read_or_create_secret
from domain.common.contracts import TASK_QUEUE
from domain.mail.builder import MailIdentity


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default) or default


def _secret(name: str) -> str:
    """NAME, else the content of the file NAME_FILE names (a Docker secret under
    /run/secrets, a systemd credential): secrets need not sit in the environment."""
    value = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if value or not path:
        return value
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise RuntimeError(f"{name}_FILE: cannot read {path} ({exc.strerror})") from exc


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything a process of the engine needs to find its peers."""

    var_dir: Path = field(default_factory=lambda: Path(_env("RTM_VAR_DIR", "var")))
    temporal_address: str = field(
        default_factory=lambda: _env("TEMPORAL_ADDRESS", "127.0.0.1:7233")
    )
    temporal_namespace: str = field(default_factory=lambda: _env("TEMPORAL_NAMESPACE", "default"))
    temporal_ui_port: int = field(default_factory=lambda: int(_env("RTM_UI_PORT", "8233")))
    task_queue: str = field(default_factory=lambda: _env("RTM_TASK_QUEUE", TASK_QUEUE))
    database_url_env: str = field(default_factory=lambda: _secret("DATABASE_URL"))
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "1025")))
    smtp_username: str = field(default_factory=lambda: os.environ.get("SMTP_USERNAME", ""))
    smtp_password: str = field(default_factory=lambda: _secret("SMTP_PASSWORD"))
    smtp_starttls: bool = field(default_factory=lambda: _flag("SMTP_STARTTLS"))
    smtp_timeout: float = field(default_factory=lambda: float(_env("SMTP_TIMEOUT", "30")))
    smtp_tls: str = field(default_factory=lambda: _env("SMTP_TLS", "").strip().lower())
    smtp_ca_file: str = field(default_factory=lambda: os.environ.get("SMTP_CA_FILE", ""))
    smtp_retry_hours: float = field(default_factory=lambda: float(_env("SMTP_RETRY_HOURS", "24")))
    db_timeout: float = field(default_factory=lambda: float(_env("RTM_DB_TIMEOUT", "5")))
    cli_user: str = field(default_factory=lambda: _env("RTM_USER", "secretariat"))
    web_host: str = field(default_factory=lambda: _env("RTM_WEB_HOST", "127.0.0.1"))
    web_port: int = field(default_factory=lambda: int(_env("RTM_WEB_PORT", "8000")))
    public_url_env: str = field(default_factory=lambda: os.environ.get("RTM_PUBLIC_URL", ""))
    link_key_env: str = field(default_factory=lambda: _secret("RTM_LINK_KEY"))
    inbound_host: str = field(default_factory=lambda: _env("RTM_INBOUND_HOST", "127.0.0.1"))
    inbound_port: int = field(default_factory=lambda: int(_env("RTM_INBOUND_PORT", "2525")))
    inbound_authserv_id: str = field(
        default_factory=lambda: os.environ.get("RTM_INBOUND_AUTHSERV_ID", "")
    )  # the MTA in front of the reply endpoint, whose Authentication-Results are believed
    inbound_trusted_peers: str = field(
        default_factory=lambda: _env("RTM_INBOUND_TRUSTED_PEERS", "127.0.0.1,::1")
    )  # the addresses that MTA connects from
    mail_domain: str = field(default_factory=lambda: os.environ.get("RTM_MAIL_DOMAIN", ""))
    installation_id: str = field(default_factory=lambda: os.environ.get("RTM_INSTALLATION_ID", ""))
    # single sign-on to the console (OpenID Connect); off while the issuer is empty
    oidc_issuer: str = field(default_factory=lambda: os.environ.get("RTM_OIDC_ISSUER", ""))
    oidc_client_id: str = field(default_factory=lambda: os.environ.get("RTM_OIDC_CLIENT_ID", ""))
    oidc_client_secret: str = field(
        default_factory=lambda: os.environ.get("RTM_OIDC_CLIENT_SECRET", "")
    )

    @property
    def database_url(self) -> str:
        """DATABASE_URL if set, else a SQLite file under the var directory."""
        if self.database_url_env:
            return self.database_url_env
        return f"sqlite:///{self.var_dir / 'rtm.db'}"

    def smtp(self) -> SmtpConfig:
        """The relay: SMTP_TLS (starttls|implicit|none; by default implicit on port 465 and
        starttls whenever credentials are set), SMTP_CA_FILE, the retry window."""
        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            tls=SmtpConfig.tls_for(
                self.smtp_tls, self.smtp_port, self.smtp_username, self.smtp_starttls
            ),
            username=self.smtp_username,
            password=self.smtp_password,
            ca_file=self.smtp_ca_file,
            timeout=self.smtp_timeout,
            retry_window=timedelta(hours=self.smtp_retry_hours),
        )

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def public_url(self) -> str:
        """Base of the personal links in mail: RTM_PUBLIC_URL, else the local web app."""
        return self.public_url_env or f"http://{self.web_host}:{self.web_port}"

    def mail_identity(self) -> MailIdentity:
        """RTM_MAIL_DOMAIN and this installation's tag: RTM_INSTALLATION_ID, else derived
        from the link key (kept with it, so it survives restarts and differs between
        installations)."""
        tag = (
            self.installation_id
            or hmac.new(self.link_key(), b"rtm message-id", hashlib.sha256).hexdigest()[:10]
        )
        return MailIdentity(domain=self.mail_domain, tag=tag)

    def link_key(self) -> bytes:
        """RTM_LINK_KEY, else a random key kept in the var directory (embedded stack only)."""
        if self.link_key_env:
            return self.link_key_env.encode()
        return read_or_create_secret(self.var_dir / "link.key")
