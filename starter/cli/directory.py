"""`rtm directory load FILE | list`: the participant directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from domain.common.marks import N_
from domain.common.refusals import Refusal, each
from starter.cli.common import add, connect, open_store, print_json
from starter.cli.errors import InputError
from starter.cli.inputs import read_directory
from starter.cli.say import phrase, say

if TYPE_CHECKING:
    from activities.config import Settings
    from activities.store import Store


# What `directory load` counts, in the operator's words.
LOADED = {"regions": N_("regions"), "countries": N_("countries"),
          "organisations": N_("organisations"), "participants": N_("participants"),
          "series": N_("series")}  # fmt: skip


async def tell_their_meetings(
    settings: Settings, store: Store, languages: dict[str, list[str]]
) -> None:
    """The meetings in flight that invite these people take their new languages into their
    status; one that cannot be told is a warning, the directory's change stands."""
    from starter.client.directory import tell_meetings

    for untold in await tell_meetings(lambda: connect(settings), store, languages):
        say(
            "warning: meeting %(meeting)s was not told of the new languages (%(error)s); "
            "its mail follows the directory all the same",
            meeting=untold.meeting_id,
            error=untold.error,
            file=sys.stderr,
        )


async def cmd_directory_load(args: argparse.Namespace, settings: Settings) -> int:
    from domain.directory.changes import changed_languages
    from domain.directory.languages import directory_languages

    directory = read_directory(Path(args.file))
    problems = directory_languages(directory)  # as `directory language` checks them
    if problems:  # before anything is written
        raise InputError(problems)
    store = open_store(settings)
    before = store.languages_by_id([p.id for p in directory.participants])
    try:
        counts = store.load_directory(directory)
    except ValueError as exc:  # each problem by its code, for the operator's language
        raise InputError(each(exc.args[0] if exc.args else str(exc))) from exc
    loaded = [phrase("%(num)s %(what)s", num=n, what=phrase(LOADED.get(k, k)))
              for k, n in counts.items()]  # fmt: skip
    say("%(counts)s loaded", counts=", ".join(loaded))
    await tell_their_meetings(settings, store, changed_languages(before, directory.participants))
    return 0


async def cmd_directory_list(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    scope = getattr(args, "scope", None)  # a region's secretariat sees its own region
    regions = [r for r in store.regions() if scope is None or r.code == scope]
    countries = store.countries(scope)
    orgs = [o for o in store.organisations() if scope is None or o.region in (None, scope)]
    people = store.participants()
    if scope is not None:
        mine = {c.code for c in countries} | {o.code for o in orgs}
        people = [p for p in people if (p.country or p.organisation) in mine]
    if args.json:  # the shape of a directory file: `directory load` reads it back
        print_json(
            {
                "regions": regions,
                "countries": countries,
                "organisations": orgs,
                "participants": people,
            }
        )
        return 0
    for region in regions:
        say(
            "%(code)s  %(name)s (secretariat %(city)s, %(zone)s)",
            code=region.code,
            name=region.name,
            city=region.secretariat_city,
            zone=region.zone,
        )
        for c in countries:
            if c.region == region.code:
                print(f"  {c.code}  {c.name}")
    if orgs:
        say("Organisations:")
        for o in orgs:
            print(f"  {o.code:<10} {o.name}")
    say("Participants (%(count)s):", count=len(people))
    off = store.inactive()  # deactivated on the console: no sign-in, no new invitation
    for p in people:
        print(
            f"  {p.id:<16} {p.role.value:<11} {p.country or p.organisation:<9} "
            f"{','.join(p.languages):<9} {p.email:<36} {p.name}"
            + (phrase("  (deactivated)") if p.id in off else "")
        )
    return 0


async def cmd_directory_language(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm directory language PERSON uz,ru,en`: the person's languages, in their order."""
    from domain.common.i18n import written_in
    from domain.directory.changes import changed_languages
    from domain.directory.languages import read_languages
    from domain.directory.models import Directory, Participant
    from domain.directory.scope import not_the_regions

    languages, problems = read_languages(args.languages, field="languages")
    if problems:  # before anything is read or written
        raise InputError(problems)
    store = open_store(settings)
    person = next((p for p in store.participants() if p.id == args.person), None)
    scope = getattr(args, "scope", None)  # a region's secretariat: its own people only
    if person is not None and scope is not None:
        countries = {c.code for c in store.countries(scope)}
        person = None if not_the_regions(person, scope, countries) else person
    if person is None:
        raise InputError([Refusal("input.unknown_person", field="person",
                                  person=repr(args.person))])  # fmt: skip
    before = person.languages
    changed = Participant.model_validate(person.model_dump() | {"languages": languages})
    store.load_directory(Directory(participants=[changed]))
    store.append_audit(None, settings.cli_user, "cli", "directory.languages",
                       {"participant": person.id, "before": before,
                        "languages": changed.languages})  # fmt: skip
    say(
        "%(id)s: languages %(languages)s; mail in %(written)s",
        id=person.id,
        languages=", ".join(changed.languages),
        written=written_in(changed.languages),
    )
    await tell_their_meetings(settings, store, changed_languages({person.id: before}, [changed]))
    return 0


def register(directory: argparse.ArgumentParser) -> None:
    dsub = directory.add_subparsers(dest="action", required=True)
    add(dsub, "load", cmd_directory_load, N_("load a YAML/JSON directory file")).add_argument(
        "file"
    )
    listing = add(dsub, "list", cmd_directory_list, N_("regions, countries, organisations, people"))
    listing.add_argument("--json", action="store_true")
    language = add(
        dsub,
        "language",
        cmd_directory_language,
        N_("a person's languages in their order, e.g. uz,ru,en (en last by default)"),
    )
    language.add_argument("person", help=N_("participant id"))
    language.add_argument("languages", help=N_("language codes, first the preferred: uz,ru,en"))


PARSERS = {"directory": register}
