"""The Office's security half of the regulation: emergency disconnect and reconnect (Art. 23), criticism notices
(Art. 26), and one security list for the Office (incidents, criticisms, security events from the event log).

A disconnect is a device change like any other: the incident is recorded and the cut journalled ('planned')
in one transaction, the push runs with backup, verification and rollback (services/provision.py push_all), and
the outcome, the notice and the event are recorded in a second transaction. Until the Office reconnects, every
provisioning, change and reopening of the units cut off is refused (``refuse_if_cut``), naming the incident.

On a shared link (Art. 14) several units use one port, one VLAN and one subnet; egovnet keeps no part of it
per unit, so a platform that cannot cut one unit's part (``cuts_one_unit_of_shared_link``: none can today)
cuts the whole link, and the output, the event and the notice say which other units lose access with it.
"""

from __future__ import annotations

import datetime as dt

from egovnet.errors import Conflict, DeviceError, InvalidInput, InvalidPolicy, NotFound, PermissionDenied, \
    PolicyViolation, UsageError
from egovnet.validation import clean_text

LIVE = ("open", "disconnected")          # incident states that keep the units cut off and blocked
STATES = ("open", "disconnected", "reconnected")
EVENT_KINDS = ("security_incident", "criticism")    # object types of the Office's own records
SECURITY_ACTIONS = ("host_key_mismatch",)   # security events other parts of egovnet log
MONITORING_ARTICLE = 20                      # BDC monitors, warns and reports security events


def rules(ctx):
    rules = ctx.policy.security
    if rules is None:
        raise InvalidPolicy(f"{ctx.policy.source}: (top level): no 'security' section; add it with its article "
                            "(Art. 23 disconnect_roles, reconnect_separation; Art. 26 criticism grounds), see the "
                            "packaged policies.yaml")
    return rules


def one_line(value, what: str, *, required: bool = True, max_len: int = 2000) -> str:
    """Text that is quoted in a notice and in a one-row list: printable, on one line."""
    text = clean_text(value, what, max_len=max_len, required=required)
    if "\n" in text:
        raise InvalidInput(f"{what} has a line break; write it on one line (it is quoted in the written notice "
                           "and in 'egovnet security list')")
    return text


def record_host_key_mismatch(ctx, device: str, message: str, push_ids) -> None:
    """A device presented another SSH host key than the one on record (nothing was sent to it): a security
    event (Art. 20) the Office sees in 'egovnet security list'. Never fails the caller's run."""
    from egovnet.services import events
    from egovnet.state.db import unit_of_work

    try:
        with unit_of_work(ctx.engine) as s:
            events.record(s, ctx, "device", 0, "host_key_mismatch", role="bdc", article=MONITORING_ARTICLE,
                          after={"device": device, "error": message[:500], "pushes": [p for p in push_ids if p]})
    except Exception:  # the event log is unreachable: the push result still names the mismatch
        pass


# ---- the block: nothing new for a unit the Office has cut off ---------------------------------------

def live_incidents(s, *, unit_ids=(), link_ids=()) -> list:
    """Incidents still in force (open or disconnected) that cut off one of these units or links."""
    from sqlmodel import select

    from egovnet.state.models import SecurityIncident

    rows = s.exec(select(SecurityIncident).where(SecurityIncident.state.in_(LIVE))
                  .order_by(SecurityIncident.id)).all()
    units, links = set(unit_ids), set(link_ids)
    return [r for r in rows if units & set(r.unit_ids or ()) or links & set(r.link_ids or ())]


def refuse_if_cut(s, doing: str, *, unit_ids=(), link_ids=()) -> None:
    """PolicyViolation (exit 3) when the Office has cut one of these units or links off (Art. 23)."""
    found = live_incidents(s, unit_ids=unit_ids, link_ids=link_ids)
    if not found:
        return
    from egovnet.state.models import Unit

    inc = found[0]
    names = [u.name for u in (s.get(Unit, uid) for uid in inc.unit_ids) if u is not None]
    who = "、".join(names) or "link " + ", ".join(map(str, inc.link_ids))
    raise PolicyViolation(f"{doing} is refused: {who} is cut off the "
                          f"extranet by the Office under security incident {inc.id} ({inc.state}, Art. 23); it "
                          f"comes back only after 'egovnet security reconnect {inc.id} --remediation TEXT' by the "
                          "Office (see 'egovnet security show " f"{inc.id}')")


