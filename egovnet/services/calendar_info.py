"""Calendar look-ups for the command line."""

from __future__ import annotations

import datetime as dt

from egovnet.calendar import WorkCalendar


def due(settings, start: dt.date, n: int) -> dict:
    cal = WorkCalendar.from_policy(settings.policy())
    return cal.add_working_days(start, n).as_dict()


def day_info(settings, day: dt.date) -> dict:
    import holidays

    cal = WorkCalendar.from_policy(settings.policy())
    name = holidays.country_holidays("CN", years=day.year).get(day)
    return {"date": day.isoformat(), "weekday": day.strftime("%A"), "working_day": cal.is_working_day(day),
            "holiday": name, "published": cal.is_published(day.year)}
