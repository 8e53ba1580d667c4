"""Configuration from environment variables, defaulting to the embedded stack under var/.

Read once by pydantic-settings: a bad value (`SMTP_PORT=abc`) is refused with the
variable's name before anything starts; an empty variable counts as unset.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.private_files import read_or_create_secret
from domain.common.contracts import TASK_QUEUE

if TYPE_CHECKING:  # the SMTP client and the mail builder: imported only by what sends mail
    from activities.mail.smtp import SmtpConfig
    from domain.mail.builder import MailIdentity


class SettingsError(Exception):
    """The environment holds a bad value: one line per variable, naming it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


SECRETS = ("DATABASE_URL", "SMTP_PASSWORD", "RTM_LINK_KEY")
"""Read from the file NAME_FILE names when NAME is unset (a Docker secret under /run/secrets,
a systemd credential): secrets need not sit in the environment."""


class Settings(BaseSettings):
    """Everything a process of the engine needs to find its peers."""

    # Each field reads the variable its alias names; code and tests pass field names.
    model_config = SettingsConfigDict(frozen=True, env_ignore_empty=True, populate_by_name=True)

    var_dir: Path = Field(validation_alias="RTM_VAR_DIR", default=Path("var"))
    temporal_address: str = Field(validation_alias="TEMPORAL_ADDRESS", default="127.0.0.1:7233")
    temporal_namespace: str = Field(validation_alias="TEMPORAL_NAMESPACE", default="default")
    temporal_ui_port: int = Field(validation_alias="RTM_UI_PORT", default=8233, ge=1, le=65535)
    task_queue: str = Field(validation_alias="RTM_TASK_QUEUE", default=TASK_QUEUE)
    # workflows a worker keeps in memory (sticky); 0 replays every task from its history, for
    # a server that never hands a dead worker's sticky tasks to another (the test server).
    # Past it, each task of an evicted meeting replays its whole history first: at 1,200
    # meetings on the SDK's 1,000, tasks took over 5 s
    workflow_cache: int = Field(validation_alias="RTM_WORKFLOW_CACHE", default=2500, ge=0)
    database_url_env: str = Field(validation_alias="DATABASE_URL", default="")
    smtp_host: str = Field(validation_alias="SMTP_HOST", default="127.0.0.1")
    smtp_port: int = Field(validation_alias="SMTP_PORT", default=1025, ge=1, le=65535)
    smtp_username: str = Field(validation_alias="SMTP_USERNAME", default="")
    smtp_password: str = Field(validation_alias="SMTP_PASSWORD", default="")
    smtp_starttls: bool = Field(validation_alias="SMTP_STARTTLS", default=False)
    smtp_timeout: float = Field(validation_alias="SMTP_TIMEOUT", default=30.0, gt=0)
    smtp_tls: Literal["starttls", "implicit", "none"] | None = Field(
        validation_alias="SMTP_TLS", default=None
    )
    smtp_ca_file: str = Field(validation_alias="SMTP_CA_FILE", default="")
    smtp_retry_hours: float = Field(validation_alias="SMTP_RETRY_HOURS", default=24.0, gt=0)
    db_timeout: float = Field(validation_alias="RTM_DB_TIMEOUT", default=5.0, gt=0)
    # workflow tasks a worker runs at once: on a few cores, more only share the GIL and each
    # takes longer; the others wait their turn on the server, not against their timeout
    workflow_tasks: int = Field(validation_alias="RTM_WORKFLOW_TASKS", default=8, ge=2)
    # activities a worker runs at once. A send activity renders each message on the event
    # loop that the worker's queries and workflow tasks also pass through: each running send
    # adds a message's rendering to every turn of the loop. With the SDK's 100, 500 meetings
    # inviting at once made a status query miss its deadline and send activities miss their
    # heartbeats; with 8, p95 355 ms and none missed (bench/meetings_in_flight)
    activity_tasks: int = Field(validation_alias="RTM_ACTIVITY_TASKS", default=8, ge=2)
    # a report's queries (rtm report, register, tracker, charts, audit; the console's downloads)
    report_timeout: float = Field(validation_alias="RTM_REPORT_TIMEOUT", default=120.0, gt=0)
    cli_user: str = Field(validation_alias="RTM_USER", default="secretariat")
    web_host: str = Field(validation_alias="RTM_WEB_HOST", default="127.0.0.1")
    web_port: int = Field(validation_alias="RTM_WEB_PORT", default=8000, ge=1, le=65535)
    public_url_env: str = Field(validation_alias="RTM_PUBLIC_URL", default="")
    link_key_env: str = Field(validation_alias="RTM_LINK_KEY", default="")
    inbound_host: str = Field(validation_alias="RTM_INBOUND_HOST", default="127.0.0.1")
    inbound_port: int = Field(validation_alias="RTM_INBOUND_PORT", default=2525, ge=1, le=65535)
    # the MTA in front of the reply endpoint, whose Authentication-Results are believed
    inbound_authserv_id: str = Field(validation_alias="RTM_INBOUND_AUTHSERV_ID", default="")
    # the addresses that MTA connects from
    inbound_trusted_peers: str = Field(
        validation_alias="RTM_INBOUND_TRUSTED_PEERS", default="127.0.0.1,::1"
    )
    mail_domain: str = Field(validation_alias="RTM_MAIL_DOMAIN", default="")
    installation_id: str = Field(validation_alias="RTM_INSTALLATION_ID", default="")
    # single sign-on to the console (OpenID Connect); off while the issuer is empty
    oidc_issuer: str = Field(validation_alias="RTM_OIDC_ISSUER", default="")
    oidc_client_id: str = Field(validation_alias="RTM_OIDC_CLIENT_ID", default="")
    oidc_client_secret: str = Field(validation_alias="RTM_OIDC_CLIENT_SECRET", default="")

    @model_validator(mode="before")
    @classmethod
    def _secret_files(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        for name in SECRETS:
            path = os.environ.get(f"{name}_FILE", "")
            if not data.get(name) and path:
                try:
                    data[name] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as exc:  # by its code: the operator reads it in their language
                    from domain.common.refusals import Refusal, os_reason

                    problem = Refusal("file.unreadable_as", field=f"{name}_FILE", path=path,
                                      why=os_reason(exc))  # fmt: skip
                    raise ValueError(problem) from exc
        return data

    @field_validator("smtp_tls", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def database_url(self) -> str:
        """DATABASE_URL if set, else a SQLite file under the var directory."""
        if self.database_url_env:
            return self.database_url_env
        return f"sqlite:///{self.var_dir / 'rtm.db'}"

    def smtp(self) -> SmtpConfig:
        """The relay: SMTP_TLS (starttls|implicit|none; by default implicit on port 465 and
        starttls whenever credentials are set), SMTP_CA_FILE, the retry window."""
        from activities.mail.smtp import SmtpConfig

        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            tls=SmtpConfig.tls_for(
                self.smtp_tls or "",
                self.smtp_port,
                self.smtp_username,
                self.smtp_starttls,
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
        from domain.mail.builder import MailIdentity

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


def load_settings() -> Settings:
    """The settings from the environment, or SettingsError naming each bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError([_setting_problem(e) for e in exc.errors()]) from exc


def _setting_problem(err: ErrorDetails) -> str:
    """One bad variable, by its code where pydantic's check or the engine's has one (the
    operator's language), else pydantic's words."""
    from domain.common.invalid import error_refusal
    from domain.common.refusals import Refusal

    where = ".".join(map(str, err["loc"]))
    found = error_refusal(err)
    if not where:
        return found or str(err["msg"]).removeprefix("Value error, ")
    value = repr(err["input"])
    if found is not None:
        return Refusal("setting", variable=where, problem=found, value=value)
    return f"{where}: {err['msg']} (got {value})"
