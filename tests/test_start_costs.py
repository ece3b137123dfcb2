"""What makes lists and audits start fast must not change what they say: the year tables kept in the home, the
JSON layout, the notice page and formats made once per process and copied."""

import datetime as dt
import json
import zipfile

from conftest import ok

from egovnet import calendar
from egovnet.output import json_text


def _fresh_tables():
    calendar._table.cache_clear()
    calendar._cache = None


def test_year_tables_are_kept_in_the_cache_folder_and_give_the_same_days(_home, tmp_path):
    ok("init")
    _fresh_tables()
    r = ok("calendar", "due", "2026-09-30", "15", "--json")
    assert r.json()["due"] == "2026-10-27"
    path = tmp_path / "cache" / "egovnet" / "calendar" / f"holidays-{calendar._holidays_version()}.json"
    assert calendar.cache_file() == path
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["holidays"] == calendar._holidays_version()
    assert stored["years"]["2026"]["published"] is True
    assert "2026-10-01" in stored["years"]["2026"]["off"] and "2026-10-10" in stored["years"]["2026"]["work"]
    assert not (_home / "calendar-cache.json").exists()  # a cache, not the home's data

    # the same working days from the file as from `holidays` itself, year by year
    import holidays

    for year in (2025, 2026, 2027):
        _fresh_tables()
        calendar._table(year)
        _fresh_tables()
        kept = calendar._table(year)   # read back from the file
        cn = holidays.country_holidays("CN", years=year)
        assert kept[0] == frozenset(cn.keys())
        assert kept[1] == frozenset(d for d in cn.weekend_workdays if d.year == year)
    assert set(json.loads(path.read_text(encoding="utf-8"))["years"]) >= {"2025", "2026", "2027"}


def test_a_damaged_or_foreign_cache_is_ignored_and_rewritten(tmp_path):
    path = calendar.cache_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"holidays": "0.0", "years": {"2026": {"off": [], "work": [], "published": true}}}',
                    encoding="utf-8")
    _fresh_tables()
    assert ok("calendar", "due", "2026-09-30", "15", "--json").json()["due"] == "2026-10-27"
    path.write_text("{not json", encoding="utf-8")
    _fresh_tables()
    assert ok("calendar", "due", "2026-09-30", "15", "--json").json()["due"] == "2026-10-27"
    assert json.loads(path.read_text(encoding="utf-8"))["holidays"] == calendar._holidays_version()


def test_an_unwritable_cache_folder_changes_nothing(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))   # a file where the folder would be
    _fresh_tables()
    assert ok("calendar", "due", "2026-09-30", "15", "--json").json()["due"] == "2026-10-27"


def test_json_layout_one_item_a_line_and_the_same_values():
    data = {"as_of": dt.date(2026, 11, 24), "idle": [{"link": 1, "units": ["甲", "乙"], "n": None}, {"link": 2}],
            "none": [], "nested": {"a": [1, 2]}, "count": 2}
    text = json_text(data)
    assert json.loads(text) == json.loads(json.dumps(data, default=str))
    assert text.splitlines() == ['{', '  "as_of": "2026-11-24",', '  "idle": [',
                                 '    {"link": 1, "units": ["甲", "乙"], "n": null},', '    {"link": 2}', '  ],',
                                 '  "none": [],', '  "nested": {', '    "a": [', '      1,', '      2', '    ]',
                                 '  },', '  "count": 2', '}']
    rows = [{"id": 1, "on": dt.date(2026, 1, 2)}, {"id": 2, "on": None}]
    assert json_text(rows) == '[\n  {"id": 1, "on": "2026-01-02"},\n  {"id": 2, "on": null}\n]'
    assert json_text([]) == "[]" and json_text({}) == "{}" and json_text({"a": 1}) == '{\n  "a": 1\n}'


def test_notices_built_one_after_another_do_not_share_state(tmp_path):
    from egovnet.notices import gbt9704 as g
    from egovnet.notices.render import Text

    def head(fmt, no):
        return g.Head(issuer="青浦区大数据中心", masthead="青浦区大数据中心", format=fmt, doc_no=f"青数〔2026〕{no}号",
                      issued_on=dt.date(2026, 11, 24), contact_person="张三", contact_phone="021-59700000",
                      printed_by="青浦区大数据中心")

    first = Text(title="关于同意接入电子政务外网的复函", main_to=["甲村民委员会"], body=["同意。"], copy_to=["镇政府"])
    other = Text(title="关于关停链路的通知", main_to=["乙"], body=["一。", "二。"], attachments=["清单"])

    def xml(text, fmt, no, name):
        path = g.save(g.build(text, head(fmt, no)), tmp_path / name)
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    a = xml(first, "letter", 1, "a.docx")
    xml(other, "file", 2, "b.docx")
    xml(other, "letter", 3, "c.docx")
    assert xml(first, "letter", 1, "d.docx") == a
    assert b"\xe9\x9d\x92\xe6\x95\xb0\xe3\x80\x942026\xe3\x80\x951\xe5\x8f\xb7" in a["word/document.xml"]  # 青数〔2026〕1号
    assert a["word/document.xml"].count(b"<w:p>") + a["word/document.xml"].count(b"<w:p ") >= 10
