"""Every command and read of the secretariat and the participants, in one namespace.

Every interface (CLI, web app, inbound mail) goes through these, so all of them get the
same refusals and leave the same audit trail. Each lives in its feature's module; a door
that needs one feature only (the CLI's reads, see `queries`) may import that module alone.
"""

from __future__ import annotations

from starter.client.agenda import decide_item, propose_item, publish_agenda
from starter.client.attendance import check_in, join_online
from starter.client.followup import mark_action_done, record_minutes
from starter.client.meeting import cancel, plan, reschedule, resend, schedule
from starter.client.queries import (
    MeetingListing,
    action_status,
    agenda,
    all_participants,
    attendance,
    full_status,
    list_meetings,
    participant,
    status,
)
from starter.client.refusals import CommandRefused, NoSuchAction, NoSuchMeeting, refused_detail
from starter.client.registration import confirm_reply, discard_reply, hold_reply, remind, rsvp
from starter.client.updates import REPLY_WINDOW

__all__ = [
    "REPLY_WINDOW",
    "CommandRefused",
    "MeetingListing",
    "NoSuchAction",
    "NoSuchMeeting",
    "action_status",
    "agenda",
    "all_participants",
    "attendance",
    "cancel",
    "check_in",
    "confirm_reply",
    "decide_item",
    "discard_reply",
    "full_status",
    "hold_reply",
    "join_online",
    "list_meetings",
    "mark_action_done",
    "participant",
    "plan",
    "propose_item",
    "publish_agenda",
    "record_minutes",
    "refused_detail",
    "remind",
    "reschedule",
    "resend",
    "rsvp",
    "schedule",
    "status",
]
