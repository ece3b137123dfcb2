"""Fees by payer (Art. 25): a link shared by a budget unit and a state-owned enterprise split as the policy says
(Art. 14), a link closed mid-month charged by days, and the budget default by category."""

from pathlib import Path

import pytest

from conftest import DEPT, fails, file_app, ok

ADDRESS = "青浦区朱家角镇珠溪路1号"
AGENCY, SOE = "朱家角镇社区事务受理服务中心", "朱家角镇水务公司"


def shared_link(split: str = "equal") -> None:
    if split != "equal":
        policy = Path("policies.yaml")
        policy.write_text(policy.read_text(encoding="utf-8").replace("shared_split: equal", f"shared_split: {split}"),
                          encoding="utf-8")
    ok("dept", "add", DEPT)
    for name, code, category in ((AGENCY, "zjj-sq", "agency"), (SOE, "zjj-sw", "soe")):
        ok("unit", "add", name, "--category", category, "--dept", DEPT, "--code", code, "--town", "朱家角镇",
           "--address", ADDRESS, "--mlps-level", "2", "--mlps-assessed", "2026-03-01")
    file_app("zjj-sq")
    file_app("zjj-sw", "--bandwidth", "150", "--cost-bearer", "unit")   # joins the link at the same address (Art. 14)
    for app in ("1", "2"):
        ok("review", "approve", app, user="bdc.reviewer")
    ok("provision", "1", "2", "--yes")  # opened Monday 09-28
    # closed on Tuesday 10-20: October is charged for 20 of its 31 days
    ok("decommission", "1", "--reason", "搬迁", "--yes", today="2026-10-20")


def test_unit_add_defaults_budget_by_category_and_says_so():
    ok("dept", "add", DEPT)
    r = ok("unit", "add", SOE, "--category", "soe", "--dept", DEPT, "--code", "zjj-sw", "--json")
    assert r.json()["budget_unit"] is False
    assert r.err == (f"unit {SOE}: not a budget unit (pays its own fees) by default for category soe "
                     "(unit_categories.soe.budget_default, Art. 25); give --budget or --no-budget to say otherwise\n")
    r = ok("unit", "add", AGENCY, "--category", "agency", "--dept", DEPT, "--code", "zjj-sq", "--json")
    assert r.json()["budget_unit"] is True and "a district budget unit by default for category agency" in r.err
    r = ok("unit", "add", "朱家角镇国资公司", "--category", "soe", "--dept", DEPT, "--code", "zjj-gz", "--budget", "--json")
    assert (r.json()["budget_unit"], r.err) == (True, "")


@pytest.mark.parametrize("split,shares", [("equal", (0.5, 0.5)), ("by_bandwidth", (0.25, 0.75))])
def test_shared_link_split_between_payers_and_closed_mid_month(lab, split, shares):
    shared_link(split)
    r = ok("report", "fees", "--year", "2026", "--month", "10", "--json", today="2026-11-02").json()
    # the shared link carries the larger request, 150 Mbps: the tier up to 1000 Mbps, 5,000 a month; open 10-01..10-20
    month = round(5000 * 20 / 31, 2)
    a, b = round(5000 * 20 / 31 * shares[0], 2), round(5000 * 20 / 31 * shares[1], 2)
    assert r == {
        "year": 2026, "month": 10, "from": "2026-10-01", "to": "2026-10-31", "currency": "CNY", "split": split,
        "article": 25,
        "units": [{"unit": SOE, "code": "zjj-sw", "dept": DEPT, "town": "朱家角镇", "budget_unit": False,
                   "payer": "unit", "links": [1], "link_days": 20, "amount": b},
                  {"unit": AGENCY, "code": "zjj-sq", "dept": DEPT, "town": "朱家角镇", "budget_unit": True,
                   "payer": "budget", "links": [1], "link_days": 20, "amount": a}],
        "departments": [{"dept": DEPT, "units": 2, "link_days": 40, "amount": round(a + b, 2), "budget": a,
                         "unit": b}],
        "links": [{"link": 1, "address": ADDRESS, "bandwidth_mbps": 150, "monthly": [5000.0], "link_days": 20,
                   "amount": month, "units": [AGENCY, SOE], "shares": list(shares)}],
        "totals": {"amount": round(a + b, 2), "budget": a, "unit": b}}
    # the year: September from the opening day 09-28 (3 of 30 days) and October to the closing day
    y = ok("report", "fees", "--year", "2026", "--json", today="2026-11-02").json()
    assert (y["links"][0]["link_days"], y["links"][0]["amount"]) == (23, round(5000 * 3 / 30 + 5000 * 20 / 31, 2))
    assert ok("report", "fees", "--year", "2026", "--month", "11", "--json", today="2026-11-02").json()["units"] == []
    ok("report", "fees", "--year", "2026", "--out", "fees.xlsx", today="2026-11-02")
    from openpyxl import load_workbook

    wb = load_workbook("fees.xlsx")
    assert wb.sheetnames == ["units", "departments", "links"]
    assert [c.value for c in wb["units"][1]][:3] == ["unit", "department", "payer"]


@pytest.mark.parametrize("args,code,err", [
    (["--year", "2026", "--month", "13"], 2, "Error: --month 13 is not a month; give 1 to 12\n"),
    (["--year", "1999"], 2, "Error: --year 1999 is outside the years egovnet works with (2000-2099)\n"),
    (["--year", "2026", "--format", "xlsx"], 2, None),
])
def test_report_fees_bad_input(args, code, err):
    r = fails(code, "report", "fees", *args)
    if err:
        assert r.err == err


def test_a_fee_schedule_out_of_order_is_named_with_its_line():
    policy = Path("policies.yaml")
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("{up_to_mbps: 50, monthly: 1000}", "{up_to_mbps: 5, monthly: 1000}"),
                      encoding="utf-8")
    line = text[:text.index("\nfees:\n")].count("\n") + 2   # the line of the section
    assert fails(1, "report", "fees", "--year", "2026").err == (
        f"Error: policies.yaml:{line}: fees: monthly_by_bandwidth: tiers must be listed by rising up_to_mbps, each bound "
        "once\n")


def test_unit_import_defaults_budget_by_category_and_says_so(tmp_path):
    ok("dept", "add", DEPT)
    f = tmp_path / "units.csv"
    f.write_text("name,code,category,dept,budget\n"
                 f"{SOE},zjj-sw,soe,{DEPT},\n"
                 f"{AGENCY},zjj-sq,agency,{DEPT},\n"
                 f"朱家角镇国资公司,zjj-gz,soe,{DEPT},是\n", encoding="utf-8")
    r = ok("unit", "import", str(f))
    assert r.err.splitlines()[1:3] == [
        f"line 2: unit {SOE}: no budget column value; not a budget unit (pays its own fees) by default for category "
        "soe (unit_categories.soe.budget_default, Art. 25)",
        f"line 3: unit {AGENCY}: no budget column value; a district budget unit by default for category agency "
        "(unit_categories.agency.budget_default, Art. 25)"]
    units = {u["code"]: u["budget_unit"] for u in ok("unit", "list", "--json").json()}
    assert units == {"zjj-sw": False, "zjj-sq": True, "zjj-gz": True}
