import pytest

from conftest import REPO, fails, ok

POLICY = (REPO / "policies.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    matches = [i for i, line in enumerate(text.splitlines(), 1) if line.split("#")[0].rstrip() == needle]
    assert len(matches) == 1, matches
    return matches[0]


def test_repo_policy_is_the_packaged_default():
    assert POLICY == (REPO / "egovnet" / "data" / "policies.yaml").read_text(encoding="utf-8")


def test_check_summary():
    r = ok("policy", "check", "--json")
    data = r.json()
    assert data["regulation"] == {"id": "青府办发〔2023〕62号", "title": "青浦区电子政务外网管理办法",
                                  "issued": "2023-11-17"}
    assert data["unit_categories"] == ["agency", "other", "soe", "village"]
    assert data["deadlines"] == {"review": 5, "construction": 15, "change_review": 5, "change_execution": 10,
                                 "maintenance_notice": 3, "idle_closure_months": 3}
    assert data["link_modes"] == ["dedicated", "vpn"]
    assert data["gated_features"] == ["encryption", "nat"]
    text = ok("policy", "check")
    assert text.err.endswith(": OK\n")
    assert "青府办发〔2023〕62号" in text.out


def test_show_json_carries_articles():
    data = ok("policy", "show", "--json").json()
    assert data["deadlines"]["review"] == {"label": "接入审核", "working_days": 5, "article": 12}
    assert data["deadlines"]["idle_closure"]["article"] == 15
    assert data["unit_categories"]["other"]["justification_required"] is True
    assert data["gated_features"]["encryption"]["requires"] == ["basis", "design"]
    assert data["fees"] == {"article": 25, "budget_unit": "budget", "non_budget_unit": "unit", "currency": "CNY",
                            "monthly_by_bandwidth": [{"up_to_mbps": 20, "monthly": 600.0},
                                                     {"up_to_mbps": 50, "monthly": 1000.0},
                                                     {"up_to_mbps": 100, "monthly": 1800.0},
                                                     {"up_to_mbps": 1000, "monthly": 5000.0},
                                                     {"up_to_mbps": 10000, "monthly": 20000.0}],
                            "shared_split": "equal", "shared_split_article": 14}
    assert data["tickets"]["article"] == 17 and data["tickets"]["working_hours"] == {"start": "09:00:00",
                                                                                      "end": "17:00:00"}
    assert data["tickets"]["severities"]["p1"] == {"label": "多单位中断或骨干故障", "basis": "clock",
                                                   "respond_hours": 1, "restore_hours": 4, "outage": True}
    assert data["statistics"] == {"min_cases": 3}
    assert data["unit_categories"]["soe"]["budget_default"] is False


def write(tmp_path, text):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_malformed_yaml_names_file_and_line(tmp_path):
    text = POLICY.replace("  review:\n    label: 接入审核", "  review:\n    label: [接入审核")
    path = write(tmp_path, text)
    r = fails(1, "--policy", path, "policy", "check")
    assert r.err.startswith(f"Error: {path}:")
    assert "malformed YAML" in r.err


def test_wrong_type_names_line_and_key_path(tmp_path):
    text = POLICY.replace("    working_days: 5\n    article: 12\n  construction:",
                          "    working_days: five\n    article: 12\n  construction:")
    path = write(tmp_path, text)
    r = fails(1, "--policy", path, "policy", "check")
    n = line_of(text, "    working_days: five")
    assert r.err == (f"Error: {path}:{n}: deadlines.review.working_days: Input should be a valid integer, "
                     f"unable to parse string as an integer (got 'five')\n")


def test_unknown_key_names_line_and_key_path(tmp_path):
    text = POLICY.replace("  one_link_per_address: true", "  one_link_per_adress: true")
    path = write(tmp_path, text)
    r = fails(1, "--policy", path, "policy", "check")
    n = line_of(text, "  one_link_per_adress: true")
    assert r.err.startswith(f"Error: {path}:{n}: links.one_link_per_adress: unknown key")


def test_duplicate_key_is_refused(tmp_path):
    text = POLICY.replace("  separation_of_duties: true ", "  separation_of_duties: false\n  separation_of_duties: true ")
    path = write(tmp_path, text)
    r = fails(1, "--policy", path, "policy", "check")
    n = line_of(text, "  separation_of_duties: true")
    assert r.err.startswith(f"Error: {path}:{n}: roles.separation_of_duties: duplicate key")


def test_missing_category_is_refused(tmp_path):
    start = POLICY.index("  soe:\n")
    end = POLICY.index("  other:\n")
    path = write(tmp_path, POLICY[:start] + POLICY[end:])
    r = fails(1, "--policy", path, "policy", "check")
    assert "Art. 9 defines exactly agency, village, soe, other; missing ['soe']" in r.err


def test_unknown_role_for_a_user(tmp_path):
    text = POLICY.replace("      roles: [bdc]\n    bdc.reviewer:", "      roles: [admin]\n    bdc.reviewer:")
    path = write(tmp_path, text)
    r = fails(1, "--policy", path, "policy", "check")
    n = line_of(text, "      roles: [admin]")
    assert r.err.startswith(f"Error: {path}:{n}: roles.users.bdc.engineer.roles[0]: Input should be ")


@pytest.mark.parametrize("content,expect", [
    ("", "(top level): the policy must be a mapping"),
    ("- a\n- b\n", "(top level): the policy must be a mapping"),
])
def test_empty_or_list_policy(tmp_path, content, expect):
    path = write(tmp_path, content)
    assert expect in fails(1, "--policy", path, "policy", "check").err


def test_missing_file(tmp_path):
    r = fails(1, "--policy", str(tmp_path / "nope.yaml"), "policy", "check")
    assert r.err == f"Error: {tmp_path / 'nope.yaml'}: file not found\n"


def test_invalid_policy_blocks_state_changes(tmp_path):
    path = write(tmp_path, POLICY.replace("working_days: 5\n    article: 12\n  construction", "working_days: -1\n    article: 12\n  construction"))
    r = fails(1, "--policy", path, "dept", "add", "区农业农村委")
    assert "deadlines.review.working_days: Input should be greater than or equal to 1" in r.err
    assert not (tmp_path / "home" / "egovnet.db").exists()


@pytest.mark.parametrize("old,new,key,message", [
    ("      basis: clock\n", "      basis: hourly\n", "tickets.severities.p1.basis",
     "Input should be 'clock' or 'working' (got 'hourly')"),
    ("  shared_split: equal\n", "  shared_split: half\n", "fees.shared_split",
     "Input should be 'equal' or 'by_bandwidth' (got 'half')"),
    ("  min_cases: 3\n", "  min_cases: 0\n", "statistics.min_cases",
     "Input should be greater than or equal to 1 (got 0)"),
])
def test_ticket_fee_and_statistics_keys_are_checked(tmp_path, old, new, key, message):
    text = POLICY.replace(old, new, 1)
    path = write(tmp_path, text)
    r = fails(1, "--policy", path, "policy", "check")
    assert r.err == f"Error: {path}:{line_of(text, new.rstrip())}: {key}: {message}\n"
