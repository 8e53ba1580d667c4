"""Reading and validating the secretariat's input files (YAML or JSON).

Every problem is reported as `field: what is wrong`, and nothing starts while any remain.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from domain.directory.models import Directory
from domain.meeting.definition import MeetingDefinition, schedule_problems
from starter.cli.errors import InputError

if TYPE_CHECKING:
    from activities.store import Store

__all__ = ["InputError", "check_meeting", "parse", "read_directory", "read_document"]

M = TypeVar("M", bound=BaseModel)


def read_document(path: Path) -> Any:
    """A YAML or JSON file's content (JSON is YAML, but JSON errors read better from json)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([f"{path}: cannot read ({exc.strerror})"]) from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise InputError([f"{path}: not valid {kind}: {exc}"]) from exc


def validation_problems(exc: ValidationError) -> list[str]:
    """Pydantic errors as `field.path: message` lines."""
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {msg}" if where else msg)
    return problems


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc)) from exc


def read_directory(path: Path) -> Directory:
    return parse(Directory, read_document(path))


def check_meeting(data: Any, store: Store, now: datetime) -> MeetingDefinition:
    """A meeting definition that is valid, in the future, and names only known people."""
    meeting = parse(MeetingDefinition, data)
    problems = schedule_problems(meeting, now)
    if store.region(meeting.region) is None:
        problems.append(f"region: unknown region {meeting.region!r}")
    invitees, unknown = store.resolve_participants(
        meeting.participants, meeting.countries, meeting.organisations
    )
    problems += unknown
    if not unknown and not invitees:
        problems.append("participants: the directory has nobody for these countries/organisations")
    if problems:
        raise InputError(problems)
    return meeting
