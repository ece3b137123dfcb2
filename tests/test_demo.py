from conftest import ok


def test_demo_runs_the_workflow_and_cleans_up(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    r = ok("demo", "--json")
    data = r.json()
    assert data["home"] is None
    assert [(a["unit"], a["status"], a["link_id"]) for a in data["applications"]] == [
        ("朱家角镇张马村村民委员会", "approved", 1), ("朱家角镇张马村卫生室", "approved", 1),
        ("朱家角镇安庄村村民委员会", "submitted", 2)]
    assert data["steps"][-1]["result"].startswith("refused: application 3 cannot be approved")
    assert not list(tmp_path.glob("egovnet-demo-*"))