# ---- disconnect -------------------------------------------------------------------------------------

def _targets(s, unit_ref: str | None, link_id: int | None):
    """(unit or None, [(link, [(unit, dept)] on it)]) for a disconnect by unit or by link."""
    from egovnet.services.directory import find_unit
    from egovnet.services.links import get_link, units_on
    from egovnet.state.models import Application, Link
    from sqlmodel import select

    if (unit_ref is None) == (link_id is None):
        from egovnet.errors import UsageError

        raise UsageError("name exactly one of --unit U or --link L")
    if unit_ref is not None:
        unit = find_unit(s, unit_ref)
        ids = s.exec(select(Application.link_id).where(Application.unit_id == unit.id,
                                                       Application.status == "active")).all()
        links = [s.get(Link, i) for i in sorted(set(i for i in ids if i is not None))]
        links = [ln for ln in links if ln.status == "active"]
        if not links:
            raise PolicyViolation(f"unit {unit.name} has no active link to cut off (Art. 23); see "
                                  f"'egovnet unit show {unit.code}'")
    else:
        unit = None
        link = get_link(s, link_id)
        if link.status != "active":
            raise PolicyViolation(f"link {link.id} is {link.status}, not active: nothing of it carries traffic to "
                                  "cut off (Art. 23)")
        links = [link]
    return unit, [(ln, [(u, d) for u, d, _ in units_on(s, ln.id)]) for ln in links]


def disconnect(ctx, *, unit: str | None = None, link: int | None = None, incident: str,
               driver_factory=None) -> dict:
    """`egovnet security disconnect`: record the incident, cut the unit off through the push machinery, write
    the notice; the units stay blocked until `security reconnect`."""
    from egovnet.devices import platforms
    from egovnet.inventory import load_inventory
    from egovnet.services import events, pushes
    from egovnet.services.provision import default_driver_factory, link_job, push_all
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Allocation, SecurityIncident, Unit
    from sqlmodel import select

    r = rules(ctx)
    role = ctx.require(r.disconnect_roles, "disconnect a unit from the extranet", r.article)
    text = one_line(incident, "incident")
    inventory = load_inventory(ctx.inventory)
    with pushes.running(ctx, "security disconnect"):
        driver_factory = driver_factory or default_driver_factory(inventory)
        # a cut or restore an interrupted run left half-done is finished or undone first; the incident stays
        # 'open' (and blocks) until this run records the cut
        pushes.settle(ctx, inventory, driver_factory, services={"security"})

        def plan():
            with unit_of_work(ctx.engine) as s:
                target, links = _targets(s, unit, link)
                link_ids = [ln.id for ln, _ in links]
                cut_units: list[int] = []
                shared: dict[int, list[str]] = {}
                for ln, on in links:
                    alloc = s.exec(select(Allocation).where(Allocation.link_id == ln.id)).first()
                    if alloc is None:
                        raise PolicyViolation(f"link {ln.id} has no port on record, so nothing of it is on a device "
                                              "to cut off; see 'egovnet link show " f"{ln.id}'")
                    p = platforms.get(inventory.device(alloc.device).platform)
                    others = [u for u, _ in on if target is None or u.id != target.id]
                    if target is not None and others and p.cuts_one_unit_of_shared_link:
                        raise PolicyViolation("per-unit cut of a shared link is not built")  # no platform has it
                    if target is not None and others:
                        shared[str(ln.id)] = [u.name for u in others]
                    cut_units += [u.id for u, _ in on]
                if target is not None and target.id not in cut_units:
                    cut_units.insert(0, target.id)
                cut_units = list(dict.fromkeys(cut_units))
                earlier = live_incidents(s, unit_ids=[target.id] if target else [], link_ids=link_ids)
                row = next((i for i in earlier if i.state == "open" and sorted(i.link_ids) == sorted(link_ids)), None)
                if row is None and earlier:
                    inc = earlier[0]
                    raise Conflict(f"{'unit ' + target.name if target else 'link ' + str(link)} is already cut off "
                                   f"under security incident {inc.id} ({inc.state}, Art. 23); see 'egovnet security "
                                   f"show {inc.id}'")
                scope = "link" if target is None else ("shared_link" if shared else "unit")
                if row is None:  # a new incident; an open one whose cut failed earlier is tried again
                    row = SecurityIncident(unit_id=target.id if target else None, link_ids=link_ids,
                                           unit_ids=cut_units, scope=scope, incident=text, state="open",
                                           opened_by=ctx.user, opened_on=ctx.today)
                    s.add(row)
                    s.flush()
                    events.record(s, ctx, "security_incident", row.id, "open", role=role, article=r.article,
                                  after={"unit": target.name if target else None, "links": link_ids,
                                         "units_cut_off": [s.get(Unit, u).name for u in cut_units],
                                         "scope": scope, "incident": text, "shared_with": shared})
                jobs = [link_job(s, ctx, inventory, ln, "disconnect", unit=target.name if target else "",
                                 unit_code=target.code if target else "",
                                 intent={"service": "security", "incident": row.id})
                        for ln, _ in links]
                row.push_ids = list(row.push_ids or []) + [j.push_id for j in jobs]
                s.add(row)
                return row.id, jobs, shared, scope, target.name if target else None
        incident_id, jobs, shared, scope, target_name = pushes.retrying(plan)
        push_all(ctx, inventory, jobs, driver_factory, dry_run=False, workers=4)
        return _record_disconnect(ctx, incident_id, jobs, shared, scope, role)


