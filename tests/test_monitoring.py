"""Monitoring (Art. 16, 20): `monitor import` of CSV/XLSX/JSON lines, all or nothing; `audit health`; availability()."""

import datetime as dt
import json

import pytest

from conftest import DEPT, fails, file_app, ok, run, sql

HEADER = "link,at,status,loss_pct,latency_ms,in_mbps,out_mbps\n"


@pytest.fixture
def links(lab):
    """Two active 50 Mbit/s links on the lab, L1 and L2, opened 2026-09-28 (the tests' today)."""
    ok("dept", "add", DEPT)
    for name, code, address in (("朱家角镇张马村村民委员会", "zjj-zhangma", "青浦区朱家角镇张马村1号"),
                                ("朱家角镇安庄村村民委员会", "zjj-anzhuang", "青浦区朱家角镇安庄村1号")):
        ok("unit", "add", name, "--category", "village", "--dept", DEPT, "--code", code, "--town", "朱家角镇",
           "--address", address, "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
        ok("review", "approve", str(file_app(code)["id"]), user="bdc.reviewer")
    ok("provision", "1", "2", "--yes")
    return {r[0]: (r[1], r[2]) for r in sql("SELECT link_id, device, port FROM allocation")}


def utc(value) -> dt.datetime:
    """A stored time as read by plain SQL (text on SQLite, timestamptz on PostgreSQL), in UTC."""
    value = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=dt.timezone.utc) if value.utcoffset() is None else value.astimezone(dt.timezone.utc)


def cst(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.timezone.utc)


def counts() -> tuple:
    return sql("SELECT count(*) FROM monitor_samples")[0][0], sql("SELECT count(*) FROM import_batch")[0][0]


def hourly(link: int, first: str, days: int, *, down: tuple = (), loss=0.1, latency=5.0, rate=10.0) -> str:
    """CSV rows of one sample an hour, as the monitoring system exports them."""
    start = dt.datetime.fromisoformat(first)
    rows = []
    for h in range(days * 24):
        at = start + dt.timedelta(hours=h)
        status = "down" if h in down else "up"
        value = rate(h) if callable(rate) else rate
        rows.append(f"L{link},{at:%Y-%m-%d %H:%M},{status},{loss},{latency},{value},{value / 2}\n")
    return "".join(rows)


def test_import_csv_and_reimport(links, tmp_path):
    device, port = links[2]
    path = tmp_path / "export.csv"
    path.write_text("link,device,interface,at,status,loss_pct,latency_ms,in_mbps,out_mbps\n"
                    "L1,,,2026-09-28 08:00,up,0.2,4.5,12.5,3\n"
                    f",{device},{port},2026-09-28T00:05:00Z,down,,,,\n"
                    "1,,,2026-09-28 08:05:00,正常,0%,4,10,2\n", encoding="utf-8")
    r = ok("monitor", "import", str(path), "--json").json()
    assert r == {"kind": "monitor", "source": str(path), "encoding": "utf-8", "rows": 3, "dry_run": False, "batch": 1,
                 "previous_batch": None, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0,
                 "created_departments": [], "budget_defaults": [], "rejects_file": None, "problems": [],
                 "items": [{"line": 2, "link": 1, "status": "created"}, {"line": 3, "link": 2, "status": "created"},
                           {"line": 4, "link": 1, "status": "created"}]}
    # a zone is converted to China Standard Time; "0%" loss is 0
    rows = sql("SELECT link_id, at, status, loss_pct, latency_ms, in_mbps, out_mbps, batch_id FROM monitor_samples "
               "ORDER BY id")
    assert [(r[0], utc(r[1]), *r[2:]) for r in rows] == [
        (1, cst(2026, 9, 28, 8, 0), "up", 0.2, 4.5, 12.5, 3.0, 1),
        (2, cst(2026, 9, 28, 8, 5), "down", None, None, None, None, 1),
        (1, cst(2026, 9, 28, 8, 5), "up", 0.0, 4.0, 10.0, 2.0, 1)]
    # the same export again: nothing duplicated
    r = run("monitor", "import", str(path))
    assert r.code == 0, r.err
    assert r.err.splitlines() == [
        f"{path} (utf-8, 3 rows): samples: 0 created, 0 updated, 3 unchanged, 0 rejected (import batch 2)",
        "this file was imported before as batch 1; nothing was duplicated"]
    assert counts() == (3, 2)
    events = [e for e in ok("log", "list", "--json").json() if e["object"].startswith("import_batch:")]
    assert [(e["object"], e["action"], e["article"], e["after"]["kind"]) for e in events] == [
        ("import_batch:2", "import", 16, "monitor"), ("import_batch:1", "import", 16, "monitor")]


