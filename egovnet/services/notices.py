"""Written notices (书面通知) of the decisions the regulation says must be communicated, as numbered official
documents (公文, GB/T 9704-2012): rejection and approval of an application (Art. 12), change decisions (Art. 18),
the warning before an idle closure and the closure itself (Art. 15), the decommission (Art. 18, 25).

Each is one document per decision: the unit(s) as 主送, their supervising department(s) as 抄送. Its number
(文号, e.g. 青数〔2026〕7号) is taken from the register inside the transaction that records the decision, so a
decision and its notice exist together or not at all, and the numbers of a year have no gaps, also with two
egovnet processes at once (SQLite: BEGIN IMMEDIATE; PostgreSQL: the unique (prefix, year, number) and a retry
inside a savepoint). The text is rendered before a number is taken: a broken template numbers nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlmodel import select

from egovnet.errors import InvalidInput, NotFound, PolicyViolation, UsageError
from egovnet.notices.context import KIND_ARTICLES, KIND_LABELS, iso, size_text
from egovnet.services import events
from egovnet.state.db import unit_of_work
from egovnet.state.models import (Application, ChangeRequest, Department, Link, Notice, NoticeDelivery, Unit,
                                  UsageDay)
from egovnet.validation import clean_text

SOURCES = {"device": "接入设备端口流量计数器读数", "import": "运维监控系统导出数据"}


# ---- context: facts from the record, names not codes ------------------------------------------

def _unit(s, unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "dept": s.get(Department, unit.dept_id).name}


def _common(ctx) -> dict:
    return {"regulation": f"《{ctx.policy.regulation.title}》", "issuer": ctx.policy.notices.issuer,
            "today": ctx.today.isoformat(), "reissue": None}


def _mode(ctx, mode: str) -> str:
    m = ctx.policy.links.modes.get(mode)
    return m.label if m else mode


def application_context(s, ctx, app: Application) -> dict:
    from egovnet.services.links import units_on

    unit, link = s.get(Unit, app.unit_id), s.get(Link, app.link_id)
    others = [u.name for u, _, _ in units_on(s, link.id, ("submitted", "approved", "provisioning", "active"))
              if u.id != unit.id]
    return {**_common(ctx), "unit": _unit(s, unit), "units": [_unit(s, unit)],
            "departments": [_unit(s, unit)["dept"]],
            "application": {"received_on": iso(app.received_on), "reason": app.reason, "mode": _mode(ctx, app.mode),
                            "bandwidth_mbps": app.bandwidth_mbps, "scope": app.scope, "purpose": app.purpose,
                            "construction_due": iso(app.construction_due),
                            "construction_days": ctx.policy.deadlines.construction.working_days,
                            "features": [ctx.policy.gated_features[k].label for k in (app.features or {})
                                         if k in ctx.policy.gated_features]},
            "link": {"address": link.address, "mode": _mode(ctx, link.mode), "shared_with": others}}


def change_context(s, ctx, change: ChangeRequest) -> dict:
    from egovnet.services.links import units_on

    unit, link = s.get(Unit, change.unit_id), s.get(Link, change.link_id)
    return {**_common(ctx), "unit": _unit(s, unit), "units": [_unit(s, unit)], "departments": [_unit(s, unit)["dept"]],
            "change": {"kind": change.kind, "requested_on": iso(change.requested_on),
                       "bandwidth_from": change.bandwidth_from, "bandwidth_to": change.bandwidth_to,
                       "reason": change.reason, "decision_reason": change.decision_reason,
                       "execution_due": iso(change.execution_due),
                       "execution_days": ctx.policy.deadlines.change_execution.working_days},
            "link": {"address": link.address, "mode": _mode(ctx, link.mode),
                     "stays_for": [u.name for u, _, _ in units_on(s, link.id) if u.id != unit.id]}}


def link_context(s, ctx, link: Link, units: list[tuple[Unit, Department]]) -> dict:
    us = [_unit(s, u) for u, _ in units]
    return {**_common(ctx), "units": us, "departments": list(dict.fromkeys(u["dept"] for u in us)),
            "link": {"address": link.address, "mode": _mode(ctx, link.mode), "opened_on": iso(link.opened_on)}}


def idle_facts(s, ctx, link: Link, limit: dt.date, upto: dt.date) -> dict:
    """The evidence of non-use: the days measured, the threshold, where the data came from, the days missing."""
    from egovnet.services.idle import missing_days

    rule = ctx.policy.deadlines.idle_closure
    first, last = link.opened_on + dt.timedelta(days=1), upto - dt.timedelta(days=1)
    days = s.exec(select(UsageDay.day, UsageDay.source).where(UsageDay.link_id == link.id, UsageDay.day >= first,
                                                              UsageDay.day <= last)).all()
    by_source: dict[str, set] = {}
    for day, source in days:
        by_source.setdefault(source, set()).add(day)
    sources = "、".join(f"{SOURCES.get(k, k)}（{len(v)}天）" for k, v in sorted(by_source.items())) or "无"
    return {"months": rule.calendar_months, "limit_on": iso(limit), "period_from": iso(first), "period_to": iso(last),
            "days": max((last - first).days + 1, 0), "threshold": size_text(rule.used_bytes_per_day),
            "sources": sources, "missing_days": len(missing_days(s, link.id, link.opened_on, upto)),
            "warn_working_days": rule.warn_working_days}


# ---- render, number, file ----------------------------------------------------------------------

def _render(ctx, kind: str, context: dict):
    from egovnet.notices.render import render

    return render(kind, context, home=ctx.home, inventory=ctx.inventory)


def _head(ctx, kind: str, row: Notice):
    from egovnet.notices.gbt9704 import Head

    n = ctx.policy.notices
    # the Office's own decisions (Art. 23, 26) go out under its name; every other notice under the BDC's
    issuer = (row.context or {}).get("issued_as") or n.issuer
    own = issuer == n.issuer
    return Head(issuer=issuer, masthead=(n.masthead or n.issuer) if own else issuer, format=row.format,
                doc_no=row.doc_no, issued_on=row.issued_on, contact_person=n.contact.person,
                contact_phone=n.contact.phone, printed_by=(n.printed_by or n.issuer) if own else issuer)


def _take_number(s, row: Notice) -> None:
    """The next number of the prefix's year, taken by inserting the row: the unique (prefix, year, number) is
    the register. On SQLite the write transaction (BEGIN IMMEDIATE) already serialises writers; on PostgreSQL a
    concurrent writer that took the same number first makes the insert fail, and the savepoint lets this
    transaction read the new maximum and take the next one. Numbers of a rolled-back transaction are taken
    again by the next notice, so there are no gaps."""
    from sqlalchemy import func
    from sqlalchemy.exc import IntegrityError

    for _attempt in range(50):
        last = s.exec(select(func.max(Notice.number)).where(Notice.prefix == row.prefix,
                                                            Notice.year == row.year)).one()
        row.number = (last or 0) + 1
        row.doc_no = f"{row.prefix}〔{row.year}〕{row.number}号"
        try:
            with s.begin_nested():
                s.add(row)
            return
        except IntegrityError:
            continue
    raise PolicyViolation(f"could not take a number for a notice in {row.prefix}〔{row.year}〕 after 50 tries; "
                          "run the command again")


def issue(s, ctx, kind: str, context: dict, *, subject_type: str, subject_id: int, link_id: int | None,
          reissue_of: Notice | None = None, reason: str = "") -> dict:
    """Render, number, lay out and save one notice inside the caller's transaction; record it."""
    from egovnet.notices.gbt9704 import build, save

    text = _render(ctx, kind, context)           # a broken template fails here: nothing numbered
    policy = ctx.policy.notices
    row = Notice(prefix=policy.number_prefix, year=ctx.today.year, kind=kind, article=KIND_ARTICLES[kind],
                 title=text.title.replace(" / ", ""), subject_type=subject_type, subject_id=subject_id, link_id=link_id,
                 unit_ids=[u["id"] for u in context.get("units", [])], main_to=text.main_to, copy_to=text.copy_to,
                 format=policy.format_of(kind), issued_on=ctx.today, issued_by=ctx.user, status="issued",
                 reissue_of=reissue_of.id if reissue_of else None, reissue_reason=reason, context=context,
                 text=text.as_dict())
    _take_number(s, row)
    path = Path(ctx.home) / "notices" / str(row.year) / f"{row.year}-{row.number:04d}-{kind}.docx"
    save(build(text, _head(ctx, kind, row)), path)
    row.docx_path = str(path)
    s.add(row)
    s.flush()
    events.record(s, ctx, "notice", row.id, "issue", role="office" if context.get("issued_as") else "bdc",
                  article=row.article,
                  after={"no": row.doc_no, "kind": kind, "subject": f"{subject_type}:{subject_id}",
                         "main_to": row.main_to, "copy_to": row.copy_to, "docx": str(path),
                         **({"reissue_of": reissue_of.doc_no or f"#{reissue_of.id}", "reason": reason}
                            if reissue_of else {})})
    return brief(row)