def _link_facts(s, ctx, link_ids, shared) -> list[dict]:
    from egovnet.services.notices import _mode
    from egovnet.state.models import Allocation, Link
    from sqlmodel import select

    out = []
    for link_id in link_ids:
        ln = s.get(Link, link_id)
        alloc = s.exec(select(Allocation).where(Allocation.link_id == link_id)).first()
        out.append({"id": link_id, "address": ln.address, "mode": _mode(ctx, ln.mode),
                    "device": alloc.device if alloc else None, "port": alloc.port if alloc else None,
                    "shared_with": list(shared.get(link_id, shared.get(str(link_id), [])))})
    return out


def _notice_context(s, ctx, row, shared: dict, **extra) -> dict:
    from egovnet.services.notices import _common, _unit
    from egovnet.state.models import Unit

    main = [row.unit_id] if row.unit_id else list(row.unit_ids)
    units = [_unit(s, s.get(Unit, uid)) for uid in main]
    return {**_common(ctx), "issued_as": rules(ctx).issuer, "bdc": ctx.policy.notices.issuer,
            "units": units, "departments": list(dict.fromkeys(u["dept"] for u in units)),
            "incident": {"id": row.id, "text": row.incident, "on": ctx.today.isoformat(), "scope": row.scope,
                         "links": _link_facts(s, ctx, row.link_ids, shared), **extra}}


def _record_disconnect(ctx, incident_id: int, jobs, shared: dict, scope: str, role: str) -> dict:
    from egovnet.services import events, pushes
    from egovnet.services.notices import issue
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import SecurityIncident, utcnow

    r = rules(ctx)
    failed = [j for j in jobs if j.result is None or j.result.failed]
    with unit_of_work(ctx.engine) as s:
        row = s.get(SecurityIncident, incident_id)
        for job in jobs:
            pushes.mark_recorded(s, job.push_id)
        notice = None
        if failed:
            row.error = "; ".join(f"link {j.link_id} on {j.device}: {j.result.error if j.result else 'not attempted'}"
                                  for j in failed)[:2000]
            events.record(s, ctx, "security_incident", row.id, "disconnect_failed", role=role, article=r.article,
                          after={"error": row.error, "pushes": [j.push_id for j in jobs]})
        else:
            row.state, row.disconnected_by, row.disconnected_at, row.error = "disconnected", ctx.user, utcnow(), ""
            notice = issue(s, ctx, "disconnect", _notice_context(s, ctx, row, shared), subject_type="incident",
                           subject_id=row.id, link_id=row.link_ids[0] if len(row.link_ids) == 1 else None)
            events.record(s, ctx, "security_incident", row.id, "disconnect", role=role, article=r.article,
                          before={"state": "open"},
                          after={"state": "disconnected", "links": row.link_ids, "pushes": [j.push_id for j in jobs],
                                 "scope": scope, "shared_with": shared, "notice": notice["no"]})
        s.add(row)
        s.flush()
        data = _incident_dict(s, ctx, row)
    data["cut"] = [_job_row(j) for j in jobs]
    data["shared_with"] = shared
    data["notice"] = notice
    if failed:
        raise DeviceError(f"security incident {incident_id}: the cut did not go through: {data['error']}; the "
                          f"units stay blocked (Art. 23); run the same 'egovnet security disconnect' again to retry")
    return data