def test_malformed_csv_every_problem_by_line_nothing_written(links, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER +
                    "L1,2026-09-28 08:00,up,0.1,5,10,5\n"      # 2 good
                    "L1,2026-02-30 08:00,up,0.1,5,10,5\n"      # 3 bad date
                    "L9,2026-09-28 08:00,up,0.1,5,10,5\n"      # 4 unknown link
                    "L2,2026-09-28 08:00,up,-1,5,10,5\n"       # 5 negative loss
                    'L2,"2026-09-28\n09:00",up,0.1,5,10,5\n'   # 6-7 a newline inside a field
                    "L1,2026-09-28 08:00,up,0.1,5,10,5\n"      # 8 duplicate of line 2
                    "L2,2026-09-28 10:00,flapping,0.1,5,x,5\n"  # 9 bad status and utilisation
                    "L2,2026-09-29 10:00,up,0.1,5,10,5\n",     # 10 tomorrow
                    encoding="utf-8")
    r = run("monitor", "import", str(path))
    assert r.code == 3, r.err
    assert r.err.splitlines() == [
        "bad.csv:3: at: time '2026-02-30 08:00' is not a time; write YYYY-MM-DD HH:MM[:SS] (China Standard Time) "
        "or ISO 8601 with a zone",
        "bad.csv:4: link: link 'L9' not found",
        "bad.csv:5: loss_pct: loss_pct '-1' is out of range (0 to 100)",
        "bad.csv:6: at: at contains a line break or control character; one sample a row",
        "bad.csv:8: at: link L1 at 2026-09-28 08:00:00 is also on line 2; one sample per link and time",
        "bad.csv:9: status: status 'flapping' must be up or down (正常/中断)",
        "bad.csv:9: in_mbps: in_mbps 'x' is not a number",
        "bad.csv:10: at: time 2026-09-29 10:00:00 is after today (2026-09-28)",
        f"Error: {path}: 7 of 8 rows are invalid (line 3, 4, 5, 6, 8, 9, 10); nothing was written. Fix them and "
        "import again"]
    assert counts() == (0, 0)
    js = run("monitor", "import", str(path), "--json")
    assert js.code == 3 and js.json()["problems"][1] == {"line": 4, "column": "link", "reason": "link 'L9' not found"}
    assert counts() == (0, 0)


def test_malformed_xlsx_named_by_row(links, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["链路", "时间", "状态", "丢包率", "时延", "入流量", "出流量"])
    ws.append(["L1", dt.datetime(2026, 9, 28, 8, 0), "up", 0.1, 5, 10, 5])
    ws.append(["L1", dt.datetime(2026, 9, 28, 8, 0), "up", 0.1, 5, 10, 5])
    ws.append(["L2", "昨天", "down", None, None, None, None])
    ws.append(["L2", dt.datetime(2026, 9, 28, 9, 0), "up", 120, -3, 10, 5])
    ws.append(["L3", dt.datetime(2026, 9, 28, 9, 0), "up", 0, 1, 1, 1])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    r = run("monitor", "import", str(path))
    assert r.code == 3, r.err
    assert r.err.splitlines() == [
        "export.xlsx:3: at: link L1 at 2026-09-28 08:00:00 is also on line 2; one sample per link and time",
        "export.xlsx:4: at: time '昨天' is not a time; write YYYY-MM-DD HH:MM[:SS] (China Standard Time) or ISO "
        "8601 with a zone",
        "export.xlsx:5: loss_pct: loss_pct '120' is out of range (0 to 100)",
        "export.xlsx:5: latency_ms: latency_ms '-3' is out of range (0 to 600000)",
        "export.xlsx:6: link: link 'L3' not found",
        f"Error: {path}: 4 of 5 rows are invalid (line 3, 4, 5, 6); nothing was written. Fix them and import again"]
    assert counts() == (0, 0)
    for row in (3, 4, 5, 6):  # the good row alone goes in, as a sheet row a midnight-free datetime
        ws.delete_rows(3)
    wb.save(path)
    assert ok("monitor", "import", str(path), "--json").json()["created"] == 1
    assert [(r[0], utc(r[1])) for r in sql("SELECT link_id, at FROM monitor_samples")] == [(1, cst(2026, 9, 28, 8, 0))]


