"""Official Chinese working days (工作日) on top of `holidays` (CN), with 调休 make-up workdays.

A day is a working day when it is a make-up workday (调休上班), or it is Monday-Friday and not a
public holiday or a substituted day off. The policy may add holidays and workdays for years the
`holidays` package has not published yet; a result that depends on a year nobody has published is
``provisional``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from egovnet.errors import UsageError

ONE_DAY = dt.timedelta(days=1)

# The dates egovnet works with. The regulation dates from 2023, 等级保护 (MLPS) assessments from 2007 and the
# extranet itself from the early 2000s; `holidays` publishes the CN calendar up to 2100. A typed date outside
# 2000-2099 is a typo, and refusing it where it is parsed keeps every sum (deadlines of at most 1,000 working
# days, MLPS validity in months, idle closure) inside the calendar: Python's dates end at 9999-12-31, the
# published schedules long before. Arithmetic may reach a few years past either end, never further.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
_SLACK = dt.timedelta(days=3660)  # results of arithmetic on in-range dates stay within ten years of the range


def check_in_range(day: dt.date, what: str = "date") -> dt.date:
    """Refuse a date outside FIRST_DAY..LAST_DAY with one line naming it (exit 2, like a malformed date)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(f"{what} {day.isoformat()} is outside the dates egovnet works with "
                         f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}); check the year")
    return day


def _check_arithmetic(*days: dt.date) -> None:
    for day in days:
        if not FIRST_DAY - _SLACK <= day <= LAST_DAY + _SLACK:
            raise UsageError(f"date {day.isoformat()} is outside the working-day calendar "
                             f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}); check the year")


@dataclass(frozen=True)
class Due:
    start: dt.date
    days: int
    due: dt.date
    provisional: bool
    unknown_years: tuple[int, ...]

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "working_days": self.days,
            "due": self.due.isoformat(),
            "weekday": self.due.strftime("%A"),
            "provisional": self.provisional,
            "unknown_years": list(self.unknown_years),
        }