def _job_row(job) -> dict:
    res = job.result
    return {"link": job.link_id, "device": job.device, "port": job.context.get("port"), "push": job.push_id,
            "changed": bool(res and res.changed), "failed": bool(res is None or res.failed),
            "error": res.error if res and res.failed else None, "commands": list(job.commands)}


# ---- reconnect --------------------------------------------------------------------------------------

def reconnect(ctx, incident_id: int, *, remediation: str, driver_factory=None) -> dict:
    """`egovnet security reconnect`: another Office user (when the policy separates duties) restores access
    through the push machinery once the remediation is recorded; the unit is told in writing."""
    from egovnet.inventory import load_inventory
    from egovnet.services import events, pushes
    from egovnet.services.provision import default_driver_factory, link_job, push_all
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Link, SecurityIncident, Unit

    r = rules(ctx)
    role = ctx.require(r.reconnect_roles, f"reconnect security incident {incident_id}", r.article)
    text = one_line(remediation, "remediation")
    inventory = load_inventory(ctx.inventory)
    with pushes.running(ctx, "security reconnect"):
        driver_factory = driver_factory or default_driver_factory(inventory)
        pushes.settle(ctx, inventory, driver_factory, services={"security"})

        def plan():
            with unit_of_work(ctx.engine) as s:
                row = _get(s, incident_id)
                if row.state != "disconnected":
                    what = ("its cut never went through: run the disconnect again, or see 'egovnet push list "
                            "--open'" if row.state == "open" else f"it was reconnected by {row.reconnected_by}")
                    raise PolicyViolation(f"security incident {row.id} is {row.state}, not disconnected: {what}")
                if r.reconnect_separation and ctx.user == row.disconnected_by:
                    raise PermissionDenied(f"user {ctx.user!r} disconnected security incident {row.id} and may not "
                                           f"also reconnect it (separation of duties, Art. {r.article}; "
                                           "security.reconnect_separation in the policy); another Office user must")
                jobs = []
                for link_id in row.link_ids:
                    ln = s.get(Link, link_id)
                    if ln.status != "active":
                        continue  # decommissioned or closed since: nothing to restore on it
                    unit = s.get(Unit, row.unit_id) if row.unit_id else None
                    jobs.append(link_job(s, ctx, inventory, ln, "reconnect", unit=unit.name if unit else "",
                                         unit_code=unit.code if unit else "",
                                         intent={"service": "security", "incident": row.id}))
                row.reconnect_push_ids = list(row.reconnect_push_ids or []) + [j.push_id for j in jobs]
                s.add(row)
                return jobs
        jobs = pushes.retrying(plan)
        push_all(ctx, inventory, jobs, driver_factory, dry_run=False, workers=4)
        failed = [j for j in jobs if j.result is None or j.result.failed]
        with unit_of_work(ctx.engine) as s:
            row = s.get(SecurityIncident, incident_id)
            for job in jobs:
                pushes.mark_recorded(s, job.push_id)
            notice = None
            if failed:
                row.error = "; ".join(f"link {j.link_id} on {j.device}: "
                                      f"{j.result.error if j.result else 'not attempted'}" for j in failed)[:2000]
                events.record(s, ctx, "security_incident", row.id, "reconnect_failed", role=role, article=r.article,
                              after={"error": row.error, "pushes": [j.push_id for j in jobs]})
            else:
                from egovnet.services.notices import issue
                from egovnet.state.models import utcnow

                shared = _shared_of(s, row)
                row.state, row.reconnected_by, row.reconnected_at = "reconnected", ctx.user, utcnow()
                row.remediation, row.error = text, ""
                notice = issue(s, ctx, "reconnect",
                               _notice_context(s, ctx, row, shared, remediation=text,
                                               on=row.opened_on.isoformat(), reconnected_on=ctx.today.isoformat()),
                               subject_type="incident", subject_id=row.id,
                               link_id=row.link_ids[0] if len(row.link_ids) == 1 else None)
                events.record(s, ctx, "security_incident", row.id, "reconnect", role=role, article=r.article,
                              before={"state": "disconnected"},
                              after={"state": "reconnected", "remediation": text,
                                     "pushes": [j.push_id for j in jobs], "notice": notice["no"]})
            s.add(row)
            s.flush()
            data = _incident_dict(s, ctx, row)
            data["shared_with"] = _shared_of(s, row)
        data["restored"] = [_job_row(j) for j in jobs]
        data["notice"] = notice
        if failed:
            raise DeviceError(f"security incident {incident_id}: access was not restored: {data['error']}; the "
                              "incident stays disconnected; run the reconnect again")
        return data


