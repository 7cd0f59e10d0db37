"""How dates and times read on the site: local time in Toronto, with the zone named, in
the reader's language (through omwellness.formatting).

    English: Wednesdays, 7:00–9:30 pm ET, Jan 7 – Feb 25, 2026
    French:  les mercredis, 19 h 00 à 21 h 30 HE, du 7 janv. au 25 févr. 2026
"""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from omwellness import formatting


def zone_label() -> str:
    """Eastern Time, whether standard or daylight: "ET" / "HE"."""
    return pgettext("time zone, abbreviated", "ET")


def time_range(starts_at: datetime, ends_at: datetime) -> str:
    """'7:00–9:30 pm', or '9:30 am–1:00 pm' when the range crosses noon; '19 h 00 à 21 h 30'."""
    if formatting.is_french():
        return f"{formatting.time_of_day(starts_at)} à {formatting.time_of_day(ends_at)}"
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    same_half = (start.hour < 12) == (end.hour < 12)
    first = formatting.time_of_day(starts_at, with_meridiem=not same_half)
    return f"{first}–{formatting.time_of_day(ends_at)}"


def day(moment: datetime) -> str:
    """'Wed, Jan 7, 2026' / 'mer. 7 janv. 2026'."""
    return formatting.day(moment)


def long_day(moment: datetime) -> str:
    """'Wednesday, January 7, 2026' / 'mercredi 7 janvier 2026'."""
    return formatting.long_date(moment)


def session_when(session) -> str:
    """'Wed, Jan 7, 2026, 7:00–9:30 pm ET' / 'mer. 7 janv. 2026, 19 h 00 à 21 h 30 HE'."""
    return (
        f"{day(session.starts_at)}, {time_range(session.starts_at, session.ends_at)} {zone_label()}"
    )


def _weekday(moment: datetime) -> str:
    """The full name of the local weekday: 'Wednesday' / 'mercredi'."""
    return formatting.with_pattern(moment, "EEEE")


def _day_and_month(moment: datetime) -> str:
    """'Jan 7' / '7 janv.' ('1er avr.' for the first of a month in French)."""
    return formatting.with_pattern(moment, "d\u00a0MMM" if formatting.is_french() else "MMM d")


def _span(first: datetime, last: datetime) -> str:
    """'Jan 7 – Feb 25, 2026' / 'du 7 janv. au 25 févr. 2026' (with both years in French
    when they differ)."""
    last_local = timezone.localtime(last)
    if formatting.is_french():
        start = _day_and_month(first)
        if timezone.localtime(first).year != last_local.year:
            start += f" {timezone.localtime(first).year}"
        return f"du {start} au {_day_and_month(last)} {last_local.year}"
    return f"{_day_and_month(first)} – {_day_and_month(last)}, {last_local.year}"


def _weekly(weekday: str, times: str, span: str) -> str:
    if formatting.is_french():
        # Every French weekday takes an s in the plural: les mercredis, les dimanches.
        return f"les {weekday}s, {times} {zone_label()}, {span}"
    return f"{weekday}s, {times} {zone_label()}, {span}"


def _other_session(session, *, moved: bool) -> str:
    when = session_when(session)
    if formatting.is_french():
        if moved:
            return f"sauf la séance «\u00a0{session.title}\u00a0», déplacée au {when}"
        return f"plus la séance «\u00a0{session.title}\u00a0» le {when}"
    return f"{'except' if moved else 'plus'} {session.title} on {when}"


def schedule_summary(sessions: Sequence) -> str:
    """'Wednesdays, 7:00–9:30 pm ET, Jan 7 – Feb 25, 2026, plus a retreat on Sat, Feb 14'.

    The weekly pattern is the one most sessions follow; the others are named.
    """
    if not sessions:
        return _("Dates to be announced")
    if len(sessions) == 1:
        return session_when(sessions[0])

    def pattern(session):
        return (_weekday(session.starts_at), time_range(session.starts_at, session.ends_at))

    (weekday, times), count = Counter(pattern(s) for s in sessions).most_common(1)[0]
    regular = [s for s in sessions if pattern(s) == (weekday, times)]
    others = [s for s in sessions if pattern(s) != (weekday, times)]
    if count == 1:
        first_day, last_day = day(sessions[0].starts_at), day(sessions[-1].starts_at)
        if formatting.is_french():
            return f"du {first_day} au {last_day}"
        return f"{first_day} – {last_day}"
    text = _weekly(weekday, times, _span(regular[0].starts_at, regular[-1].starts_at))
    # A session moved off the weekly pattern leaves its week without a regular one:
    # "plus" would read as an extra meeting and suggest the old date still holds.
    regular_weeks = {_week(s) for s in regular}
    for other in others:
        moved = _week(regular[0]) < _week(other) < _week(regular[-1]) and (
            _week(other) not in regular_weeks
        )
        text += f", {_other_session(other, moved=moved)}"
    return text


def _week(session) -> tuple[int, int]:
    """The ISO year and week of a session's local start."""
    year, week, _ = timezone.localtime(session.starts_at).isocalendar()
    return (year, week)