def brief(row: Notice) -> dict:
    return {"id": row.id, "no": row.doc_no or None, "kind": row.kind, "title": row.title, "main_to": row.main_to,
            "copy_to": row.copy_to, "issued_on": iso(row.issued_on), "docx": row.docx_path}


def for_application(s, ctx, app: Application, kind: str) -> dict:
    """Art. 12: the unit is told the decision on its application (approval with the construction deadline,
    rejection with the reasons)."""
    return issue(s, ctx, kind, application_context(s, ctx, app), subject_type="application", subject_id=app.id,
                 link_id=app.link_id)


def for_change(s, ctx, change: ChangeRequest, kind: str) -> dict:
    """Art. 18: the unit is told the decision on its change request."""
    return issue(s, ctx, kind, change_context(s, ctx, change), subject_type="change", subject_id=change.id,
                 link_id=change.link_id)


def for_link(s, ctx, kind: str, link: Link, units: list[tuple[Unit, Department]], **facts) -> dict:
    """Art. 15, 18: one notice to every unit on the link (主送) and their departments (抄送)."""
    return issue(s, ctx, kind, {**link_context(s, ctx, link, units), **facts}, subject_type="link",
                 subject_id=link.id, link_id=link.id)


def preflight(ctx, kind: str, link_id: int, units_statuses=("active",), **facts) -> None:
    """Render a link's notice before a device is touched: a broken template stops the run before the push."""
    from egovnet.services.links import units_on

    from egovnet.policy import add_months

    with unit_of_work(ctx.engine, write=False) as s:
        link = s.get(Link, link_id)
        units = [(u, d) for u, d, _ in units_on(s, link.id, units_statuses)]
        if kind == "idle_closure":
            limit = add_months(link.opened_on, ctx.policy.deadlines.idle_closure.calendar_months)
            facts = {"idle": {**idle_facts(s, ctx, link, limit, limit), "closed_on": ctx.today.isoformat()}}
        _render(ctx, kind, {**link_context(s, ctx, link, units), **facts})