def test_malformed_json_lines(links, tmp_path):
    path = tmp_path / "export.jsonl"
    good = {"link": "L1", "at": "2026-09-28T08:00:00+08:00", "status": "up", "loss_pct": 0.5, "latency_ms": 3,
            "in_mbps": 1.5, "out_mbps": 0.5}
    lines = [json.dumps(good), "", "{not json", json.dumps([1, 2]), json.dumps({**good, "jitter_ms": 3}),
             json.dumps({**good, "at": "2026-09-28T00:00:00Z"}),            # 08:00 CST again: a duplicate
             json.dumps({**good, "link": 7}), json.dumps({**good, "loss_pct": -0.1, "at": "2026-09-28 09:00"}),
             json.dumps({**good, "status": "up\ndown", "at": "2026-09-28 10:00"}),
             json.dumps({**good, "in_mbps": True, "at": "2026-09-28 11:00"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("monitor", "import", str(path))
    assert r.code == 3, r.err
    assert r.err.splitlines() == [
        "export.jsonl:3: -: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "export.jsonl:4: -: not a JSON object; write one object per line",
        "export.jsonl:5: -: key 'jitter_ms' is unknown; keys are link, device, interface, at, status, loss_pct, "
        "latency_ms, in_mbps, out_mbps",
        "export.jsonl:6: at: link L1 at 2026-09-28 08:00:00 is also on line 1; one sample per link and time",
        "export.jsonl:7: link: link '7' not found",
        "export.jsonl:8: loss_pct: loss_pct '-0.1' is out of range (0 to 100)",
        "export.jsonl:9: status: status contains a line break or control character; one sample a row",
        "export.jsonl:10: -: in_mbps must be a string or a number",
        f"Error: {path}: 8 of 9 rows are invalid (line 3, 4, 5, 6, 7, 8, 9, 10); nothing was written. Fix them "
        "and import again"]
    assert counts() == (0, 0)
    path.write_text(lines[0] + "\n", encoding="utf-8")
    assert ok("monitor", "import", str(path), "--json").json()["created"] == 1
    # the same link and time with other values later: a problem, not a silent overwrite
    path.write_text(json.dumps({**good, "latency_ms": 30}) + "\n", encoding="utf-8")
    r = run("monitor", "import", str(path))
    assert r.code == 3 and r.err.splitlines()[0] == (
        "export.jsonl:1: at: link L1 at 2026-09-28 08:00:00 is stored already with other values; one sample per "
        "link and time")
    assert counts() == (1, 1)


def test_import_refuses_a_department_and_unknown_files(links, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "L1,2026-09-28 08:00,up,0,1,1,1\n", encoding="utf-8")
    r = fails(3, "monitor", "import", str(path), user="dept.zhujiajiao")
    assert r.err.startswith("Error: user 'dept.zhujiajiao' may not import monitoring data: that needs role 'bdc' "
                            "(区大数据中心) (Art. 16)")
    assert fails(3, "monitor", "import", str(tmp_path / "none.jsonl")).err == f"Error: {tmp_path / 'none.jsonl'}: " \
                                                                              "file not found\n"
    (tmp_path / "x.csv").write_text("link,at,status,jitter\n", encoding="utf-8")
    assert fails(3, "monitor", "import", str(path)).err.startswith(f"Error: {path}:1: column 'jitter' is unknown")
    assert counts() == (0, 0)


def import_csv(tmp_path, text: str) -> None:
    path = tmp_path / "week.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    ok("monitor", "import", str(path))


def test_audit_health_breaches_no_data_and_near_saturation(links, tmp_path):
    # L1, 2026-09-22..28 hourly: 2 hours down (98.81 % < 99.5 %), latency 60 ms (> 50), 40 Mbit/s peak of 50 (80 %)
    import_csv(tmp_path, hourly(1, "2026-09-22 00:00", 7, down=(5, 6), latency=60.0, rate=40.0))
    r = run("audit", "health", "--json")
    assert r.code == 4, r.err
    assert r.json() == {
        "as_of": "2026-09-28", "since": "2026-09-22", "min_samples": 12,
        "thresholds": {"availability_pct": {"value": 99.5, "article": 16}, "loss_pct": {"value": 1.0, "article": 20},
                       "latency_ms": {"value": 50.0, "article": 20}, "utilisation_pct": {"value": 90.0, "article": 16},
                       "near_saturation_pct": {"value": 70.0, "article": 18}},
        "breaches": [
            {"link": 1, "units": ["朱家角镇张马村村民委员会"], "metric": "availability_pct", "value": 98.81,
             "threshold": 99.5, "article": 16},
            {"link": 1, "units": ["朱家角镇张马村村民委员会"], "metric": "latency_ms", "value": 60.0, "threshold": 50.0,
             "article": 20}],
        "no_data": [{"link": 2, "units": ["朱家角镇安庄村村民委员会"], "samples": 0, "last_sample": None}],
        "near_saturation": [{"link": 1, "units": ["朱家角镇张马村村民委员会"], "bandwidth_mbps": 50,
                             "utilisation_pct": 80.0, "threshold": 70.0, "article": 18}]}
    # L2: too few samples (11 < 12) is still no data; loss 2 % and 48 of 50 Mbit/s (96 %) once there are 12
    import_csv(tmp_path, "".join(f"L2,2026-09-28 {h:02d}:00,up,2,5,48,1\n" for h in range(11)))
    assert run("audit", "health", "--json").json()["no_data"] == [
        {"link": 2, "units": ["朱家角镇安庄村村民委员会"], "samples": 11, "last_sample": "2026-09-28 10:00:00"}]
    import_csv(tmp_path, "L2,2026-09-28 11:00,up,2,5,48,1\n")
    data = run("audit", "health", "--json").json()
    assert [(b["link"], b["metric"], b["value"]) for b in data["breaches"]] == [
        (1, "availability_pct", 98.81), (1, "latency_ms", 60.0), (2, "loss_pct", 2.0), (2, "utilisation_pct", 96.0)]
    assert data["no_data"] == [] and [n["link"] for n in data["near_saturation"]] == [1]
    # the table on stderr and stdout
    r = run("audit", "health")
    assert r.code == 4
    assert r.err.splitlines()[-1] == "4 breaches, 0 links without data, 1 near saturation (2026-09-22..2026-09-28)"


def test_audit_health_window_and_clean_exit(links, tmp_path):
    # both links healthy over 2026-09-22..28; a 95th percentile ignores a short spike to 49 Mbit/s
    import_csv(tmp_path, hourly(1, "2026-09-22 00:00", 7, rate=lambda h: 49.0 if h < 5 else 10.0)
               + hourly(2, "2026-09-22 00:00", 7))
    r = run("audit", "health")
    assert (r.code, r.out, r.err) == (0, "", "no link breaches a threshold\n")
    assert run("audit", "health", "--json").json()["breaches"] == []
    # a window before the data: nothing to judge, so both links are listed without data
    early = run("audit", "health", "--as-of", "2026-09-21", "--json")
    assert early.code == 4
    assert [(n["link"], n["samples"], n["last_sample"]) for n in early.json()["no_data"]] == [(1, 0, None),
                                                                                             (2, 0, None)]
    # --since picks the first day: 2026-09-28 alone has 24 samples, enough
    one = run("audit", "health", "--since", "2026-09-28", "--json")
    assert (one.code, one.json()["since"], one.json()["breaches"]) == (0, "2026-09-28", [])
    bad = fails(2, "audit", "health", "--since", "2026-09-29", "--as-of", "2026-09-28")
    assert bad.err == "Error: --since 2026-09-29 is after --as-of 2026-09-28; give a window that ends after it starts\n"


def test_availability_function_for_reports(links, tmp_path):
    import_csv(tmp_path, hourly(1, "2026-09-27 00:00", 2, down=(0, 1, 2, 3)) + hourly(2, "2026-09-28 00:00", 0)
               + "L2,2026-09-28 00:00,up,0,1,1,1\n")
    from sqlmodel import Session

    from conftest import db_url
    from egovnet.services.monitoring import availability
    from egovnet.state.db import make_engine

    engine = make_engine(db_url())
    try:
        with Session(engine) as s:
            assert availability(s, [1, 2, 3], dt.date(2026, 9, 27), dt.date(2026, 9, 28)) == {
                1: {"samples": 48, "down": 4, "availability_pct": 91.667},
                2: {"samples": 1, "down": 0, "availability_pct": None},
                3: {"samples": 0, "down": 0, "availability_pct": None}}
            # a datetime end is exclusive; min_samples decides what is too little
            assert availability(s, [1, 2], dt.datetime(2026, 9, 27, 0, 0), dt.datetime(2026, 9, 27, 4, 0),
                                min_samples=1) == {1: {"samples": 4, "down": 4, "availability_pct": 0.0},
                                                   2: {"samples": 0, "down": 0, "availability_pct": None}}
    finally:
        engine.dispose()


def test_the_readme_examples_import(links):
    from conftest import REPO

    assert links[2] == ("zjj-sw1", "GigabitEthernet0/0/2")
    csv_report = ok("monitor", "import", str(REPO / "examples" / "monitoring-export.csv"), "--json").json()
    jsonl_report = ok("monitor", "import", str(REPO / "examples" / "monitoring-export.jsonl"), "--json").json()
    assert (csv_report["created"], jsonl_report["created"], jsonl_report["encoding"]) == (5, 2, "utf-8")
    assert counts() == (7, 2)


def test_audit_health_as_csv_sections(links, tmp_path):
    import_csv(tmp_path, hourly(1, "2026-09-22 00:00", 7, latency=60.0))
    r = run("audit", "health", "--format", "csv")
    assert r.code == 4, r.err
    assert r.out.lstrip("\ufeff").splitlines() == [
        "section,link,units,threshold,value,limit,Art.,samples,last sample (UTC+8),Mbit/s,p95 %,from %",
        "breaches,1,朱家角镇张马村村民委员会,latency_ms,60.0,50.0,20,,,,,",
        "no data,2,朱家角镇安庄村村民委员会,,,,,0,,,,"]


def test_headers_with_their_units_and_a_percentage_where_mbit_s_is_meant(links, tmp_path):
    # a Chinese monitoring system's export (Excel, BOM, CRLF) names each column's unit in its header
    path = tmp_path / "导出.csv"
    path.write_bytes("链路,时间,状态,丢包率（%）,时延(ms),入流量(Mbps),出流量（Mbit/s）\r\n"
                     "L1,2026/9/28 8:00,正常,0.5%,4.5,20,3\r\n".encode("utf-8-sig"))
    ok("monitor", "import", str(path))
    assert sql("SELECT loss_pct, latency_ms, in_mbps, out_mbps FROM monitor_samples") == [(0.5, 4.5, 20.0, 3.0)]
    # utilisation in % where the column is Mbit/s: refused, not read as 35 Mbit/s
    path.write_bytes("链路,时间,状态,入流量\r\nL1,2026-09-28 08:05,up,35%\r\n".encode("utf-8-sig"))
    r = run("monitor", "import", str(path))
    assert r.code == 3, r.err
    assert r.err.splitlines()[0] == ("导出.csv:2: in_mbps: in_mbps '35%' is a percentage; write Mbit/s (audit health "
                                     "divides by the link's applied bandwidth)")
    fails(1, "monitor", "import", str(tmp_path / "x.csv"))   # not found: 1
    assert sql("SELECT count(*) FROM monitor_samples") == [(1,)]
