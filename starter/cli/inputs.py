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

from domain.common.invalid import validation_problems
from domain.common.refusals import Refusal, os_reason
from domain.directory.models import Directory
from domain.meeting.definition import MeetingDefinition, schedule_problems
from domain.series.models import series_problems
from starter.cli.errors import InputError

if TYPE_CHECKING:
    from activities.store import Store

__all__ = [
    "InputError",
    "check_meeting",
    "os_reason",
    "parse",
    "read_directory",
    "read_document",
    "unwritable",
    "validation_problems",
]

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
                line = key_node.start_mark.line + 1
                problem = Refusal("file.key_twice_line", key=repr(key), line=line)
                raise ConstructorError(None, None, problem, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads hook: the same refusal of a repeated key as for YAML."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(Refusal("file.key_twice", key=repr(key)))
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
        raise InputError([Refusal("file.unreadable", path=path, why=os_reason(exc))]) from exc
    if len(raw) > max_bytes:
        raise InputError([Refusal("file.large", path=path, kb=max_bytes // 1024)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = f"{exc.object[exc.start]:#04x}"
        problem = Refusal("file.not_utf8", path=path, byte=byte, offset=exc.start)
        raise InputError([problem]) from exc
    try:
        if kind == "JSON":
            return json.loads(text, object_pairs_hook=_unique_pairs)
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no objects built
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(
            [Refusal("file.syntax", path=path, kind=kind, error=_syntax(exc))]
        ) from exc


def _syntax(exc: ValueError | yaml.YAMLError) -> str | Refusal:
    """What the parser said: the engine's own refusal (a key twice), else its own words."""
    problem = getattr(exc, "problem", None)
    if isinstance(problem, Refusal):
        return problem
    if exc.args and isinstance(exc.args[0], Refusal):
        return exc.args[0]
    if isinstance(exc, json.JSONDecodeError):  # where, and what: by code for the usual ones
        return Refusal("file.syntax_at", line=exc.lineno, column=exc.colno, error=_said(exc.msg))
    mark = getattr(exc, "problem_mark", None)
    if mark is not None and isinstance(problem, str):
        line, column = mark.line + 1, mark.column + 1
        return Refusal("file.syntax_at", line=line, column=column, error=_said(problem))
    return str(exc)


# the parsers' usual complaints (json's are a fixed set), in the reader's words
_PARSERS = {
    "Expecting value": "parse.value",
    "Expecting property name enclosed in double quotes": "parse.name",
    "Expecting ',' delimiter": "parse.comma",
    "Expecting ':' delimiter": "parse.colon",
    "Extra data": "parse.extra",
    "Unterminated string starting at": "parse.string",
    "Invalid control character at": "parse.control",
    "mapping values are not allowed here": "parse.mapping",
    "could not find expected ':'": "parse.colon",
    "found character '\\t' that cannot start any token": "parse.tab",
}


def _said(problem: str) -> str | Refusal:
    code = _PARSERS.get(problem)
    return Refusal(code) if code is not None else problem


def unwritable(path: Path, exc: OSError) -> Refusal:
    """An output file that cannot be written."""
    return Refusal("file.unwritable", field="output", path=path, why=os_reason(exc))


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
        Refusal("input.deactivated", field="participants", participant=repr(i))
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
