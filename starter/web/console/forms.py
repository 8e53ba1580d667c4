"""Reading posted forms and answering them: Post/Redirect/Get with a notice code, or the
page again with the problem next to its field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from aiohttp import web

from starter.client.refusals import CommandRefused
from starter.web.console.render import Said, Text, why

_MAX = 200_000


async def fields(request: web.Request) -> dict[str, str]:
    """The posted fields as text (the CSRF token already checked by the page guard)."""
    return {k: str(v)[:_MAX] for k, v in (await request.post()).items() if k != "csrf"}


def done(to: str, code: str, **extra: str) -> web.Response:
    """Back to a page after a change, which then shows the notice `code` (no free text in
    URLs: a notice is one of the page's own sentences)."""
    return web.Response(
        status=303, headers={"Location": f"{to}?{urlencode({'done': code} | extra)}"}
    )


async def recorded(
    command: Awaitable[object],
    refused: Callable[[Text], Awaitable[web.StreamResponse]],
    to: str,
    code: str,
) -> web.StreamResponse:
    """Send a command to the meeting: back to `to` with the notice `code` once recorded, or
    `refused(reason)` (the page again, the reason next to it) when its validator refused it."""
    try:
        await command
    except CommandRefused as exc:
        return await refused(why(exc))  # in the reader's language
    return done(to, code)


def problems_by_field(problems: list[str]) -> dict[str, Text]:
    """`field: message` lines by field ('' for those naming none), each written in the
    reader's language when the page shows it (a Refusal by its code)."""
    found: dict[str, list[str]] = {}
    for line in problems:
        where, sep, _ = line.partition(": ")
        found.setdefault(where if sep and " " not in where else "", []).append(line)
    return {key: Said(lines, after_field=bool(key)) for key, lines in found.items()}


def page_number(request: web.Request) -> int:
    """The list page the query asks for (`?page=`), 1 when missing or not a number."""
    try:
        return max(1, min(int(request.query.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


def pager(total: int, number: int, size: int) -> dict[str, int]:
    """What a list's pager shows: how many rows match, this page's number and how many
    pages of `size` there are (one at least)."""
    return {"total": total, "number": number, "pages": max(1, -(-total // size))}
