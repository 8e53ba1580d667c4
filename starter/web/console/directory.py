"""The region's directory: its people (add, edit, deactivate) and a CSV import that shows
what it will change before it changes anything."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import ValidationError
from temporalio.client import Client

from domain.common.invalid import validation_problems
from domain.common.refusals import Refusal, several
from domain.directory.changes import changed_languages
from domain.directory.languages import read_languages
from domain.directory.models import Directory, Participant, Role
from domain.directory.scope import not_the_regions
from starter.client.directory import tell_meetings
from starter.web.console.context import Console
from starter.web.console.forms import done, page_number, pager, problems_by_field
from starter.web.console.render import Msg, Said, Text, render, why
from starter.web.console.roles import Forbidden, Viewer

COLUMNS = ("id", "name", "email", "role", "country", "organisation", "language", "zone")
ROLES = [r for r in Role if r is not Role.AUDITOR]  # auditors are not a region's to name
_CSV_MAX = 2_000_000
PAGE = 50


@dataclass
class Change:
    """One CSV row: what it would do (add, change, same) or why it cannot."""

    line: int
    person: Participant | None
    kind: str
    fields: list[str] = field(default_factory=list)
    problem: Text = ""


def plan_import(
    text: str, existing: dict[str, Participant], region: str, countries: set[str]
) -> list[Change]:
    """Every row of the CSV and what loading it would change; nothing is written here."""
    rows = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "name", "email", "role") if c not in (rows.fieldnames or [])]
    if missing:
        said = Said([Refusal("directory.columns", columns=", ".join(missing))])
        return [Change(1, None, "refused", problem=said)]
    changes: list[Change] = []
    for n, row in enumerate(rows, start=2):
        data = {k: (row.get(k) or "").strip() for k in COLUMNS if (row.get(k) or "").strip()}
        try:
            person = Participant.model_validate(data)
        except ValidationError as exc:
            said = Said([several(validation_problems(exc)) or str(exc)])
            changes.append(Change(n, None, "refused", problem=said))
            continue
        refused = not_the_regions(person, region, countries)
        if refused:
            changes.append(Change(n, person, "refused", problem=Said([refused])))
            continue
        old = existing.get(person.id)
        if old is None:
            changes.append(Change(n, person, "add"))
        else:
            diff = [k for k in COLUMNS if getattr(old, k) != getattr(person, k)]
            changes.append(Change(n, person, "change" if diff else "same", diff))
    emails = [c.person.email.lower() for c in changes if c.person and c.kind != "refused"]
    for c in changes:
        if c.person and c.kind != "refused" and emails.count(c.person.email.lower()) > 1:
            c.kind = "refused"
            c.problem = Said([Refusal("directory.email_twice", email=c.person.email)])
    return changes


async def told(
    console: Console,
    viewer: Viewer,
    people: dict[str, Participant],
    saved: list[Participant],
    notice: str,
) -> web.Response:
    """Back to the directory with `notice` once the meetings in flight that invite the
    `saved` people took their changed languages (`people`: the directory before); the
    meetings that could not be told are named instead, the directory's change stands."""

    async def client() -> Client:
        return console.client

    before = {p.id: people[p.id].languages for p in saved if p.id in people}
    untold = await tell_meetings(client, console.store, changed_languages(before, saved))
    if not untold:
        return done("/console/directory", notice)
    await console.audit(None, viewer.id, "directory.untold", {"meetings": dict(untold)})
    named = ", ".join(u.meeting_id for u in untold)
    return done("/console/directory", "untold", meetings=named[:200])


