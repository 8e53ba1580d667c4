"""The deployment as files (no Docker engine here): docker-compose.yml parsed and checked
service by service, the Dockerfile and the systemd units; every command they run is a
real `rtm` command (the processes themselves are run in test_services.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from starter.cli.main import parser

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
ENGINE = ("migrate", "worker", "web", "inbound")
UNITS = ROOT / "deploy" / "systemd"


def _is_rtm_command(argv: list[str]) -> bool:
    """`argv` is `rtm ...` and parses into one of its commands."""
    if argv[:1] != ["rtm"]:
        return False
    args = parser(argv[1:]).parse_args(argv[1:])
    return callable(getattr(args, "fn", None))


def test_every_part_of_a_deployment_is_a_service() -> None:
    assert set(SERVICES) == {
        "temporal-db", "temporal", "temporal-ui", "app-db", "mailpit", *ENGINE,
    }  # fmt: skip
    assert SERVICES["temporal"]["environment"]["DB"].startswith("postgres")
    assert SERVICES["temporal"]["environment"]["POSTGRES_SEEDS"] == "temporal-db"
    assert "@app-db:5432/" in SERVICES["worker"]["environment"]["DATABASE_URL"]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_images_are_pinned_by_version(name: str) -> None:
    image = SERVICES[name]["image"]
    repository, _, tag = image.rpartition(":")
    assert repository and tag and tag != "latest" and re.search(r"\d+\.\d+", tag), image


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_long_running_service_has_a_health_check(name: str) -> None:
    check = SERVICES[name]["healthcheck"]
    if name == "migrate":  # a one-shot job: it completes instead
        assert check == {"disable": True} and SERVICES[name]["restart"] == "no"
        return
    test = check["test"]
    assert test[0] in ("CMD", "CMD-SHELL") and len(test) >= 2, test
    assert check["interval"] and check["retries"] >= 1
    if name in ENGINE:
        assert test[1:] == ["rtm", "health", name] and _is_rtm_command(test[1:])


@pytest.mark.parametrize("name", ENGINE)
def test_engine_services_run_rtm_commands(name: str) -> None:
    command = SERVICES[name]["command"]
    assert command == (["rtm", "db", "upgrade"] if name == "migrate" else ["rtm", name])
    assert _is_rtm_command(command)


def _condition(service: str, on: str) -> str:
    depends = SERVICES[service].get("depends_on", {})
    return str(depends.get(on, {}).get("condition", ""))


def test_start_order_the_schema_upgrade_once_before_the_engine() -> None:
    assert _condition("temporal", "temporal-db") == "service_healthy"
    assert _condition("temporal-ui", "temporal") == "service_healthy"
    assert _condition("migrate", "app-db") == "service_healthy"
    for name in ("worker", "web", "inbound"):
        assert _condition(name, "migrate") == "service_completed_successfully", name
        assert _condition(name, "temporal") == "service_healthy", name
        assert _condition(name, "app-db") == "service_healthy", name


@pytest.mark.parametrize("name", ENGINE)
def test_public_url_and_secrets_reach_every_engine_process(name: str) -> None:
    env = SERVICES[name]["environment"]
    assert re.fullmatch(r"\$\{RTM_PUBLIC_URL:\?.+\}", env["RTM_PUBLIC_URL"]), "required"
    assert env["RTM_LINK_KEY_FILE"] == "/run/secrets/rtm_link_key"
    assert env["SMTP_PASSWORD_FILE"] == "/run/secrets/smtp_password"
    assert "RTM_LINK_KEY" not in env and "SMTP_PASSWORD" not in env, "secrets, not variables"
    assert set(SERVICES[name]["secrets"]) == {"rtm_link_key", "smtp_password"}
    for variable in ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "TEMPORAL_ADDRESS"):
        assert variable in env
    assert env["RTM_VAR_DIR"] == "/var/lib/rtm"
    assert "rtm-state:/var/lib/rtm" in SERVICES[name]["volumes"]
    assert COMPOSE["secrets"] == {
        "rtm_link_key": {"environment": "RTM_LINK_KEY"},
        "smtp_password": {"environment": "SMTP_PASSWORD"},
    }


def test_web_and_inbound_listen_beyond_their_container() -> None:
    assert SERVICES["web"]["environment"]["RTM_WEB_HOST"] == "0.0.0.0"
    assert SERVICES["inbound"]["environment"]["RTM_INBOUND_HOST"] == "0.0.0.0"
    assert "RTM_INBOUND_AUTHSERV_ID" in SERVICES["inbound"]["environment"]
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)


def test_what_must_persist_is_in_named_volumes() -> None:
    named = set(COMPOSE["volumes"])
    mounts = {
        name: [str(v).split(":")[0] for v in s.get("volumes", [])] for name, s in SERVICES.items()
    }
    assert "temporal-db-data" in mounts["temporal-db"]
    assert "app-db-data" in mounts["app-db"]
    assert "mailpit-data" in mounts["mailpit"]
    for name, sources in mounts.items():
        for source in sources:
            assert source in named or source.startswith("./deploy/"), (name, source)


def test_env_example_names_every_variable_the_compose_file_reads() -> None:
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    used |= {s["environment"] for s in COMPOSE["secrets"].values()}
    example = (ROOT / "deploy" / "env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert used - listed == set()
    assert {"RTM_PUBLIC_URL", "RTM_LINK_KEY", "SMTP_PASSWORD"} <= listed


def test_the_image_runs_rtm_as_its_own_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["rtm", "worker"]' in dockerfile
    assert "USER rtm:rtm" in dockerfile and "-m 0700 /var/lib/rtm" in dockerfile
    assert "pip install ." in dockerfile


def _unit(name: str) -> dict[str, list[str]]:
    """A systemd unit as key -> values (keys may repeat)."""
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


@pytest.mark.parametrize("service", ["db-upgrade", "worker", "web", "inbound"])
def test_systemd_units_run_each_service(service: str) -> None:
    unit = _unit(f"rtm-{service}.service")
    (start,) = unit["ExecStart"]
    argv = start.split()
    assert argv[0] == "/opt/rtm/.venv/bin/rtm"
    assert _is_rtm_command(["rtm", *argv[1:]])
    assert unit["User"] == ["rtm"] and unit["UMask"] == ["0077"]
    assert unit["StateDirectoryMode"] == ["0700"]
    assert unit["EnvironmentFile"] == ["/etc/rtm/rtm.env"]
    credentials = dict(c.split(":", 1) for c in unit["LoadCredential"])
    assert set(credentials) == {"rtm_link_key", "smtp_password"}
    environment = " ".join(unit["Environment"])
    assert "RTM_LINK_KEY_FILE=%d/rtm_link_key" in environment
    if service != "db-upgrade":
        assert unit["Requires"] == ["rtm-db-upgrade.service"]
        assert "rtm-db-upgrade.service" in unit["After"][0]
        assert unit["Restart"] == ["on-failure"]
    target = _unit("rtm.target")
    assert f"rtm-{service}.service" in target["Wants"][0]


def test_the_health_timer_checks_every_service() -> None:
    checks = [c.split()[1:] for c in _unit("rtm-health.service")["ExecStart"]]
    assert checks == [["health", "worker"], ["health", "web"], ["health", "inbound"]]
    assert all(_is_rtm_command(["rtm", *c]) for c in checks)


@pytest.mark.integration  # runs systemd-analyze
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_units() -> None:
    units = sorted(str(p) for p in UNITS.glob("rtm*"))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "is not executable" not in line and "/opt/rtm/" not in line
    ]
    assert problems == [], problems


def _settings_variables() -> set[str]:
    """Every variable the engine's settings read (a secret also as NAME_FILE)."""
    from activities.config import SECRETS, Settings

    aliases = {str(f.validation_alias) for f in Settings.model_fields.values()}
    return aliases | {f"{name}_FILE" for name in SECRETS}


