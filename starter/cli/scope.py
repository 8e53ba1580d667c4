"""Who RTM_USER is, and which region they may see and manage.

A regional secretariat's staff (a directory participant with the secretariat role whose
organisation names a region) see and manage that region only; the coordination's staff
see every region; an auditor reads every region and changes nothing. A name the directory
does not know is the installation's operator, who
runs the engine and sees everything (the default `secretariat`); any other directory
person (an NFP, an observer) has no business in the operator's CLI.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.common.refusals import Refusal
from starter.cli.errors import InputError

if TYPE_CHECKING:
    from activities.config import Settings
    from activities.store import Store

UNSCOPED = {"dev", "demo", "worker", "web", "inbound", "health", "mail", "smtp", "db"}
"""Commands of the operator's machine and its services, not of a region."""
LISTINGS = {
    ("meeting", "list"),
    ("actions", "list"),
    ("ideas", "list"),
    ("tracker", None),
    ("history", "list"),
}
"""Reads that take `--region` and default to the user's region."""
READS = {
    *LISTINGS,
    ("meeting", "status"),
    ("directory", "list"),
    ("agenda", "show"),
    ("attendance", "show"),
    ("audit", None),
    ("report", None),
    ("register", None),
    ("participants", None),
    ("charts", None),
}
"""What an auditor may run: they read every region and change nothing."""


def region_of_user(settings: Settings, store: Store) -> str | None:
    """The one region RTM_USER manages, or None when they may see every region."""
    from domain.directory.models import Role

    user = settings.cli_user.lower()
    person = next(
        (p for p in store.participants() if user in (p.id.lower(), p.email.lower())), None
    )
    if person is None:
        return None
    if person.role is Role.AUDITOR:
        return None
    if person.role is not Role.SECRETARIAT:
        raise InputError([Refusal("scope.not_staff", variable="RTM_USER", user=settings.cli_user)])
    organisation = next((o for o in store.organisations() if o.code == person.organisation), None)
    region = store.region(organisation.region) if organisation and organisation.region else None
    if region is None:
        raise InputError([Refusal("scope.no_region", variable="RTM_USER", user=settings.cli_user)])
    return None if region.coordination else region.code


def scope_refusal(settings: Settings, field: str, region: str) -> Refusal:
    """A region's secretariat asked for another region."""
    return Refusal("scope.region", field=field, user=settings.cli_user, region=region)


def enforce(args: argparse.Namespace, settings: Settings) -> None:
    """Before any command runs: narrow listings to the user's region, refuse the rest."""
    if args.command in UNSCOPED or "cli_user" not in settings.model_fields_set:
        return  # RTM_USER unset: the installation's operator, who sees every region
    from starter.cli.common import open_store

    store = open_store(settings)
    own = region_of_user(settings, store)
    if own is None:
        if _is_auditor(settings, store) and _command(args) not in READS:
            auditor = Refusal("scope.auditor", variable="RTM_USER", user=settings.cli_user)
            raise InputError([auditor])
        return
    if args.command == "directory" and args.action == "load":
        raise InputError([Refusal("scope.directory", field="directory", user=settings.cli_user)])
    listing = _command(args) in LISTINGS
    if listing and getattr(args, "region", None) is None:
        args.region = own
    if getattr(args, "region", None) not in (None, own):
        raise InputError([scope_refusal(settings, "region", own)])
    meeting = _meeting_argument(args)
    if meeting is not None and store.meeting_region(meeting) != own:
        problem = Refusal("scope.meeting", field="meeting", meeting=repr(meeting), region=own)
        raise InputError([problem])
    args.scope = own


def _command(args: argparse.Namespace) -> tuple[str, str | None]:
    action = getattr(args, "action", None)
    return args.command, action if args.command not in ("audit", "feed") else None


def _is_auditor(settings: Settings, store: Store) -> bool:
    user = settings.cli_user.lower()
    return any(
        p.role.value == "auditor" and user in (p.id.lower(), p.email.lower())
        for p in store.participants()
    )


def _meeting_argument(args: argparse.Namespace) -> str | None:
    if args.command == "meeting":
        return getattr(args, "id", None)
    if args.command == "audit":
        words = [w for w in args.words if w != "export"]
        return words[0] if words else None
    meeting = getattr(args, "meeting", None)
    return meeting if isinstance(meeting, str) else None
