"""Real identity (issue 10, item 4): the actor is the operating-system account unless the policy declares
identities. The suite itself runs under a declared-identity copy of the policy (conftest)."""

from __future__ import annotations

import os
import pwd

import pytest

from conftest import REPO, fails, file_app, ok

SHIPPED = (REPO / "policies.yaml").read_text(encoding="utf-8")
ME = pwd.getpwuid(os.getuid()).pw_name


def use_policy(tmp_path, text: str) -> None:
    (tmp_path / "policies.yaml").write_text(text, encoding="utf-8")


def with_account(text: str, account: str, role: str = "bdc") -> str:
    """The shipped policy with ``account`` given a role under roles.users."""
    return text.replace("  users:\n", f"  users:\n    {account}:\n      name: 本机账户\n      roles: [{role}]\n", 1)


def test_the_shipped_policy_says_identity_os():
    assert "\nidentity: os\n" in SHIPPED
    assert (REPO / "egovnet" / "data" / "policies.yaml").read_text(encoding="utf-8") == SHIPPED
    assert ok("--policy", str(REPO / "policies.yaml"), "policy", "check", "--json").json()["identity"] == "os"
    assert ok("policy", "check", "--json").json()["identity"] == "declared"   # the suite's copy


@pytest.fixture
def filed(directory):
    """Application 1, filed by the department clerk (under the suite's declared identities)."""
    return file_app("zjj-zhangma")


def test_declared_reviewer_is_refused_under_identity_os(filed, tmp_path, monkeypatch):
    use_policy(tmp_path, SHIPPED)
    monkeypatch.setenv("EGOVNET_USER", "bdc.reviewer")
    r = fails(3, "review", "approve", "1")
    assert r.err == (
        f"Error: user 'bdc.reviewer' (EGOVNET_USER / --user) is not the operating-system account running egovnet "
        f"({ME!r}): policies.yaml says 'identity: os', so the actor is the account that runs egovnet and decisions "
        f"stay with the people the regulation names (Art. 10, 12); log in as 'bdc.reviewer' and unset EGOVNET_USER "
        f"(only a demo or training policy may say 'identity: declared')\n")
    fails(3, "--user", "bdc.reviewer", "review", "approve", "1")
    monkeypatch.delenv("EGOVNET_USER")
    use_policy(tmp_path, SHIPPED.replace("\nidentity: os\n", "\nidentity: declared\n"))
    assert ok("review", "show", "1", "--json").json()["status"] == "submitted"   # nothing was written
    ok("--user", "bdc.reviewer", "review", "approve", "1")                       # declared: honoured


def test_the_os_account_acts_under_identity_os(filed, tmp_path, monkeypatch):
    use_policy(tmp_path, with_account(SHIPPED, ME))
    monkeypatch.delenv("EGOVNET_USER")
    monkeypatch.setenv("USER", "bdc.reviewer")     # login variables are not trusted: the uid is
    monkeypatch.setenv("LOGNAME", "bdc.reviewer")
    ok("review", "approve", "1")
    events = ok("log", "list", "--type", "application", "--id", "1", "--json").json()
    assert [(e["action"], e["actor"]) for e in events] == [("approve", ME), ("file", "dept.zhujiajiao")]


def test_naming_the_os_account_itself_is_honoured(filed, tmp_path, monkeypatch):
    use_policy(tmp_path, with_account(SHIPPED, ME))
    monkeypatch.setenv("EGOVNET_USER", ME)
    ok("review", "approve", "1")
    assert ok("log", "list", "--limit", "1", "--json").json()[0]["actor"] == ME


def test_an_account_without_a_role_is_told_to_log_in_as_one(tmp_path, monkeypatch):
    use_policy(tmp_path, SHIPPED)
    monkeypatch.delenv("EGOVNET_USER")
    r = fails(3, "dept", "add", "区农业农村委")
    assert r.err.startswith(f"Error: user {ME!r} may not maintain the department directory: that needs role 'bdc'")
    assert r.err.endswith(f"{ME!r} has no role; assign it under roles.users in policies.yaml, or log in as an "
                          "account that holds it\n")


def test_an_unknown_identity_mode_is_an_invalid_policy(tmp_path):
    use_policy(tmp_path, SHIPPED.replace("\nidentity: os\n", "\nidentity: anyone\n"))
    r = fails(1, "policy", "check")
    assert "identity" in r.err and "'os' or 'declared'" in r.err


def test_the_demo_plays_several_people_under_a_production_policy(tmp_path, monkeypatch):
    """`egovnet demo` brings its own declared-identity policy; the kept home's log verifies."""
    import tempfile

    use_policy(tmp_path, SHIPPED)
    monkeypatch.delenv("EGOVNET_USER")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    home = ok("demo", "--keep", "--json").json()["home"]
    assert ok("demo", "--keep").err.count("/policies.yaml EGOVNET_USER=bdc.engineer egovnet review list") == 1
    assert "\nidentity: declared\n" in (tmp_path / home / "policies.yaml").read_text(encoding="utf-8")
    monkeypatch.setenv("EGOVNET_HOME", home)
    monkeypatch.setenv("EGOVNET_POLICY", f"{home}/policies.yaml")
    monkeypatch.setenv("EGOVNET_DB", f"sqlite:///{home}/egovnet.db")   # the demo's own database, whatever the suite's
    data = ok("log", "verify", "--json").json()
    assert data["ok"] is True and data["checked"] > 10
    actors = {e["actor"] for e in ok("log", "list", "--json", "--limit", "1000").json()}
    assert actors == {"bdc.engineer", "bdc.reviewer", "dept.zhujiajiao", "office.duty", "office.head"}