def _shared_of(s, row) -> dict:
    """The other units of each shared link cut whole, from the incident's disconnect event."""
    from egovnet.services import events

    for e in events.event_rows(s, "security_incident", row.id):
        if e["action"] == "disconnect":
            return (e["after"] or {}).get("shared_with") or {}
    return {}


# ---- criticism (Art. 26) ----------------------------------------------------------------------------

def criticize(ctx, unit_ref: str, *, ground: int, facts: str) -> dict:
    from egovnet.services import events
    from egovnet.services.directory import find_unit
    from egovnet.services.notices import _common, _unit, issue
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Criticism

    c = rules(ctx).criticism
    role = ctx.require(c.roles, "criticise a unit in a circular (通报批评)", c.article)
    if ground not in c.grounds:
        raise InvalidInput(f"ground {ground} is not one of Art. {c.article}'s grounds: "
                           + "; ".join(f"{n} {t}" for n, t in sorted(c.grounds.items())))
    text = one_line(facts, "facts")
    with unit_of_work(ctx.engine) as s:
        unit = find_unit(s, unit_ref)
        row = Criticism(unit_id=unit.id, ground=ground, facts=text, decided_by=ctx.user, decided_on=ctx.today)
        s.add(row)
        s.flush()
        u = _unit(s, unit)
        context = {**_common(ctx), "issued_as": rules(ctx).issuer, "bdc": ctx.policy.notices.issuer,
                   "unit": u, "units": [u], "departments": [u["dept"]],
                   "criticism": {"id": row.id, "ground": ground, "ground_text": c.grounds[ground], "facts": text,
                                 "on": ctx.today.isoformat()}}
        notice = issue(s, ctx, "criticism", context, subject_type="criticism", subject_id=row.id, link_id=None)
        row.notice_id = notice["id"]
        s.add(row)
        events.record(s, ctx, "criticism", row.id, "decide", role=role, article=c.article,
                      after={"unit": unit.name, "ground": ground, "ground_text": c.grounds[ground], "facts": text,
                             "notice": notice["no"]})
        s.flush()
        return {**_criticism_dict(s, ctx, row), "notice": notice}


# ---- reading: one list for the Office ---------------------------------------------------------------

def _get(s, incident_id: int):
    from egovnet.state.models import SecurityIncident

    row = s.get(SecurityIncident, incident_id)
    if row is None:
        raise NotFound(f"security incident {incident_id} not found; see 'egovnet security list'")
    return row


def _iso(value):
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value.isoformat()


def _aware(value):
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _incident_dict(s, ctx, row) -> dict:
    from egovnet.state.models import Unit, utcnow

    unit = s.get(Unit, row.unit_id) if row.unit_id else None
    names = [u.name for u in (s.get(Unit, i) for i in row.unit_ids) if u is not None]
    cut_from, cut_to = _aware(row.disconnected_at), _aware(row.reconnected_at)
    seconds = int(((cut_to or utcnow()) - cut_from).total_seconds()) if cut_from else 0
    return {"kind": "incident", "id": row.id, "state": row.state, "unit": unit.name if unit else None,
            "links": list(row.link_ids), "units_cut_off": names, "scope": row.scope, "incident": row.incident,
            "opened_by": row.opened_by, "opened_on": _iso(row.opened_on),
            "disconnected_by": row.disconnected_by, "disconnected_at": _iso(cut_from),
            "reconnected_by": row.reconnected_by, "reconnected_at": _iso(cut_to),
            "cut_off_seconds": seconds, "cut_off": _duration(seconds) if cut_from else None,
            "remediation": row.remediation or None, "pushes": list(row.push_ids),
            "reconnect_pushes": list(row.reconnect_push_ids), "error": row.error or None,
            "article": rules(ctx).article}


def _duration(seconds: int) -> str:
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    return (f"{days} d " if days else "") + f"{hours} h {rest // 60} min"