# ---- the idle warning (Art. 15) ---------------------------------------------------------------

def idle_warnings(ctx, approaching: list[dict]) -> list[dict]:
    """One warning per link and three-month period, written the first time an audit finds the link within
    the policy's warning window (N working days before the limit)."""
    from egovnet.services.links import units_on

    out = []
    with unit_of_work(ctx.engine) as s:
        warned = _warned(s, [row["link"] for row in approaching])
        for row in approaching:
            if (row["link"], row["limit_on"]) in warned:
                continue
            link = s.get(Link, row["link"])
            facts = idle_facts(s, ctx, link, dt.date.fromisoformat(row["limit_on"]), ctx.today)
            facts.update(period_to=iso(ctx.today - dt.timedelta(days=1)), working_days_left=row["working_days_left"])
            units = [(u, d) for u, d, _ in units_on(s, link.id)]
            out.append({"link": link.id, **for_link(s, ctx, "idle_warning", link, units, idle=facts)})
    return out


def _warned(s, link_ids: list[int]) -> set[tuple[int, str]]:
    """(link, limit day) of the idle warnings already written for these links: one query per 500 links, not two
    per link (a district audit finds hundreds approaching every day, and warns only the new ones)."""
    out = set()
    for i in range(0, len(link_ids), 500):
        for link_id, context in s.connection().execute(
                select(Notice.link_id, Notice.context).where(Notice.kind == "idle_warning",
                                                             Notice.link_id.in_(link_ids[i:i + 500]))).all():
            limit_on = ((context or {}).get("idle") or {}).get("limit_on")
            if limit_on is not None:
                out.add((link_id, limit_on))
    return out


