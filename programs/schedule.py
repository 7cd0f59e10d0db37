"""How dates and times read on the site: local time in Toronto, with the zone named."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

ZONE_LABEL = "ET"  # Eastern Time, whether standard or daylight


def _clock(moment: datetime, *, with_meridiem: bool = True) -> str:
    hour = moment.hour % 12 or 12
    text = f"{hour}:{moment.minute:02d}"
    if with_meridiem:
        text += " am" if moment.hour < 12 else " pm"
    return text


def time_range(starts_at: datetime, ends_at: datetime) -> str:
    """'7:00–9:30 pm', or '9:30 am–1:00 pm' when the range crosses noon."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    same_half = (start.hour < 12) == (end.hour < 12)
    return f"{_clock(start, with_meridiem=not same_half)}–{_clock(end)}"


def day(moment: datetime) -> str:
    """'Wed, Jan 7, 2026'."""
    local = timezone.localtime(moment)
    return f"{local:%a}, {local:%b} {local.day}, {local.year}"


def long_day(moment: datetime) -> str:
    """'Wednesday, January 7, 2026'."""
    local = timezone.localtime(moment)
    return f"{local:%A}, {local:%B} {local.day}, {local.year}"


def session_when(session) -> str:
    """'Wed, Jan 7, 2026, 7:00–9:30 pm ET'."""
    return (
        f"{day(session.starts_at)}, {time_range(session.starts_at, session.ends_at)} {ZONE_LABEL}"
    )


def schedule_summary(sessions: Sequence) -> str:
    """'Wednesdays, 7:00–9:30 pm ET, Jan 7 – Feb 25, 2026, plus a retreat on Sat, Feb 14'.

    The weekly pattern is the one most sessions follow; the others are named.
    """
    if not sessions:
        return "Dates to be announced"
    if len(sessions) == 1:
        return session_when(sessions[0])

    def pattern(session):
        start = timezone.localtime(session.starts_at)
        return (start.strftime("%A"), time_range(session.starts_at, session.ends_at))

    (weekday, times), count = Counter(pattern(s) for s in sessions).most_common(1)[0]
    regular = [s for s in sessions if pattern(s) == (weekday, times)]
    others = [s for s in sessions if pattern(s) != (weekday, times)]
    if count == 1:
        return f"{day(sessions[0].starts_at)} – {day(sessions[-1].starts_at)}"
    first, last = (
        timezone.localtime(regular[0].starts_at),
        timezone.localtime(regular[-1].starts_at),
    )
    span = f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"
    text = f"{weekday}s, {times} {ZONE_LABEL}, {span}"
    # A session moved off the weekly pattern leaves its week without a regular one:
    # "plus" would read as an extra meeting and suggest the old date still holds.
    regular_weeks = {_week(s) for s in regular}
    for other in others:
        moved = _week(regular[0]) < _week(other) < _week(regular[-1]) and (
            _week(other) not in regular_weeks
        )
        joiner = "except" if moved else "plus"
        text += f", {joiner} {other.title} on {session_when(other)}"
    return text


def _week(session) -> tuple[int, int]:
    """The ISO year and week of a session's local start."""
    year, week, _ = timezone.localtime(session.starts_at).isocalendar()
    return (year, week)
