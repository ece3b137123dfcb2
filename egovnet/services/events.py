"""The append-only event log: every change of state, with the article it applied."""

from __future__ import annotations

import datetime as dt

from egovnet.state.models import Event


def jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def snapshot(row, fields) -> dict:
    return {f: jsonable(getattr(row, f)) for f in fields}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(session, ctx, object_type: str, object_id: int, action: str, *, role: str = "",
           article: int | None = None, before: dict | None = None, after: dict | None = None) -> None:
    session.add(Event(
        effective_date=ctx.today, actor=ctx.user, role=role, object_type=object_type,
        object_id=object_id, action=action, article=article,
        before=jsonable(before) if before else None, after=jsonable(after) if after else None,
    ))


def event_rows(session, object_type: str | None = None, object_id: int | None = None, limit: int = 200) -> list[dict]:
    from sqlmodel import select

    q = select(Event).order_by(Event.id.desc()).limit(limit)
    if object_type:
        q = q.where(Event.object_type == object_type)
    if object_id is not None:
        q = q.where(Event.object_id == object_id)
    return [
        {"id": e.id, "at": e.at.isoformat(timespec="seconds"), "effective_date": e.effective_date.isoformat(),
         "actor": e.actor, "role": e.role, "object": f"{e.object_type}:{e.object_id}", "action": e.action,
         "article": e.article, "before": e.before, "after": e.after}
        for e in session.exec(q).all()
    ]