def add_directory_routes(app: web.Application, console: Console) -> None:
    def region_of(viewer: Viewer) -> str:
        if not viewer.is_secretariat or viewer.region is None:
            raise Forbidden("the directory is the secretariat's")
        return viewer.region

    async def scope(region: str) -> tuple[set[str], dict[str, Participant]]:
        countries = {c.code for c in await asyncio.to_thread(console.store.countries, region)}
        people = await asyncio.to_thread(console.store.participants)
        return countries, {p.id: p for p in people}

    async def listing(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = region_of(viewer)
        query = request.query.get("q", "").strip().lower()[:100]
        number = page_number(request)

        people, total, inactive = await asyncio.to_thread(
            console.sessions.region_people,
            region,
            f"SEC-{region}",
            query,
            (number - 1) * PAGE,
            PAGE,
        )
        return render(
            request,
            "directory.html",
            title=Msg("Directory"),
            region=region,
            people=people,
            **pager(total, number, PAGE),
            query=query,
            inactive=inactive,
        )

    async def form_page(
        request: web.Request,
        viewer: Viewer,
        form: dict[str, str],
        problems: Mapping[str, Text],
        editing: bool,
        code: int = 200,
    ) -> web.Response:
        region = region_of(viewer)
        countries = sorted((await scope(region))[0])
        return render(
            request,
            "person.html",
            code,
            title=Msg("Edit") if editing else Msg("Add"),
            form=form,
            problems=problems,
            editing=editing,
            roles=ROLES,
            countries=countries,
            region=region,
            problem=problems.get("", ""),
        )

    async def new(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        return await form_page(
            request, viewer, {"role": "nfp", "language": "en", "zone": "UTC"}, {}, editing=False
        )

    async def edit(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = region_of(viewer)
        countries, people = await scope(region)
        person = people.get(request.match_info["person"])
        if person is None or not_the_regions(person, region, countries):
            raise Forbidden("this entry is not in your region's directory")
        form = {k: str(getattr(person, k) or "") for k in COLUMNS}
        form["language"] = ", ".join(person.languages)  # the whole ordered list, kept on save
        return await form_page(request, viewer, form, {}, editing=True)

    async def save(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = region_of(viewer)
        countries, people = await scope(region)
        form = {k: str(v).strip() for k, v in (await request.post()).items() if k != "csrf"}
        editing = "person" in request.match_info
        if editing:
            form["id"] = request.match_info["person"]
            old = people.get(form["id"])
            if old is None or not_the_regions(old, region, countries):
                raise Forbidden("this entry is not in your region's directory")
        data = {k: v for k, v in form.items() if k in COLUMNS and v}
        _, bad = read_languages(form.get("language", "")) if form.get("language") else ([], [])
        if bad:  # a code CLDR does not know: refused next to its field, nothing written
            return await form_page(request, viewer, form, problems_by_field(bad), editing, 400)
        try:
            person = Participant.model_validate(data)
        except ValidationError as exc:
            problems = problems_by_field(validation_problems(exc))
            return await form_page(request, viewer, form, problems, editing, 400)
        refused = not_the_regions(person, region, countries)
        if not editing and person.id in people:
            refused = Refusal("directory.id_taken", field="id", id=person.id)
        if refused:
            problems = problems_by_field([refused])
            return await form_page(request, viewer, form, problems, editing, 400)
        try:
            await asyncio.to_thread(console.store.load_directory, Directory(participants=[person]))
        except ValueError as exc:
            return await form_page(request, viewer, form, {"email": why(exc)}, editing, 400)
        await console.audit(
            None, viewer.id, "directory.save", person.model_dump(mode="json") | {"new": not editing}
        )
        return await told(console, viewer, people, [person], "saved")

    async def deactivate(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = region_of(viewer)
        countries, people = await scope(region)
        pid = request.match_info["person"]
        person = people.get(pid)
        if person is None or not_the_regions(person, region, countries) or pid == viewer.id:
            raise Forbidden("this entry is not yours to deactivate")
        back = request.path.endswith("/reactivate")
        await asyncio.to_thread(console.store.set_active, pid, back)
        if not back:
            await asyncio.to_thread(console.sessions.revoke_all, pid, console.now())
        await console.audit(
            None,
            viewer.id,
            "directory.reactivate" if back else "directory.deactivate",
            {"participant": pid},
        )
        return done("/console/directory", "saved")

    async def import_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region_of(viewer)
        return render(
            request,
            "directory_import.html",
            title=Msg("Import"),
            changes=None,
            text="",
            columns=COLUMNS,
        )

    async def import_post(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        """Preview (nothing written) unless 'apply' is pressed on a preview with no refusal."""
        region = region_of(viewer)
        post = await request.post()
        upload = post.get("file")
        text = str(post.get("text", ""))
        if isinstance(upload, web.FileField) and upload.filename:
            text = upload.file.read(_CSV_MAX).decode("utf-8-sig", errors="replace")
        countries, people = await scope(region)
        changes = plan_import(text[:_CSV_MAX], people, region, countries)
        refused = [c for c in changes if c.kind == "refused"]
        if post.get("apply") and changes and not refused:
            chosen = [c.person for c in changes if c.person and c.kind in ("add", "change")]
            try:
                await asyncio.to_thread(
                    console.store.load_directory, Directory(participants=chosen)
                )
            except ValueError as exc:
                return render(
                    request,
                    "directory_import.html",
                    400,
                    title=Msg("Import"),
                    changes=changes,
                    text=text,
                    columns=COLUMNS,
                    problem=why(exc),
                )
            await console.audit(
                None, viewer.id, "directory.import", {"participants": [p.id for p in chosen]}
            )
            return await told(console, viewer, people, chosen, "imported")
        return render(
            request,
            "directory_import.html",
            400 if refused else 200,
            title=Msg("Import"),
            changes=changes,
            text=text,
            columns=COLUMNS,
            problem=Msg("Nothing was changed: correct the refused rows first.") if refused else "",
        )

    app.router.add_get("/console/directory", console.page(listing))
    app.router.add_get("/console/directory/new", console.page(new))
    app.router.add_post("/console/directory/new", console.page(save))
    app.router.add_get("/console/directory/import", console.page(import_page))
    app.router.add_post("/console/directory/import", console.page(import_post))
    app.router.add_get("/console/directory/{person}", console.page(edit))
    app.router.add_post("/console/directory/{person}", console.page(save))
    app.router.add_post("/console/directory/{person}/deactivate", console.page(deactivate))
    app.router.add_post("/console/directory/{person}/reactivate", console.page(deactivate))