def _criticism_dict(s, ctx, row) -> dict:
    from egovnet.state.models import Notice, Unit

    notice = s.get(Notice, row.notice_id) if row.notice_id else None
    c = rules(ctx).criticism
    return {"kind": "criticism", "id": row.id, "unit": s.get(Unit, row.unit_id).name, "ground": row.ground,
            "ground_text": c.grounds.get(row.ground, ""), "facts": row.facts, "decided_by": row.decided_by,
            "decided_on": _iso(row.decided_on), "notice": notice.doc_no if notice else None, "article": c.article}


def _security_event(e) -> bool:
    action = e.action or ""
    return (e.object_type in EVENT_KINDS or action.startswith("drift") or e.object_type.startswith("drift")
            or action in SECURITY_ACTIONS or "host_key" in action)


def list_security(ctx, *, state: str | None = None, limit: int = 500) -> list[dict]:
    """Incidents (state, time cut off), criticisms and security events, newest first: the Office's one list."""
    from sqlmodel import select

    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Criticism, Event, SecurityIncident

    ctx.require(("office", "bdc"), "read the security list", rules(ctx).article)
    if state is not None and state not in STATES:
        raise UsageError(f"state {state!r} is not an incident state; states are {', '.join(STATES)}")
    rows = []
    with unit_of_work(ctx.engine, write=False) as s:
        q = select(SecurityIncident).order_by(SecurityIncident.id.desc())
        if state:
            q = q.where(SecurityIncident.state == state)
        for inc in s.exec(q).all():
            d = _incident_dict(s, ctx, inc)
            rows.append({"kind": "incident", "id": inc.id, "at": _iso(_aware(inc.created_at)),
                         "_t": _aware(inc.created_at), "on": d["opened_on"],
                         "state": inc.state,
                         "subject": d["unit"] or f"link {', '.join(map(str, d['links']))}",
                         "detail": inc.incident, "cut_off": d["cut_off"], "article": d["article"]})
        if state is None:
            for cr in s.exec(select(Criticism).order_by(Criticism.id.desc())).all():
                d = _criticism_dict(s, ctx, cr)
                rows.append({"kind": "criticism", "id": cr.id, "at": _iso(_aware(cr.created_at)),
                             "_t": _aware(cr.created_at),
                             "on": d["decided_on"], "state": "issued",
                             "subject": d["unit"], "detail": f"({cr.ground}) {d['ground_text']}: {cr.facts}",
                             "cut_off": None, "article": d["article"]})
            q = select(Event).where(Event.object_type.not_in(EVENT_KINDS)).order_by(Event.id.desc()).limit(5000)
            for e in s.exec(q).all():
                if not _security_event(e):
                    continue
                rows.append({"kind": "event", "id": e.id, "at": _iso(_aware(e.at)), "_t": _aware(e.at),
                             "on": _iso(e.effective_date),
                             "state": e.action,
                             "subject": (e.after or {}).get("device") or f"{e.object_type}:{e.object_id}",
                             "detail": _event_detail(e), "cut_off": None, "article": e.article})
    # newest first, to the microsecond: a decision taken in the same second as another is still the newer one
    never = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    rows.sort(key=lambda r: (r["_t"] or never, r["kind"], r["id"]), reverse=True)
    return [{k: v for k, v in r.items() if k != "_t"} for r in rows[:limit]]


def _event_detail(e) -> str:
    import json

    after = e.after or {}
    if after.get("error"):
        return str(after["error"])
    return json.dumps(after, ensure_ascii=False, sort_keys=True, default=str) if after else ""


def show_incident(ctx, incident_id: int) -> dict:
    from sqlmodel import select

    from egovnet.services import events
    from egovnet.state.db import unit_of_work
    from egovnet.state.models import Notice

    ctx.require(("office", "bdc"), "read security incidents", rules(ctx).article)
    with unit_of_work(ctx.engine, write=False) as s:
        row = _get(s, incident_id)
        data = _incident_dict(s, ctx, row)
        data["shared_with"] = _shared_of(s, row)
        data["notices"] = [{"no": n.doc_no, "kind": n.kind, "issued_on": _iso(n.issued_on), "docx": n.docx_path,
                            "main_to": n.main_to, "copy_to": n.copy_to}
                           for n in s.exec(select(Notice).where(Notice.subject_type == "incident",
                                                                Notice.subject_id == row.id)
                                           .order_by(Notice.id)).all()]
        data["events"] = list(reversed(events.event_rows(s, "security_incident", row.id)))
        return data
