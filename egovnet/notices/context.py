"""What a notice template may say: plain, JSON-safe values, dates as ISO strings, names not codes. Pure."""

from __future__ import annotations

import datetime as dt

KIND_ARTICLES = {"approval": 12, "rejection": 12, "change_approval": 18, "change_rejection": 18,
                 "idle_warning": 15, "idle_closure": 15, "decommission": 18,
                 "disconnect": 23, "reconnect": 23, "criticism": 26, "annual_report": 24}
KIND_LABELS = {"approval": "接入批准", "rejection": "接入不予批准", "change_approval": "资源调整批准",
               "change_rejection": "资源调整不予批准", "idle_warning": "关闭链路提醒", "idle_closure": "关闭链路",
               "decommission": "拆除链路", "disconnect": "中断连接", "reconnect": "恢复连接", "criticism": "通报批评",
               "annual_report": "年度评估报告"}

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十, 27 -> 二十七 (the article numbers of a regulation)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    out = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return out + (_DIGITS[ones] if ones else "")


def article(n: int) -> str:
    """第十二条: how a notice cites an article."""
    return f"第{cn_number(int(n))}条"


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def cn_date(value) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, the year in full, no leading zeros."""
    day = as_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def iso(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def size_text(n: int) -> str:
    """1048576 -> 1 MiB (binary units, as the policy states the threshold)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} 字节"


def day_count(first, last) -> int:
    return (as_date(last) - as_date(first)).days + 1 if first and last else 0
