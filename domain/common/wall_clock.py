"""Wall-clock times that a zone skips (spring forward) or repeats (fall back).

A meeting's times are venue wall-clock times. One in a gap has no instant at all, one in a
fold has two; Python, Thunderbird and Evolution then each pick a different one, and the
.ics and the mail disagree by an hour. Such a time is refused, naming it and the zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.common.refusals import Refusal


def _instant(local: datetime, zone: ZoneInfo, fold: int) -> datetime:
    return local.replace(tzinfo=zone, fold=fold).astimezone(UTC)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def gap(local: datetime, zone_name: str) -> tuple[datetime, datetime] | None:
    """(last wall time before, first after) the gap `local` falls in; None if it exists."""
    zone = ZoneInfo(zone_name)
    early, late = _instant(local, zone, 0), _instant(local, zone, 1)
    if _wall(early, zone) == local and _wall(late, zone) == local:
        return None
    # Inside a gap, fold=0 reads the time with the offset before the change and fold=1 with
    # the one after: the transition instant lies between the two readings.
    transition = min(early, late)
    while _wall(transition, zone) < local:  # step to the first instant after the jump
        transition += timedelta(minutes=1)
    after = _wall(transition, zone)
    before = _wall(transition - timedelta(minutes=1), zone)
    return before, after


def is_repeated(local: datetime, zone_name: str) -> bool:
    """True when `local` happens twice in the zone (a fold: the clocks went back)."""
    zone = ZoneInfo(zone_name)
    early, late = _instant(local, zone, 0), _instant(local, zone, 1)
    return early != late and _wall(early, zone) == local and _wall(late, zone) == local


def wall_clock_problem(field: str, local: datetime, zone_name: str) -> str | None:
    """Why `local` cannot be a meeting time in `zone_name`, or None."""
    shown = f"{local:%Y-%m-%d %H:%M}"
    skipped = gap(local, zone_name)
    if skipped is not None:
        before, after = skipped
        nearest = after if after - local <= local - before else before
        return Refusal(
            "time.gap",
            field=field,
            when=shown,
            zone=zone_name,
            skip_from=f"{before + timedelta(minutes=1):%H:%M}",
            skip_to=f"{after:%H:%M}",
            nearest=f"{nearest:%Y-%m-%d %H:%M}",
        )
    if is_repeated(local, zone_name):
        return Refusal("time.twice", field=field, when=shown, zone=zone_name)
    return None
