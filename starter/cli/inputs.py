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
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

from domain.common.refusals import Refusal
from domain.directory.models import Directory
from domain.meeting.definition import MeetingDefinition, schedule_problems
from domain.series.models import series_problems
from starter.cli.errors import InputError

if TYPE_CHECKING:
    from activities.store import Store

__all__ = ["InputError", "check_meeting", "parse", "read_directory", "read_document"]

M = TypeVar("M", bound=BaseModel)


# A meeting definition or an action list is a few KB, a region's directory a few hundred:
# anything far larger is a mistake, refused before it is read rather than after minutes.
MAX_DOCUMENT_BYTES = 1024 * 1024


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping naming the same key twice (PyYAML keeps the last)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads hook: the same refusal of a repeated key as for YAML."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def read_document(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """A YAML or JSON file's content (JSON is YAML, but JSON errors read better from json).

    Refused with an InputError: a file over `max_bytes`, one not in UTF-8, one that is not
    valid YAML/JSON, or one whose mapping names a key twice.
    """
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError([f"{path}: cannot read ({exc.strerror})"]) from exc
    if len(raw) > max_bytes:
        raise InputError([f"{path}: larger than {max_bytes // 1024} KB; is it the right file?"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start});"
             " save it as UTF-8"]
        ) from exc  # fmt: skip
    try:
        if kind == "JSON":
            return json.loads(text, object_pairs_hook=_unique_pairs)
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no objects built
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError([f"{path}: not valid {kind}: {exc}"]) from exc


# pydantic's own messages that the catalogue has (domain.common.refusals), by error type
_PYDANTIC = {"missing": "input.missing", "int_parsing": "input.integer"}


def validation_problems(exc: ValidationError) -> list[str]:
    """Pydantic errors as `field.path: message` lines; each a Refusal (the same words with
    a code, for the reader's language) where the engine or the catalogue knows it."""
    problems: list[str] = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        cause = (err.get("ctx") or {}).get("error")
        found: str | None = None
        if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Refusal):
            found = cause.args[0]
        elif err["type"] in _PYDANTIC and Refusal(_PYDANTIC[err["type"]]) == msg:
            found = Refusal(_PYDANTIC[err["type"]])
        if found is not None and str(found) == msg:
            problems.append(Refusal("at", field=where, problem=found) if where else found)
        else:
            problems.append(f"{where}: {msg}" if where else msg)
    return problems


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc)) from exc


MAX_DIRECTORY_BYTES = 8 * 1024 * 1024  # thousands of participants fit in far less


def read_directory(path: Path) -> Directory:
    return parse(Directory, read_document(path, MAX_DIRECTORY_BYTES))


def check_meeting(data: Any, store: Store, now: datetime) -> MeetingDefinition:
    """A meeting definition that is valid, in the future, and names only known people."""
    meeting = parse(MeetingDefinition, data)
    problems = schedule_problems(meeting, now)
    if store.region(meeting.region) is None:
        problems.append(Refusal("input.region", field="region", region=meeting.region))
    invitees, unknown = store.resolve_participants(
        meeting.participants, meeting.countries, meeting.organisations
    )
    problems += unknown
    off = store.inactive()
    problems += [
        f"participants: {i!r} is deactivated in the directory"
        for i in meeting.participants
        if i in off
    ]
    if not unknown and not invitees:
        problems.append(Refusal("input.nobody", field="participants"))
    if meeting.series is not None:
        problems += series_problems(meeting, store.series(meeting.series))
    if problems:
        raise InputError(problems)
    return meeting