class WorkCalendar:
    def __init__(self, extra_holidays=(), extra_workdays=()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._override_years = frozenset(d.year for d in self.extra_holidays | self.extra_workdays)
        self._exception_cache: dict[int, tuple[list[dt.date], list[int]]] = {}
        self._between_cache: dict[tuple[dt.date, dt.date], int] = {}

    @classmethod
    def from_policy(cls, policy) -> "WorkCalendar":
        return cls(policy.calendar.extra_holidays, policy.calendar.extra_workdays)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        holidays_, workdays = _year(day.year)
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in holidays_

    def is_published(self, year: int) -> bool:
        """True when the State Council schedule (or a policy override) for ``year`` is known."""
        return year in self._override_years or _published(year)

    def add_working_days(self, start: dt.date, n: int) -> Due:
        """The n-th working day after ``start`` (start itself never counts)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        _check_arithmetic(start)
        day, count = start, 0
        while count < n:
            day += ONE_DAY
            _check_arithmetic(day)
            if self.is_working_day(day):
                count += 1
        years = range(start.year, day.year + 1) if n else ()
        unknown = tuple(y for y in years if not self.is_published(y))
        return Due(start, n, day, bool(unknown), unknown)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

        Arithmetic, not a walk: the Monday-Friday days of the span by formula, corrected by each year's
        exceptions (a holiday on a weekday, a 调休 weekend workday, a policy override) that fall inside it.
        tests/test_calendar.py compares it with the day-by-day definition (is_working_day) over several years.
        """
        if end == start:
            return 0
        known = self._between_cache.get((start, end))
        if known is not None:  # a list of thousands of rows asks for the same few spans again and again
            return known
        _check_arithmetic(start, end)
        sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
        count = _weekdays_through(hi) - _weekdays_through(lo)
        for year in range(lo.year, hi.year + 1):
            days, deltas = self._exceptions(year)
            # exceptions in (lo, hi]
            count += sum(deltas[bisect_right(days, lo):bisect_right(days, hi)])
        if len(self._between_cache) > 65536:
            self._between_cache.clear()
        self._between_cache[(start, end)] = sign * count
        return sign * count

    def _exceptions(self, year: int) -> tuple[list[dt.date], list[int]]:
        """The days of ``year`` whose status differs from Monday-Friday: +1 a weekend workday, -1 a weekday off."""
        cached = self._exception_cache.get(year)
        if cached is None:
            holidays_, workdays = _year(year)
            candidates = sorted(d for d in holidays_ | workdays | self.extra_holidays | self.extra_workdays
                                if d.year == year)
            found = [(d, int(self.is_working_day(d)) - int(d.weekday() < 5)) for d in candidates]
            found = [(d, delta) for d, delta in found if delta]
            cached = self._exception_cache[year] = ([d for d, _ in found], [delta for _, delta in found])
        return cached

    def add_working_minutes(self, start: dt.datetime, minutes: int, opens: dt.time, closes: dt.time) -> dt.datetime:
        """The moment ``minutes`` of working time after ``start``: only between ``opens`` and ``closes`` on working
        days count (a fault reported at night or on a holiday starts its clock at the next opening)."""
        if minutes < 0:
            raise ValueError("minutes must be >= 0")
        t, left = start, minutes
        while True:
            day = t.date()
            _check_arithmetic(day)
            if self.is_working_day(day):
                o, c = dt.datetime.combine(day, opens, t.tzinfo), dt.datetime.combine(day, closes, t.tzinfo)
                t = max(t, o)
                if t < c:
                    avail = int((c - t).total_seconds() // 60)
                    if left <= avail:
                        return t + dt.timedelta(minutes=left)
                    left -= avail
            t = dt.datetime.combine(day + ONE_DAY, dt.time(), t.tzinfo)

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime, opens: dt.time, closes: dt.time) -> int:
        """Working minutes (``opens``-``closes`` on working days) from ``start`` to ``end``; negative when ``end``
        is earlier."""
        if end < start:
            return -self.working_minutes_between(end, start, opens, closes)
        total, day = 0, start.date()
        _check_arithmetic(day, end.date())
        while day <= end.date():
            if self.is_working_day(day):
                o = max(start, dt.datetime.combine(day, opens, start.tzinfo))
                c = min(end, dt.datetime.combine(day, closes, start.tzinfo))
                if c > o:
                    total += int((c - o).total_seconds() // 60)
            day += ONE_DAY
        return total

    def days_left(self, today: dt.date, due: dt.date) -> int:
        """Working days from today to the due date: 0 on the day, negative once overdue."""
        if due >= today:
            return self.working_days_between(today, due)
        return -self.working_days_between(due, today)


def _weekdays_through(day: dt.date) -> int:
    """Monday-Friday days from 0001-01-01 (a Monday) through ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


# Each year's table from `holidays` (CN) is kept in $XDG_CACHE_HOME/egovnet/calendar/ (~/.cache without it, beside
# the compiled message catalog) once computed: importing `holidays` and computing China's lunar holidays costs
# about 0.05 s of CPU a year, more than a whole list of 20,000 rows spends on its working days. The file is named
# and keyed by the installed `holidays` release (a new release is computed afresh), written atomically, and only
# ever a cache: unreadable or unwritable, it is ignored and the tables are computed as before.
_cache: tuple[Path, dict] | None = None


@lru_cache(maxsize=1)
def _holidays_version() -> str | None:
    """The installed `holidays` release, read from its distribution's metadata folder without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.origin:
        return None
    for info in Path(spec.origin).parent.parent.glob("holidays-*.dist-info"):
        return info.name[len("holidays-"):-len(".dist-info")]
    return None


def cache_file() -> Path | None:
    version = _holidays_version()
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError):  # no home directory to be found
        return None
    return Path(base) / "egovnet" / "calendar" / f"holidays-{version}.json" if version else None


def _cached() -> dict:
    global _cache
    path = cache_file()
    if path is None:
        return {}
    if _cache is None or _cache[0] != path:
        years: dict = {}
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored.get("holidays") == _holidays_version() and isinstance(stored.get("years"), dict):
                years = stored["years"]
        except (OSError, ValueError, AttributeError):
            pass
        _cache = (path, years)
    return _cache[1]


def _store(year: int, entry: dict) -> None:
    years = _cached()
    path = cache_file()
    if path is None:
        return
    years[str(year)] = entry
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"holidays": _holidays_version(), "years": years}, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, path)  # two processes at once: each writes its own file, the last rename wins
    except OSError:   # a read-only or missing cache folder: the tables stay in memory
        try:
            tmp.unlink()
        except OSError:
            pass


@lru_cache(maxsize=64)
def _table(year: int) -> tuple[frozenset, frozenset, bool]:
    """A year's public holidays and days off, its 调休 workdays, and whether its schedule is published."""
    entry = _cached().get(str(year))
    try:
        return (frozenset(map(dt.date.fromisoformat, entry["off"])),
                frozenset(map(dt.date.fromisoformat, entry["work"])), bool(entry["published"]))
    except (TypeError, KeyError, ValueError):
        pass
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    cn = holidays.country_holidays("CN", years=year)
    off = frozenset(cn.keys())
    work = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
    published = year in getattr(ChinaStaticHolidays, "special_public_holidays", {}) or bool(work)
    _store(year, {"off": sorted(d.isoformat() for d in off), "work": sorted(d.isoformat() for d in work),
                  "published": published})
    return off, work, published


def _year(year: int) -> tuple[frozenset, frozenset]:
    off, work, _published_ = _table(year)
    return off, work


def _published(year: int) -> bool:
    return _table(year)[2]