# ---- reading and acting on notices -------------------------------------------------------------

_DOC_NO = re.compile(r"^(?P<prefix>.+)〔(?P<year>\d{4})〕(?P<number>\d+)号$")


def _find(s, ref: str) -> Notice:
    ref = (ref or "").strip()
    row = None
    if ref.startswith("#") and ref[1:].isdigit():
        row = s.get(Notice, int(ref[1:]))
    elif m := re.fullmatch(r"(\d{4})-(\d+)", ref):
        row = s.exec(select(Notice).where(Notice.year == int(m.group(1)), Notice.number == int(m.group(2)))
                     .order_by(Notice.id)).first()
    elif m := _DOC_NO.match(ref):
        row = s.exec(select(Notice).where(Notice.prefix == m.group("prefix"), Notice.year == int(m.group("year")),
                                          Notice.number == int(m.group("number")))).first()
    else:
        raise UsageError(f"notice {ref!r}: give its number as printed (青数〔2026〕7号), as YEAR-N (2026-7), or "
                         "#ID for one without a number (see 'egovnet notice list')")
    if row is None:
        raise NotFound(f"notice {ref} not found; see 'egovnet notice list'")
    return row


def _deliveries(s, row: Notice) -> list[dict]:
    return [{"on": iso(d.delivered_on), "to": d.delivered_to, "recorded_by": d.recorded_by}
            for d in s.exec(select(NoticeDelivery).where(NoticeDelivery.notice_id == row.id)
                            .order_by(NoticeDelivery.id)).all()]


def notice_dict(s, row: Notice, full: bool = False) -> dict:
    replaced = s.get(Notice, row.reissue_of) if row.reissue_of else None
    by = s.exec(select(Notice).where(Notice.reissue_of == row.id)).first()
    out = {**brief(row), "label": KIND_LABELS.get(row.kind, row.kind), "article": row.article,
           "status": row.status, "format": row.format, "subject": f"{row.subject_type} {row.subject_id}",
           "link": row.link_id, "issued_by": row.issued_by or None,
           "reissue_of": (replaced.doc_no or f"#{replaced.id}") if replaced else None,
           "reissue_reason": row.reissue_reason or None, "superseded_by": by.doc_no if by else None,
           "deliveries": _deliveries(s, row)}
    if full:
        out["text"] = row.text or None
        out["other_files"] = row.other_paths
    return out


def list_notices(ctx, *, unit: str | None = None, kind: str | None = None) -> list[dict]:
    from egovnet.services.directory import find_unit

    if kind is not None and kind not in KIND_ARTICLES:
        raise UsageError(f"--kind {kind!r} is not a kind of notice; kinds are {', '.join(KIND_ARTICLES)}")
    with unit_of_work(ctx.engine, write=False) as s:
        unit_id = find_unit(s, unit).id if unit else None
        # notices without a number (before the register) first, on SQLite and PostgreSQL alike
        q = select(Notice).order_by(Notice.year, Notice.number.is_not(None), Notice.number, Notice.id)
        if kind:
            q = q.where(Notice.kind == kind)
        rows = [r for r in s.exec(q).all() if unit_id is None or unit_id in (r.unit_ids or [])]
        return [notice_dict(s, r) for r in rows]


def show_notice(ctx, ref: str) -> dict:
    from egovnet.notices.gbt9704 import plain_text
    from egovnet.notices.render import Text

    with unit_of_work(ctx.engine, write=False) as s:
        row = _find(s, ref)
        out = notice_dict(s, row, full=True)
        if row.text:
            out["plain"] = plain_text(Text(**row.text), _head(ctx, row.kind, row))
        out["events"] = events.event_rows(s, "notice", row.id)
        return out


