"""The words pages show for the engine's own values (a phase, an answer, an invitation's
state, a role), marked for the catalogue: the value stays the stable key in data, URLs and
forms, and the reader sees the word of their language."""

from __future__ import annotations

from enum import Enum

from domain.common import i18n
from domain.common.marks import N_

__all__ = ["TERMS", "term"]


TERMS: dict[str, str] = {
    # meeting phases
    "planned": N_("planned"),
    "scheduled": N_("scheduled"),
    "inviting": N_("inviting"),
    "registration": N_("registration"),
    "held": N_("held"),
    "follow_up": N_("follow-up"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
    # formats, answers and presence
    "in_person": N_("in person"),
    "in-person": N_("in person"),
    "online": N_("online"),
    "hybrid": N_("hybrid"),
    "tentative": N_("tentative"),
    "decline": N_("declined"),
    "none": N_("no answer"),
    "all": N_("all"),
    # invitations
    "pending": N_("pending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    # agenda items
    "standing": N_("standing"),
    "proposed": N_("proposed"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "opening": N_("opening"),
    "national-update": N_("national update"),
    "action-review": N_("action review"),
    "project-review": N_("project review"),
    "action-plan": N_("action plan"),
    "other": N_("other"),
    "aob": N_("any other business"),
    "closing": N_("closing"),
    # actions and their owners
    "open": N_("open"),
    "done": N_("done"),
    "overdue": N_("overdue"),
    "country": N_("country"),
    "organisation": N_("organisation"),
    "participant": N_("participant"),
    # roles
    "nfp": N_("National Focal Point"),
    "deputy_nfp": N_("deputy National Focal Point"),
    "expert": N_("expert"),
    "observer": N_("observer"),
    "secretariat": N_("secretariat"),
    "auditor": N_("auditor"),
    # channels
    "cli": N_("command line"),
    "link": N_("personal link"),
    "calendar-reply": N_("calendar reply"),
    "workflow": N_("engine"),
    "web": N_("console"),
    "smtp": N_("mail server"),  # what the relay answered of a message (the deliveries)
    # reminders
    "chaser": N_("chaser"),
    "pre-meeting": N_("pre-meeting"),
    "escalation": N_("escalation"),
    "agenda-deadline": N_("agenda deadline"),
    # a directory import's rows
    "add": N_("to add"),
    "change": N_("to change"),
    "same": N_("unchanged"),
    "refused": N_("refused"),
}


def term(value: object, lang: str) -> str:
    """The reader's word for an engine value (an enum or its value); other values as given."""
    key = value.value if isinstance(value, Enum) else str(value)
    found = TERMS.get(key)
    return i18n.gettext(lang, found) if found is not None else key
