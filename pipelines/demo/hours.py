"""Clock helpers: Europe/Rome time, operators' working hours, when customers write.

Europe/Rome follows the EU rule (CEST from the last Sunday of March 01:00 UTC to the
last Sunday of October 01:00 UTC), computed here so the generator needs no tz database.
"""

from __future__ import annotations

import calendar
import math
import random
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

HOUR = 3600
DAY = 86400

# Monday to Friday 09:00-13:00 and 14:00-18:00, the default inbox schedule.
WORKING_RANGES: tuple[tuple[int, int], ...] = ((9 * HOUR, 13 * HOUR), (14 * HOUR, 18 * HOUR))

# How busy WhatsApp is in Italy by local hour (relative weights, customers writing).
CUSTOMER_HOUR_WEIGHTS: tuple[float, ...] = (
    0.4, 0.15, 0.05, 0.03, 0.03, 0.05, 0.3, 1.2, 2.6, 3.6, 3.6, 3.4,
    3.2, 3.6, 3.0, 3.0, 3.1, 3.5, 4.0, 3.8, 3.6, 3.9, 2.6, 1.2,
)  # fmt: skip
_CUM_HOURS = [sum(CUSTOMER_HOUR_WEIGHTS[: i + 1]) for i in range(24)]


def _last_sunday(year: int, month: int) -> int:
    last_day = calendar.monthrange(year, month)[1]
    weekday = date(year, month, last_day).weekday()
    return last_day - ((weekday - 6) % 7)


@lru_cache(maxsize=64)
def _summer_bounds(year: int) -> tuple[int, int]:
    start = calendar.timegm((year, 3, _last_sunday(year, 3), 1, 0, 0))
    end = calendar.timegm((year, 10, _last_sunday(year, 10), 1, 0, 0))
    return start, end


def rome_offset(ts: int) -> int:
    """Seconds east of UTC in Europe/Rome at the instant `ts`."""
    # An approximate year is enough: it can only be wrong around New Year, far from DST.
    start, end = _summer_bounds(1970 + ts // 31_556_952)
    return 2 * HOUR if start <= ts < end else HOUR


@lru_cache(maxsize=8192)
def utc_day(day_number: int) -> str:
    """YYYY-MM-DD of the UTC day `ts // 86400`."""
    return datetime.fromtimestamp(day_number * DAY, UTC).strftime("%Y-%m-%d")


def local(ts: int) -> datetime:
    """Naive wall-clock time in Rome."""
    return datetime.fromtimestamp(ts + rome_offset(ts), UTC).replace(tzinfo=None)


def from_local(moment: datetime) -> int:
    """UTC seconds for a naive Rome wall-clock time."""
    naive = calendar.timegm(moment.timetuple())
    return naive - rome_offset(naive - HOUR)


def local_day_start(day: date) -> int:
    return from_local(datetime(day.year, day.month, day.day))


def _clock(seconds_of_day: int) -> str:
    hours, rest = divmod(seconds_of_day, HOUR)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def iso_rome(ts: int) -> str:
    """ISO 8601 with the Rome offset, the way Shopify writes times for an Italian shop."""
    offset = rome_offset(ts)
    wall = ts + offset
    return f"{utc_day(wall // DAY)}T{_clock(wall % DAY)}+{offset // HOUR:02d}:00"


def iso_utc_ms(ts_ms: int) -> str:
    """ISO 8601 UTC with milliseconds, the way Rails serialises Chatwoot times."""
    seconds, millis = divmod(ts_ms, 1000)
    return f"{utc_day(seconds // DAY)}T{_clock(seconds % DAY)}.{millis:03d}Z"


def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=16)
def italian_holidays(year: int) -> frozenset[date]:
    fixed = [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)]
    days = {date(year, month, day) for month, day in fixed}
    days.add(_easter(year) + timedelta(days=1))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in italian_holidays(day.year)


@lru_cache(maxsize=4096)
def _periods(day: date) -> tuple[tuple[int, int], ...]:
    """The day's working periods as UTC instants (rebased on the wall clock, DST-safe)."""
    if not is_working_day(day):
        return ()
    midnight = datetime(day.year, day.month, day.day)
    return tuple(
        (from_local(midnight + timedelta(seconds=a)), from_local(midnight + timedelta(seconds=b)))
        for a, b in WORKING_RANGES
    )


def next_open(ts: int) -> int:
    """`ts` if operators are at work then, else the start of the next working period."""
    day = local(ts).date()
    for _ in range(20):
        for start, end in _periods(day):
            if ts < end:
                return max(ts, start)
        day += timedelta(days=1)
    return ts


def add_working(ts: int, seconds: int) -> int:
    """The instant `seconds` of working time after `ts` (counting only working hours)."""
    moment = next_open(ts)
    left = seconds
    day = local(moment).date()
    for _ in range(60):
        for start, end in _periods(day):
            if moment >= end:
                continue
            begin = max(moment, start)
            if begin + left <= end:
                return begin + left
            left -= end - begin
            moment = end
        day += timedelta(days=1)
    return moment + left


def quarter(ts: int) -> int:
    """The next quarter hour at or after `ts` (appointments start on the quarter)."""
    return ts + (-ts) % 900


def is_open(ts: int) -> bool:
    return next_open(ts) == ts


def customer_moment(rng: random.Random, day: date, night_owl: bool = False) -> int:
    """A plausible instant for a customer to write on `day` (Rome), as UTC seconds."""
    if night_owl:
        hour = rng.choice((0, 1, 2, 5, 6, 7, 22, 23))
    else:
        pick = rng.random() * _CUM_HOURS[-1]
        hour = next(h for h, cum in enumerate(_CUM_HOURS) if pick <= cum)
    second = hour * HOUR + rng.randrange(HOUR)
    return from_local(datetime(day.year, day.month, day.day) + timedelta(seconds=second))


def lognormal_seconds(rng: random.Random, median: float, sigma: float, cap: float) -> int:
    return int(min(cap, median * math.exp(rng.gauss(0.0, sigma))))


def customer_delay(rng: random.Random, after: int, median: float = 240.0) -> int:
    """When a customer answers a message sent at `after`: minutes, sometimes hours; not at night."""
    delay = max(20, lognormal_seconds(rng, median, 1.4, 2 * DAY))
    moment = after + delay
    hour = local(moment).hour
    if hour < 7:
        wake = local(moment).replace(hour=7, minute=0, second=0) + timedelta(
            seconds=rng.randrange(2 * HOUR)
        )
        moment = from_local(wake)
    return moment
