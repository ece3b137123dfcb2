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