def _refresh(s, ctx, row: Notice) -> dict:
    """The notice's facts with today's names (a corrected unit or department name goes into the new copy)."""
    from egovnet.policy import add_months
    from egovnet.services.links import units_on

    context = dict(row.context or {})
    # a decision on an application or a change request: its facts as the record has them now (a corrected name,
    # an extended construction deadline); a link's warning, closure or decommission: the facts of that day
    if row.subject_type == "application" and s.get(Application, row.subject_id) is not None:
        return application_context(s, ctx, s.get(Application, row.subject_id))
    if row.subject_type == "change" and s.get(ChangeRequest, row.subject_id) is not None:
        return change_context(s, ctx, s.get(ChangeRequest, row.subject_id))
    if not context:  # written before the register (schema 0004): rebuild from the link and its history
        link = s.get(Link, row.link_id) if row.link_id else None
        if link is None or row.kind not in ("idle_closure", "decommission"):
            raise PolicyViolation(f"notice #{row.id} ({row.kind}) was written before the register and its facts "
                                  "cannot be rebuilt from the record; write a new notice by hand")
        units = [(s.get(Unit, uid), s.get(Department, s.get(Unit, uid).dept_id)) for uid in row.unit_ids]
        context = link_context(s, ctx, link, units or [(u, d) for u, d, _ in units_on(s, link.id, ("closed",))])
        if row.kind == "idle_closure":
            limit = add_months(link.opened_on, ctx.policy.deadlines.idle_closure.calendar_months)
            context["idle"] = {**idle_facts(s, ctx, link, limit, limit), "closed_on": iso(link.closed_on)}
        else:
            done = [e for e in events.event_rows(s, "link", link.id) if e["action"] == "decommission"]
            after = done[0]["after"] if done else {}
            context["decommission"] = {"reason": after.get("reason", ""), "on": iso(row.issued_on),
                                       "fee_end": after.get("fee_period_end") or iso(link.closed_on)}
    for key in ("unit",):
        if isinstance(context.get(key), dict) and context[key].get("id"):
            unit = s.get(Unit, context[key]["id"])
            context[key] = _unit(s, unit) if unit else context[key]
    if context.get("units"):
        context["units"] = [_unit(s, s.get(Unit, u["id"])) if s.get(Unit, u["id"]) else u for u in context["units"]]
        context["departments"] = list(dict.fromkeys(u["dept"] for u in context["units"]))
    return {**context, **{k: v for k, v in _common(ctx).items() if k != "today"}}


def reissue(ctx, ref: str, reason: str) -> dict:
    """A corrected copy: a new number, the same decision, text saying which number it replaces and why; the
    old one keeps its number, marked superseded."""
    role = ctx.require(("bdc",), f"reissue notice {ref}", 7)
    reason = clean_text(reason, "reason", required=True)
    with unit_of_work(ctx.engine) as s:
        old = _find(s, ref)
        if old.status == "superseded":
            by = s.exec(select(Notice).where(Notice.reissue_of == old.id)).first()
            raise PolicyViolation(f"notice {old.doc_no or '#' + str(old.id)} was already replaced by "
                                  f"{by.doc_no if by else 'a later notice'}; reissue that one")
        context = _refresh(s, ctx, old)
        context["reissue"] = {"of": old.doc_no or f"《{old.title or '书面通知'}》", "of_date": iso(old.issued_on),
                              "reason": reason}
        new = issue(s, ctx, old.kind, context, subject_type=old.subject_type, subject_id=old.subject_id,
                    link_id=old.link_id, reissue_of=old, reason=reason)
        old.status = "superseded"
        s.add(old)
        events.record(s, ctx, "notice", old.id, "supersede", role=role, article=old.article,
                      before={"status": "issued"}, after={"status": "superseded", "by": new["no"], "reason": reason})
        return notice_dict(s, s.get(Notice, new["id"]))


def delivered(ctx, ref: str, on: dt.date, to: str) -> dict:
    """送达: record when and to whom a notice was delivered."""
    role = ctx.require(("bdc",), f"record the delivery of notice {ref}", 7)
    to = clean_text(to, "--to", max_len=256, required=True).replace("\n", " ")
    with unit_of_work(ctx.engine) as s:
        row = _find(s, ref)
        if on > ctx.today:
            raise InvalidInput(f"--on {on} is after today ({ctx.today}); record a delivery once it happened")
        if on < row.issued_on:
            raise InvalidInput(f"--on {on} is before notice {row.doc_no or '#' + str(row.id)} was issued "
                               f"({row.issued_on})")
        s.add(NoticeDelivery(notice_id=row.id, delivered_on=on, delivered_to=to, recorded_by=ctx.user))
        s.flush()
        events.record(s, ctx, "notice", row.id, "deliver", role=role, article=row.article,
                      after={"on": on, "to": to})
        return notice_dict(s, row)