def test_every_variable_given_to_the_engine_is_one_its_settings_read() -> None:
    """A misspelt or retired name (SMTP_STARTTLS for SMTP_TLS) would be ignored silently."""
    known = _settings_variables()
    given = {name: set(SERVICES[name]["environment"]) for name in ENGINE}
    for unit in UNITS.glob("rtm*.service"):
        assignments = " ".join(_unit(unit.name).get("Environment", []))
        given[unit.name] = {a.split("=", 1)[0] for a in assignments.split()}
    unknown = {name: sorted(v - known) for name, v in given.items() if v - known}
    assert unknown == {}
    assert "SMTP_TLS" in given["worker"] and "SMTP_STARTTLS" not in given["worker"]


def test_every_variable_of_env_example_is_read_by_the_compose_file_or_the_settings() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    read = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", compose))
    read |= {s["environment"] for s in COMPOSE["secrets"].values()}
    example = (ROOT / "deploy" / "env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert listed - read - _settings_variables() == set()
    # what the compose file passes on to the engine under the same name must be a setting
    passed = {v for v in read if re.search(rf"^\s+{v}: \$\{{{v}[:}}]", compose, re.M)}
    assert passed - _settings_variables() == set(), "passed on but never read"
    assert "SMTP_TLS" in passed
