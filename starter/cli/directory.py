"""`rtm directory load FILE | list`: the participant directory."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from starter.cli.common import add, open_store
from starter.cli.errors import InputError
from starter.cli.inputs import read_directory

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_directory_load(args: argparse.Namespace, settings: Settings) -> int:
    directory = read_directory(Path(args.file))
    store = open_store(settings)
    try:
        counts = store.load_directory(directory)
    except ValueError as exc:
        raise InputError(str(exc).split("; ")) from exc
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + " loaded")
    return 0


async def cmd_directory_list(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    scope = getattr(args, "scope", None)  # a region's secretariat sees its own region
    for region in store.regions():
        if scope is not None and region.code != scope:
            continue
        print(
            f"{region.code}  {region.name} (secretariat {region.secretariat_city}, {region.zone})"
        )
        for c in store.countries(region.code):
            print(f"  {c.code}  {c.name}")
    orgs = [o for o in store.organisations() if scope is None or o.region in (None, scope)]
    if orgs:
        print("Organisations:")
        for o in orgs:
            print(f"  {o.code:<10} {o.name}")
    people = store.participants()
    if scope is not None:
        mine = {c.code for c in store.countries(scope)}
        mine |= {o.code for o in orgs}
        people = [p for p in people if (p.country or p.organisation) in mine]
    print(f"Participants ({len(people)}):")
    for p in people:
        print(
            f"  {p.id:<16} {p.role.value:<11} {p.country or p.organisation:<9} "
            f"{p.email:<36} {p.name}"
        )
    return 0


def register(directory: argparse.ArgumentParser) -> None:
    dsub = directory.add_subparsers(dest="action", required=True)
    add(dsub, "load", cmd_directory_load, "load a YAML/JSON directory file").add_argument("file")
    add(dsub, "list", cmd_directory_list, "list regions, countries, organisations, people")


PARSERS = {"directory": register}
