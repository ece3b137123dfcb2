import pytest

from conftest import fails, ok, run


@pytest.mark.parametrize("start,n,due,weekday", [
    ("2026-09-28", 5, "2026-10-10", "Saturday"),   # the 10-10 调休 make-up Saturday counts
    ("2026-09-30", 15, "2026-10-27", "Tuesday"),   # across National Day
    ("2026-02-12", 5, "2026-02-26", "Thursday"),   # across Spring Festival, 02-14 调休 Saturday
    ("2026-02-13", 1, "2026-02-14", "Saturday"),   # a make-up Saturday is the next working day
    ("2026-09-25", 1, "2026-09-28", "Monday"),     # Mid-Autumn Friday off, ordinary weekend
    ("2026-09-19", 1, "2026-09-20", "Sunday"),     # 09-20 is a 调休 Sunday
    ("2025-12-26", 3, "2025-12-31", "Wednesday"),  # year end inside a published year
    ("2026-04-30", 2, "2026-05-07", "Thursday"),   # Labour Day 05-01..05-05, 05-09 make-up
    ("2026-10-09", 0, "2026-10-09", "Friday"),
])
def test_due(start, n, due, weekday):
    r = ok("calendar", "due", start, str(n), "--json")
    assert r.json() == {"start": start, "working_days": n, "due": due, "weekday": weekday,
                        "provisional": False, "unknown_years": []}
    assert r.err == ""
    assert ok("calendar", "due", start, str(n)).out == f"{due} ({weekday})\n"


def test_unpublished_year_is_provisional_with_a_warning():
    r = ok("calendar", "due", "2026-12-28", "5", "--json")
    assert r.json()["provisional"] is True
    assert r.json()["unknown_years"] == [2027]
    assert r.err.startswith("Warning: provisional: the official holiday schedule for 2027")


def test_policy_override_publishes_a_year(tmp_path):
    from conftest import REPO

    text = (REPO / "policies.yaml").read_text(encoding="utf-8")
    text = text.replace("  extra_holidays: []\n  extra_workdays: []",
                        "  extra_holidays: [2027-01-04]\n  extra_workdays: [2027-01-09]")
    (tmp_path / "policies.yaml").write_text(text, encoding="utf-8")
    r = ok("calendar", "due", "2026-12-31", "3", "--json")
    # 01-01 holiday, 01-04 extra holiday, 01-05, 01-06, 01-07
    assert r.json() == {"start": "2026-12-31", "working_days": 3, "due": "2027-01-07", "weekday": "Thursday",
                        "provisional": False, "unknown_years": []}
    assert ok("calendar", "check", "2027-01-09", "--json").json()["working_day"] is True


@pytest.mark.parametrize("day,working,holiday", [
    ("2026-10-10", True, None), ("2026-10-01", False, "National Day"), ("2026-10-11", False, None),
    ("2026-10-08", True, None),
])
def test_check(day, working, holiday):
    info = ok("calendar", "check", day, "--json").json()
    assert (info["working_day"], info["holiday"]) == (working, holiday)


@pytest.mark.parametrize("bad", ["2026-13-01", "28/09/2026", "yesterday", "2026-02-30"])
def test_bad_dates_are_usage_errors(bad):
    r = fails(2, "calendar", "due", bad, "5")
    assert f"DATE {bad!r} is not a date; write it as YYYY-MM-DD" in r.err


def test_bad_today_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("EGOVNET_TODAY", "2026/09/28")
    r = run("calendar", "due", "2026-09-28", "1")
    assert r.code == 2 and r.err.startswith("Error: EGOVNET_TODAY / --today '2026/09/28' is not a date")


# ---- the arithmetic count equals the day-by-day definition ------------------------------------------------------

def _walk(cal, start, end):
    """working_days_between by its definition: each day after start up to end, one by one."""
    import datetime as dt

    if end == start:
        return 0
    sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
    count, day = 0, lo
    while day < hi:
        day += dt.timedelta(days=1)
        count += cal.is_working_day(day)
    return sign * count


def _calendars():
    import datetime as dt

    from egovnet.calendar import WorkCalendar

    d = dt.date
    return [WorkCalendar(),
            # overrides: a weekday off, a make-up Saturday, a Saturday made a holiday, a published holiday worked
            WorkCalendar(extra_holidays=[d(2027, 1, 4), d(2026, 10, 10), d(2028, 3, 6)],
                         extra_workdays=[d(2027, 1, 9), d(2026, 10, 1), d(2028, 3, 11)])]


def _edges():
    """调休 Saturdays and Sundays, National Day and Spring Festival weeks, year ends, 2024-2028."""
    import datetime as dt

    d = dt.date
    days = [d(2024, 2, 4), d(2024, 2, 18), d(2024, 9, 29), d(2024, 10, 12), d(2025, 1, 26), d(2025, 2, 8),
            d(2025, 9, 28), d(2025, 10, 11), d(2026, 2, 14), d(2026, 9, 20), d(2026, 10, 10), d(2026, 5, 9)]
    for year in range(2024, 2029):
        days += [d(year, 10, 1) + dt.timedelta(days=k) for k in range(-3, 11)]
        days += [d(year, 12, 31) + dt.timedelta(days=k) for k in range(-4, 6)]
        days += [d(year, 1, 20) + dt.timedelta(days=k) for k in range(0, 30, 3)]
    return sorted(set(days))


def test_working_days_between_equals_the_day_by_day_count():
    import datetime as dt
    import random

    edges = _edges()
    rng = random.Random(11)
    pairs = [(a, b) for a in edges[::3] for b in edges[::4]]
    first = dt.date(2023, 11, 1)
    for _ in range(1500):
        a = first + dt.timedelta(days=rng.randrange(5 * 366))
        pairs.append((a, a + dt.timedelta(days=rng.randrange(-200, 200))))
    for cal in _calendars():
        wrong = [(a, b) for a, b in pairs if cal.working_days_between(a, b) != _walk(cal, a, b)]
        assert wrong == []
        assert [cal.days_left(a, b) for a, b in pairs[:300]] == [
            _walk(cal, a, b) if b >= a else -_walk(cal, b, a) for a, b in pairs[:300]]


def test_add_working_days_lands_where_the_count_says():
    import datetime as dt

    for cal in _calendars():
        for start in _edges()[::2]:
            for n in (1, 3, 5, 10, 15, 45):
                due = cal.add_working_days(start, n).due
                assert _walk(cal, start, due) == n == cal.working_days_between(start, due)
                assert cal.is_working_day(due)
                assert cal.working_days_between(start, due - dt.timedelta(days=1)) == n - 1
