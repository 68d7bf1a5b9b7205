"""The ledger (台账) the way offices keep it (issue 14): .xlsx and CSV in
and out, import as a sync with a plan, columns and values as people write
them, the checks that keep a ledger true, and closed accounts that publish
again.

Workbooks come from writers that are not ours: openpyxl (written in the
test), LibreOffice (tests/fixtures/ledger/, made by its script there, and
live when soffice is installed) and zip files written by hand for the
forms and the attacks those two never produce."""

import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import zipfile
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
import shutil

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from feedserver import feeds  # noqa: F401  (fixture)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ledger"
CST = timezone(timedelta(hours=8))
NOW = "2026-11-25T10:00:00"
TODAY = "2026-11-25"

HEADINGS = ["单位代码", "单位名称", "平台", "账号名称", "账号ID", "订阅地址",
            "运维人员", "备案号", "开设日期", "状态", "关停日期", "备注"]
EN_HEADINGS = ["unit_code", "unit_name", "platform", "name", "platform_uid",
               "feed_url", "operator", "filing_no", "opened_on", "status",
               "closed_on", "notes"]


# ---------------------------------------------------------------- helpers

@pytest.fixture
def lw(mw):
    """mw with a fixed clock and the two units of every ledger here."""
    mw.now(NOW)
    mw.add_unit("WYS-GOV", "武夷山市人民政府办公室")
    mw.add_unit("WYS-EDU", "武夷山市教育局")
    return mw


def plan(mw, path, *args):
    """The import's plan as JSON (exit 0 required)."""
    return mw.json("account", "import", str(path), *args)


def actions(p):
    return {k: v for k, v in p["counts"].items() if v}


def accounts(mw):
    """The registry as {(platform, name): record}."""
    return {(a["platform"], a["name"]): a for a in mw.json("account", "list")}


def record(mw, platform, name):
    acc = accounts(mw)[(platform, name)]
    return mw.json("account", "show", str(acc["id"]))


def workbook(rows, title=None, path=None, epoch=None):
    """An openpyxl workbook with rows (lists of cell values) from row 1."""
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    ws.title = title or "台账"
    for r in rows:
        ws.append(r)
    if path is not None:
        wb.save(path)
    return wb


def assert_refused(r, *fragments):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    for f in fragments:
        assert f in r.stderr, f"{f!r} not in {r.stderr!r}"


def csv_text(rows, newline="\r\n"):
    out = io.StringIO()
    w = csv.writer(out, lineterminator=newline)
    w.writerows(rows)
    return out.getvalue()


def history(mw, acc):
    return mw.json("account", "history", str(acc))


# A ledger as a county office keeps it: a title merged across the table,
# the unit's name merged down over its accounts, platforms by their
# Chinese names, dates as dates, as text and as a serial number, ids typed
# as numbers, a note with a line break, numbered rows left empty.
OFFICE_ROWS = [
    ["武夷山市政务新媒体账号台账（2026年11月）"] + [None] * 9,
    ["序号", "单位名称", "平台类型", "账号名称", "账号ID", "运维人员",
     "备案号", "开设时间", "状态", "备注"],
    [1, "武夷山市人民政府办公室", "微信公众号", "武夷山发布", "gh_3a5f9c1d2e7b",
     "周敏", "闽武政新备〔2016〕001号", datetime(2016, 3, 15), "在用", None],
    [2, None, "微博", "武夷山发布", 2783640155, "周敏",
     "闽武政新备〔2013〕002号", "2013年6月20日", "在用", "官方\n微博"],
    [3, None, "头条号", "武夷山发布", 1617253841023, "彭涛",
     "闽武政新备〔2018〕009号", 43346, "暂停", None],
    [4, "武夷山市教育局", "视频号", "武夷山教育", None, "林晓燕", None,
     "2021/5/6", "在用", "新开设"],
    [5] + [None] * 9,
    [6] + [None] * 9,
]


def office_workbook(path):
    wb = workbook(OFFICE_ROWS)
    ws = wb.active
    ws.merge_cells("A1:J1")
    ws.merge_cells("B3:B5")
    for row in ws.iter_rows(min_row=3, max_row=3, min_col=8, max_col=8):
        row[0].number_format = "yyyy\"年\"m\"月\"d\"日\""
    wb.save(path)
    return path


# ------------------------------------------------- imports without editing

def test_office_workbook_imports_without_editing(lw):
    path = office_workbook(lw.dir / "台账.xlsx")
    p = plan(lw, path)
    assert actions(p) == {"new": 4}
    assert [i["line"] for i in p["items"]] == [3, 4, 5, 6]
    got = accounts(lw)
    assert sorted(got) == [("channels", "武夷山教育"), ("toutiao", "武夷山发布"),
                           ("wechat", "武夷山发布"), ("weibo", "武夷山发布")]
    weibo = got[("weibo", "武夷山发布")]
    assert weibo["unit"] == "WYS-GOV"          # from the merged unit cell
    assert weibo["platform_uid"] == "2783640155"
    assert weibo["opened_on"] == "2013-06-20"
    assert weibo["notes"] == "官方 微博"
    assert got[("wechat", "武夷山发布")]["opened_on"] == "2016-03-15"
    toutiao = got[("toutiao", "武夷山发布")]
    assert toutiao["platform_uid"] == "1617253841023"
    assert toutiao["opened_on"] == "2018-09-03"  # serial 43346
    assert toutiao["status"] == "suspended"
    channels = got[("channels", "武夷山教育")]
    assert (channels["unit"], channels["opened_on"], channels["operator"]) == (
        "WYS-EDU", "2021-05-06", "林晓燕")
    # the same file again changes nothing
    before = lw.dump()
    assert actions(plan(lw, path)) == {"unchanged": 4}
    assert lw.dump() == before


def test_libreoffice_saved_workbook_imports(lw):
    p = plan(lw, FIXTURES / "office-ledger-libreoffice.xlsx")
    assert actions(p) == {"new": 5}
    got = accounts(lw)
    assert got[("weibo", "武夷山发布")]["platform_uid"] == "2783640155"
    assert got[("weibo", "武夷山发布")]["opened_on"] == "2013-06-20"
    assert got[("weibo", "武夷山发布")]["notes"] == "官方微博"
    douyin = got[("douyin", "武夷山教育")]
    assert (douyin["opened_on"], douyin["status"], douyin["notes"]) == (
        "2019-04-08", "suspended", "运维调整,暂停更新")
    toutiao = got[("toutiao", "武夷山教育")]
    assert (toutiao["platform_uid"], toutiao["status"], toutiao["closed_on"]) \
        == ("1617253841023", "closed", TODAY)
    assert got[("channels", "武夷山教育")]["opened_on"] == "2021-05-06"
    # the CSV LibreOffice read gives the same ledger
    before = lw.dump()
    assert actions(plan(lw, FIXTURES / "office-ledger.csv")) == {"unchanged": 5}
    assert lw.dump() == before


def test_workbook_in_the_1904_date_system(lw):
    path = lw.dir / "mac.xlsx"
    workbook([["单位代码", "平台", "账号名称", "开设日期"],
              ["WYS-GOV", "weibo", "武夷山发布", datetime(2019, 3, 5)]],
             path=path, epoch=CALENDAR_MAC_1904)
    with zipfile.ZipFile(path) as z:
        assert b'date1904="1"' in z.read("xl/workbook.xml")
    plan(lw, path)
    assert accounts(lw)[("weibo", "武夷山发布")]["opened_on"] == "2019-03-05"


def test_sheet_option_names_the_worksheet(lw):
    wb = workbook([["填表说明"], ["状态填写：在用、暂停、关停"]], title="填表说明")
    ws = wb.create_sheet("台账")
    for r in (["单位代码", "平台", "账号名称"], ["WYS-GOV", "抖音", "武夷山发布"]):
        ws.append(r)
    path = lw.dir / "two.xlsx"
    wb.save(path)
    before = lw.dump()
    # the first sheet has no ledger in it: refused, naming the file
    assert_refused(lw.run("account", "import", path), f"{path}:", "required column")
    assert_refused(lw.run("account", "import", path, "--sheet", "无此表"),
                   'no worksheet "无此表"', '"填表说明", "台账"')
    assert lw.dump() == before
    assert actions(plan(lw, path, "--sheet", "台账")) == {"new": 1}


# A workbook written by hand: the forms openpyxl and LibreOffice do not
# write (inline strings, rich text with phonetic runs, escapes, formula
# results, cells without references, a custom Chinese date format).

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/xl/styles.xml"/>'
    '</Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="176" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/></numFmts>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs>'
    '</styleSheet>')
STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<si><t>单位代码</t></si><si><t>平台</t></si><si><t>账号名称</t></si>'
    '<si><t>开设日期</t></si><si><t>备注</t></si>'
    '<si><r><rPr><b/></rPr><t>武夷山</t></r><r><t xml:space="preserve">教育</t></r>'
    '<rPh sb="0" eb="3"><t>ウイサン</t></rPh></si>'
    '<si><t>第一行_x000D__x000A_第二行 a_x005F_x0041_b</t></si>'
    '</sst>')


def sheet_xml(rows):
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{rows}</sheetData></worksheet>')


HAND_SHEET = sheet_xml(
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>'
    '<c r="E1" t="s"><v>4</v></c></row>'
    # no r on the row or the cells: they follow the previous ones
    '<row><c t="inlineStr"><is><t>WYS-EDU</t></is></c>'
    '<c t="str"><f>"微信"&amp;"公众号"</f><v>微信公众号</v></c>'
    '<c t="s"><v>5</v></c><c s="1"><v>43529</v></c><c t="s"><v>6</v></c></row>')


def write_zip(path, parts, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def hand_parts(**override):
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS,
             "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WB_RELS,
             "xl/styles.xml": STYLES, "xl/sharedStrings.xml": STRINGS,
             "xl/worksheets/sheet1.xml": HAND_SHEET}
    parts.update(override)
    return parts


def test_hand_written_workbook_inline_rich_and_escaped_text(lw):
    path = write_zip(lw.dir / "hand.xlsx", hand_parts())
    assert actions(plan(lw, path)) == {"new": 1}
    acc = accounts(lw)[("wechat", "武夷山教育")]
    assert acc["unit"] == "WYS-EDU"
    assert acc["opened_on"] == "2019-03-05"
    # the line break of the note becomes a space; _x005F_ escapes '_'
    assert acc["notes"] == "第一行 第二行 a_x0041_b"


HOSTILE = {
    "billion-laughs": {"xl/sharedStrings.xml": (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<si><t>&c;</t></si></sst>')},
    "external-entity": {"xl/sharedStrings.xml": (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]><sst xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><si><t>&x;</t></si></sst>')},
    "utf16-part": {"xl/workbook.xml": WORKBOOK.replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")},
    "malformed-xml": {"xl/worksheets/sheet1.xml": sheet_xml("<row><c>")},
    "missing-shared-string": {"xl/worksheets/sheet1.xml": sheet_xml(
        '<row r="1"><c t="s"><v>99</v></c></row>')},
    "rows-out-of-order": {"xl/worksheets/sheet1.xml": sheet_xml(
        '<row r="5"><c t="s"><v>0</v></c></row><row r="2"></row>')},
    "cell-beyond-excel": {"xl/worksheets/sheet1.xml": sheet_xml(
        '<row r="1"><c r="XFE1" t="s"><v>0</v></c></row>')},
    "no-worksheet": {"xl/workbook.xml": WORKBOOK.replace(
        '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets>', '')},
}


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_hostile_workbook_is_refused_and_changes_nothing(lw, attack):
    path = write_zip(lw.dir / f"{attack}.xlsx", hand_parts(**HOSTILE[attack]))
    before = lw.dump()
    r = lw.run("account", "import", path)
    assert_refused(r, f"{path}: ", "nothing imported")
    assert "root:" not in r.stderr + r.stdout
    assert lw.dump() == before


def test_zip_bombs_stop_at_the_limits(lw):
    before = lw.dump()
    # 9 MiB of styles, far past the limit of a part like it, in 9 KiB
    bomb = write_zip(lw.dir / "bomb.xlsx", hand_parts(**{
        "xl/styles.xml": STYLES.replace("</styleSheet>", " " * (9 << 20)
                                        + "</styleSheet>")}))
    assert bomb.stat().st_size < 64 * 1024
    assert_refused(lw.run("account", "import", bomb), "xl/styles.xml",
                   "more than 8 MiB uncompressed")
    many = hand_parts()
    many.update({f"xl/media/image{i}.png": b"" for i in range(4100)})
    crowd = write_zip(lw.dir / "crowd.xlsx", many, zipfile.ZIP_STORED)
    assert_refused(lw.run("account", "import", crowd), "more than 4096 entries")
    garbage = lw.write("garbage.xlsx", b"PK\x03\x04" + os.urandom(4000))
    assert_refused(lw.run("account", "import", garbage), "not an .xlsx workbook")
    assert lw.dump() == before


# ------------------------------------------------------------ the sync

BASE_LEDGER = [
    ["序号", "单位代码", "平台", "账号名称", "账号ID", "运维人员", "开设日期",
     "状态", "备注"],
    [1, "WYS-GOV", "微信公众号", "武夷山发布", "gh_3a5f", "周敏", "2016-03-15",
     "在用", ""],
    [2, "WYS-GOV", "微博", "武夷山发布", "2783640155", "周敏", "2013-06-20",
     "在用", ""],
    [3, "WYS-EDU", "抖音", "武夷山教育", "dy_edu", "林晓燕", "2019-04-08", "在用",
     ""],
    [4, "WYS-EDU", "网站", "武夷山市教育局网站", "", "林晓燕", "2015-01-01",
     "在用", ""],
]


def test_a_changed_copy_reimports_as_a_plan_and_then_applies(lw):
    workbook(BASE_LEDGER, path=lw.dir / "台账.xlsx")
    plan(lw, lw.dir / "台账.xlsx")
    ids = {k: v["id"] for k, v in accounts(lw).items()}
    changed = [r[:] for r in BASE_LEDGER]
    changed[1][5] = "张三"                         # operator
    changed[2][3] = "武夷山发布微博"               # renamed, found by its uid
    changed[2][7] = "暂停"                         # suspended
    changed[4][8] = "改版中"                       # a note
    del changed[3]                                 # douyin no longer listed
    changed.append([5, "WYS-EDU", "视频号", "武夷山教育", "", "林晓燕",
                    "2025/1/2", "在用", ""])
    path = lw.dir / "台账-第二版.xlsx"
    workbook(changed, path=path)
    before = lw.dump()

    r = lw.run("account", "import", path, "--dry-run", "--close-missing",
               check=0)
    assert lw.dump() == before
    out = r.stdout.splitlines()
    assert out == [
        f"change  account {ids[('wechat', '武夷山发布')]}, row 2: "
        "WYS-GOV 微信公众号 武夷山发布 (gh_3a5f)",
        "          operator: 周敏 → 张三",
        f"change  account {ids[('weibo', '武夷山发布')]}, row 3: "
        "WYS-GOV 微博 武夷山发布微博 (2783640155)",
        "          name: 武夷山发布 → 武夷山发布微博",
        "          status: active → suspended",
        f"change  account {ids[('website', '武夷山市教育局网站')]}, row 4: "
        "WYS-EDU 网站 武夷山市教育局网站",
        "          notes: (none) → 改版中",
        "new     row 5: WYS-EDU 视频号 武夷山教育",
        f"close   account {ids[('douyin', '武夷山教育')]}: "
        "WYS-EDU 抖音 武夷山教育 (dy_edu) (not in the file)",
        "          status: active → closed",
        f"dry run of {path}: 1 new, 3 changed, 0 unchanged, 1 to close; "
        "nothing was stored",
    ]
    # a file that lists nothing closes nothing
    empty = lw.dir / "empty.xlsx"
    workbook([BASE_LEDGER[0]], path=empty)
    assert_refused(lw.run("account", "import", empty, "--close-missing"),
                   "lists no account")
    assert lw.dump() == before
    # without --close-missing the missing account stays open
    assert actions(plan(lw, path, "--dry-run")) == {"new": 1, "changed": 3}
    assert lw.dump() == before

    p = plan(lw, path, "--close-missing")
    assert actions(p) == {"new": 1, "changed": 3, "close": 1}
    now = accounts(lw)
    assert now[("wechat", "武夷山发布")]["operator"] == "张三"
    assert now[("weibo", "武夷山发布微博")]["status"] == "suspended"
    assert now[("douyin", "武夷山教育")]["status"] == "closed"
    assert now[("douyin", "武夷山教育")]["closed_on"] == TODAY
    assert now[("channels", "武夷山教育")]["opened_on"] == "2025-01-02"
    # every change is audited with the file's name (and its row)
    weibo = history(lw, ids[("weibo", "武夷山发布")])
    assert [(h["action"], h["reason"]) for h in weibo[1:]] == [
        ("account.change", "台账导入：台账-第二版.xlsx 第3行"),
        ("account.suspend", "台账导入：台账-第二版.xlsx 第3行")]
    douyin = history(lw, ids[("douyin", "武夷山教育")])
    assert douyin[-1]["reason"] == "台账导入：台账-第二版.xlsx 中已无此账号"
    new = history(lw, now[("channels", "武夷山教育")]["id"])
    assert new[0]["reason"] == "台账导入：台账-第二版.xlsx 第5行"
    # and the copy is now the ledger
    assert actions(plan(lw, path)) == {"unchanged": 4}


def test_a_bad_row_refuses_the_whole_sync(lw):
    workbook(BASE_LEDGER, path=lw.dir / "a.xlsx")
    plan(lw, lw.dir / "a.xlsx")
    changed = [r[:] for r in BASE_LEDGER]
    changed[1][5] = "张三"
    changed[4][6] = "2019/2/30"
    path = workbook(changed, path=lw.dir / "b.xlsx") or lw.dir / "b.xlsx"
    before = lw.dump()
    r = lw.run("account", "import", lw.dir / "b.xlsx")
    assert_refused(r, f'{lw.dir / "b.xlsx"}:5:G: 开设日期 "2019/2/30": is not a '
                   "real calendar date", "nothing imported (1 error)")
    assert r.stdout == ""
    assert lw.dump() == before
    del path


def big_csv(n, operator="运维人员"):
    rows = [["单位代码", "平台", "账号名称", "账号ID", "运维人员", "开设日期"]]
    rows += [["WYS-GOV", "抖音", f"武夷山抖音账号{i}", f"dy{i}", f"{operator}{i}",
              "2024-01-01"] for i in range(n)]
    return csv_text(rows)


def kill_mid_import(mw, path, *args):
    """Starts an import and kills it with SIGKILL once it has written into
    the WAL (its transaction is under way).  Returns the exit status."""
    wal = Path(str(mw.db_path) + "-wal")
    start = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen(
        [str(mw.ctl_path), "-c", str(mw.conf_path), "account", "import",
         str(path), *args], env=mw._env(None), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > start + 512 * 1024:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.001)
    return proc.wait(timeout=60)


def integrity(mw):
    return mw.sql("PRAGMA integrity_check") == [("ok",)]


def test_import_killed_mid_way_stores_nothing_or_everything(lw):
    n = 20000
    path = lw.write("big.csv", big_csv(n))
    status = kill_mid_import(lw, path)
    assert status == -signal.SIGKILL, "the import ended before it was killed"
    assert integrity(lw)
    assert lw.sql("SELECT count(*) FROM account") == [(0,)]
    assert lw.sql("SELECT count(*) FROM audit WHERE entity = 'account'") == [(0,)]
    lw.run("account", "import", path, check=0)
    assert lw.sql("SELECT count(*) FROM account") == [(n,)]

    # a sync killed mid-way: every account keeps its old operator, or all
    # have the new one
    again = lw.write("again.csv", big_csv(n, operator="新运维"))
    status = kill_mid_import(lw, again)
    assert status == -signal.SIGKILL
    assert integrity(lw)
    assert lw.sql("SELECT count(*) FROM account WHERE operator LIKE '新运维%'") \
        == [(0,)]
    assert lw.sql("SELECT count(*) FROM audit WHERE action = 'account.change'") \
        == [(0,)]


def test_rows_find_their_accounts_by_uid_else_unit_platform_and_name(lw):
    a = lw.open_account("WYS-GOV", "weibo", "武夷山发布")            # no uid yet
    b = lw.open_account("WYS-GOV", "douyin", "旧抖音号", uid="dy_old")
    lw.run("account", "close", str(b), "--reason", "注销", check=0)
    c = lw.open_account("WYS-EDU", "wechat", "武夷山教育", uid="gh_edu")
    rows = [["填报单位：武夷山市电子政务中心", "", "填报日期：2026年11月25日"],
            ["单位代码", "单位名称", "平台", "账号名称", "账号ID", "状态"],
            # found by unit, platform and name: the uid is added
            ["WYS-GOV", "武夷山市人民政府办公室", "微博", "武夷山发布",
             "2783640155", "在用"],
            # the closed account's uid, said to be in use: a new account
            ["WYS-GOV", "", "抖音", "新抖音号", "dy_old", "在用"],
            # found by uid: moved to another unit and renamed
            ["WYS-GOV", "", "公众号", "武夷山发布（教育）", "gh_edu", ""]]
    path = lw.dir / "match.xlsx"
    workbook(rows, path=path)
    p = plan(lw, path, "--dry-run")
    items = {i["line"]: i for i in p["items"]}
    assert p["counts"] == {"new": 1, "changed": 2, "unchanged": 0, "close": 0}
    assert (items[3]["account"], items[3]["changes"]) == (a, [
        {"field": "platform_uid", "before": "", "after": "2783640155"}])
    assert items[4]["account"] is None
    assert items[4]["label"].endswith(
        f"— a new account; account {b}, closed, had this uid")
    assert items[5]["account"] == c
    assert [ch["field"] for ch in items[5]["changes"]] == ["unit_code", "name"]
    # a unit code and a name that is not its unit's
    bad = lw.dir / "unit.xlsx"
    workbook([["单位代码", "单位名称", "平台", "账号名称"],
              ["WYS-GOV", "武夷山市教育局", "微博", "武夷山发布"]], path=bad)
    assert_refused(lw.run("account", "import", bad),
                   f'{bad}:2:B: 单位名称 "武夷山市教育局": is not the name of '
                   "unit WYS-GOV (武夷山市人民政府办公室)")


# ------------------------------------------------------------- columns

def test_errors_name_every_bad_cell_of_every_row(lw):
    rows = [["单位代码", "平台", "账号名称", "开设日期", "状态", "颜色"],
            ["NOPE", "myspace", "", "2019/2/30", "停摆", "红"]]
    rows += [["WYS-GOV", "myspace", f"号{i}", "", "", ""] for i in range(60)]
    path = lw.write("bad.csv", csv_text(rows))
    before = lw.dump()
    assert_refused(lw.run("account", "import", path),
                   f'{path}:1:6: heading "颜色": unknown column')
    r = lw.run("account", "import", path, "--ignore-unknown")
    assert_refused(r, f'{path}:2:1: 单位代码 "NOPE": no such unit',
                   f'{path}:2:2: 平台 "myspace": is not a configured platform',
                   f'{path}:2:3: 账号名称 "": must not be empty',
                   f'{path}:2:4: 开设日期 "2019/2/30": is not a real calendar',
                   f'{path}:2:5: 状态 "停摆": is not a status',
                   f"{path}: 15 more errors not shown",
                   f"{path}: nothing imported (65 errors)")
    assert r.stderr.count(f"{path}:") == 50 + 2
    assert lw.dump() == before
    # in a workbook the column is its letter
    workbook(rows[:3], path=lw.dir / "bad.xlsx")
    assert_refused(lw.run("account", "import", lw.dir / "bad.xlsx",
                          "--ignore-unknown"),
                   f'{lw.dir / "bad.xlsx"}:3:B: 平台 "myspace": ')


def test_two_rows_for_one_account_are_named_with_both_lines(lw):
    path = lw.write("twice.csv", csv_text([
        ["单位代码", "平台", "账号名称", "账号ID"],
        ["WYS-GOV", "微博", "武夷山发布", "2783640155"],
        ["WYS-EDU", "抖音", "武夷山教育", "dy1"],
        ["WYS-GOV", "新浪微博", "武夷山发布（重复）", "2783640155"]]))
    assert_refused(lw.run("account", "import", path, "--dry-run"),
                   f'{path}:4:4: 账号ID "2783640155": line 2 lists the same '
                   "account")


def test_excel_shortened_ids_are_refused(lw):
    path = lw.write("short.csv", csv_text([
        ["单位代码", "平台", "账号名称", "账号ID"],
        ["WYS-GOV", "头条号", "武夷山发布", "1.61725E+12"]]))
    assert_refused(lw.run("account", "import", path),
                   f'{path}:2:4: 账号ID "1.61725E+12": is a number the '
                   "spreadsheet shortened")


def test_gbk_csv_as_excel_on_chinese_windows_saves_it(lw):
    # Excel's "CSV (逗号分隔)" on Chinese Windows: code page 936 without a
    # BOM, CRLF, quotes only around fields with commas or quotes, dates as
    # the cells show them
    text = ("序号,单位名称,平台,账号名称,账号ID,运维人员,开设时间,备注\r\n"
            "1,武夷山市人民政府办公室,微博,武夷山发布,2783640155,周敏,2013/6/20,"
            "\"官方微博,每日更新\"\r\n"
            "2,武夷山市教育局,微信公众号,\"武夷山教育\"\"官方\"\"\",gh_7c21,林晓燕,"
            "2019/3/5,\r\n")
    data = text.encode("gbk")
    assert not data.startswith(b"\xef\xbb\xbf")
    path = lw.write("台账.csv", data)
    before = lw.dump()
    assert_refused(lw.run("account", "import", path), "--encoding gbk")
    assert lw.dump() == before
    lw.run("account", "import", path, "--encoding", "gbk", check=0)
    got = accounts(lw)
    assert got[("weibo", "武夷山发布")]["notes"] == "官方微博,每日更新"
    assert got[("weibo", "武夷山发布")]["opened_on"] == "2013-06-20"
    assert got[("wechat", '武夷山教育"官方"')]["unit"] == "WYS-EDU"


def test_status_and_closing_columns(lw):
    path = lw.write("s.csv", csv_text([
        ["单位代码", "平台", "账号名称", "状态", "关停日期", "开设日期"],
        ["WYS-GOV", "weibo", "在用号", "在用", "", "2019-01-01"],
        ["WYS-GOV", "douyin", "暂停号", "暂停", "", "2019-01-01"],
        ["WYS-GOV", "toutiao", "关停号", "关停", "2024年3月1日", "2019-01-01"],
        ["WYS-GOV", "kuaishou", "注销号", "注销", "", "2019-01-01"]]))
    plan(lw, path)
    got = accounts(lw)
    assert [got[k]["status"] for k in sorted(got)] == [
        "suspended", "closed", "closed", "active"]
    assert got[("toutiao", "关停号")]["closed_on"] == "2024-03-01"
    assert got[("kuaishou", "注销号")]["closed_on"] == TODAY
    # a closed record is kept as it was
    fix = lw.write("fix.csv", csv_text([
        ["单位代码", "平台", "账号名称", "状态", "运维人员"],
        ["WYS-GOV", "toutiao", "关停号", "关停", "新人"]]))
    assert_refused(lw.run("account", "import", fix),
                   f'{fix}:2:5: 运维人员 "新人": account '
                   f'{got[("toutiao", "关停号")]["id"]} is closed')
    # an open account has no closing date
    bad = lw.write("bad.csv", csv_text([
        ["单位代码", "平台", "账号名称", "状态", "关停日期"],
        ["WYS-GOV", "weibo", "在用号", "在用", "2024-03-01"]]))
    assert_refused(lw.run("account", "import", bad),
                   'an open account has no closing date')


# ------------------------------------------------------------- export

def every_status_ledger(mw):
    """Accounts in every status, with text a spreadsheet would read as a
    formula or a number, commas and quotes."""
    a = mw.open_account("WYS-GOV", "weibo", "=HYPERLINK(\"http://x\",\"点我\")",
                        "--operator", "+86 0599", "--filing", "-",
                        "--notes", "@所有人, \"注意\"", "--opened", "2013-06-20",
                        uid="2783640155")
    b = mw.open_account("WYS-GOV", "wechat", "'=1+1", "--opened", "2016-03-15",
                        uid="gh_3a5f", feed="https://www.wuyishan.gov.cn/rss.xml")
    c = mw.open_account("WYS-EDU", "douyin", "武夷山教育", "--operator", "林晓燕",
                        "--filing", "闽武政新备〔2019〕014号", "--opened",
                        "2019-04-08", uid="0012345")
    d = mw.open_account("WYS-EDU", "toutiao", "武夷山教育", "--opened",
                        "2018-09-03", uid="1617253841023")
    e = mw.open_account("WYS-EDU", "wechat", "武夷山教育（旧）", "--opened",
                        "2015-01-01")
    mw.run("account", "suspend", str(c), "--reason", "运维调整", check=0)
    mw.run("account", "close", str(d), "--on", "2024-03-01", "--reason", "关停",
           check=0)
    mw.run("account", "merge", str(e), "--into", str(b), "--reason", "整合",
           check=0)
    return a, b, c, d, e


EXPORTS = {
    "csv": ([], "ledger.csv"),
    "csv-gbk": (["--encoding", "gbk"], "ledger-gbk.csv"),
    "csv-en": (["--headings", "en"], "ledger-en.csv"),
    "xlsx": (["--format", "xlsx"], "ledger.xlsx"),
    "xlsx-en": (["--format", "xlsx", "--headings", "en"], "ledger-en.xlsx"),
}


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_export_then_import_changes_nothing_for_every_status(lw, kind):
    every_status_ledger(lw)
    args, name = EXPORTS[kind]
    out = lw.dir / name
    r = lw.run("account", "export", *args, "--out", out, check=0)
    assert r.stdout == f"wrote 5 accounts to {out}\n"
    before = lw.dump()
    encoding = ["--encoding", "gbk"] if "gbk" in kind else []
    p = plan(lw, out, *encoding)
    assert actions(p) == {"unchanged": 5}, p
    assert lw.dump() == before


def test_csv_export_opens_in_excel_and_guards_formulas(lw):
    every_status_ledger(lw)
    data = lw.run("account", "export", check=0).stdout.encode()
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(HEADINGS).encode())
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n") == 6
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADINGS
    rows = [dict(zip(HEADINGS, r)) for r in rows[1:]]
    by_name = {r["账号名称"]: r for r in rows}
    weibo = by_name["'=HYPERLINK(\"http://x\",\"点我\")"]
    assert (weibo["平台"], weibo["运维人员"], weibo["备案号"], weibo["备注"]) == (
        "微博", "'+86 0599", "'-", "'@所有人, \"注意\"")
    assert "''=1+1" in by_name
    assert sorted((r["状态"], r["关停日期"]) for r in rows) == [
        ("关停", "2024-03-01"), ("在用", ""), ("在用", ""), ("整合", TODAY),
        ("暂停", "")]
    # GBK for old Excel, without a BOM; scripts get English headings
    gbk = lw.exec([lw.ctl_path, "-c", lw.conf_path, "account", "export",
                   "--encoding", "gbk"])
    assert gbk.returncode == 0
    raw = subprocess.run([str(lw.ctl_path), "-c", str(lw.conf_path), "account",
                          "export", "--encoding", "gbk", "--headings", "en"],
                         capture_output=True, env=lw._env(None)).stdout
    assert raw.decode("gbk").startswith(",".join(EN_HEADINGS) + "\r\n")
    assert "active" in raw.decode("gbk") and "weibo" in raw.decode("gbk")


def test_export_refuses_what_it_cannot_honour(lw):
    lw.open_account("WYS-GOV", "weibo", "表情😀号")
    before = lw.dump()
    assert_refused(lw.run("account", "export", "--encoding", "gbk"),
                   "'😀' cannot be written in GBK")
    for args, text in ((["--encoding", "latin1"], "--encoding"),
                       (["--format", "pdf"], "--format"),
                       (["--headings", "fr"], "--headings"),
                       (["--format", "xlsx", "--encoding", "gbk"], "--encoding")):
        r = lw.run("account", "export", *args)
        assert r.returncode == 2 and text in r.stderr, (args, r.stderr)
        assert r.stdout == ""
    assert lw.dump() == before


def test_our_xlsx_export_reads_back_in_openpyxl(lw):
    a, b, c, d, e = every_status_ledger(lw)
    out = lw.dir / "台账.xlsx"
    lw.run("account", "export", "--format", "xlsx", "--out", out, check=0)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws.title == "台账"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    assert ws.freeze_panes == "A2"
    by_uid = {r[4]: dict(zip(HEADINGS, r)) for r in rows[1:]}
    weibo = by_uid["2783640155"]             # an id stays text
    assert weibo["账号名称"] == "=HYPERLINK(\"http://x\",\"点我\")"
    assert weibo["开设日期"] == datetime(2013, 6, 20)
    assert (weibo["平台"], weibo["状态"], weibo["运维人员"]) == (
        "微博", "在用", "+86 0599")
    assert by_uid["0012345"]["状态"] == "暂停"
    closed = by_uid["1617253841023"]
    assert (closed["状态"], closed["关停日期"]) == ("关停", datetime(2024, 3, 1))
    # text cells are text, even those a spreadsheet would compute
    for cell in ws[2]:
        if cell.value is not None and not isinstance(cell.value, datetime):
            assert cell.data_type == "s" and cell.number_format == "@", cell
    assert ws["D2"].data_type == "s"


def test_a_spreadsheet_edit_of_the_export_imports_as_exactly_that_change(lw):
    every_status_ledger(lw)
    out = lw.dir / "台账.xlsx"
    lw.run("account", "export", "--format", "xlsx", "--out", out, check=0)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        if row[4].value == "0012345":
            row[6].value = "何静"
    wb.save(out)
    p = plan(lw, out)
    assert actions(p) == {"changed": 1, "unchanged": 4}
    (item,) = [i for i in p["items"] if i["action"] == "change"]
    assert item["changes"] == [
        {"field": "operator", "before": "林晓燕", "after": "何静"}]


soffice = shutil.which("soffice")


@pytest.mark.skipif(soffice is None, reason="LibreOffice (soffice) is not "
                    "installed: make deps installs libreoffice-calc-nogui")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_saved_again_by_libreoffice_imports_unchanged(lw, fmt):
    every_status_ledger(lw)
    src = lw.dir / f"export.{fmt}"
    lw.run("account", "export", "--format", fmt, "--out", src, check=0)
    outdir = lw.dir / "libreoffice"
    outdir.mkdir()
    args = [soffice, "--headless", "--convert-to", "xlsx", "--outdir",
            str(outdir), str(src)]
    if fmt == "csv":
        args[2:2] = ["--infilter=CSV:44,34,76,1"]
    subprocess.run(args, env={**os.environ, "HOME": str(lw.dir)},
                   capture_output=True, timeout=300, check=True)
    saved = outdir / "export.xlsx"
    before = lw.dump()
    p = plan(lw, saved, "--dry-run")
    if fmt == "xlsx":
        assert actions(p) == {"unchanged": 5}
    else:
        # a spreadsheet reads an id of digits in a CSV as a number and
        # drops its leading zeros: the plan says so, nothing else differs
        assert actions(p) == {"changed": 1, "unchanged": 4}
        (item,) = [i for i in p["items"] if i["action"] == "change"]
        assert item["changes"] == [{"field": "platform_uid",
                                    "before": "0012345", "after": "12345"}]
    assert lw.dump() == before


# ------------------------------------------------ item 6: the command line

def test_every_change_prints_one_line_saying_what_changed(lw):
    r = lw.run("unit", "add", "WYS-TOUR", "武夷山市文旅局", check=0)
    assert r.stdout == "unit WYS-TOUR added\n"
    r = lw.run("unit", "change", "WYS-TOUR", "--contact", "陈静", "--reason",
               "新联系人", check=0)
    assert r.stdout == "unit WYS-TOUR changed: contact: (none) → 陈静\n"
    a = lw.open_account("WYS-TOUR", "weibo", "武夷山旅游")
    b = lw.open_account("WYS-TOUR", "douyin", "武夷山旅游")
    r = lw.run("account", "change", str(a), "--operator", "陈静", "--reason",
               "登记", check=0)
    assert r.stdout == f"account {a} changed: operator: (none) → 陈静\n"
    for sub, text in (("suspend", "suspended"), ("resume", "resumed")):
        r = lw.run("account", sub, str(a), "--reason", "维护", check=0)
        assert r.stdout == f"account {a} {text}\n"
    r = lw.run("account", "touch", str(a), "--at", "2026-11-20T09:30", check=0)
    assert r.stdout == f"account {a} observed active at 2026-11-20 09:30\n"
    r = lw.run("account", "merge", str(b), "--into", str(a), "--reason", "整合",
               check=0)
    assert r.stdout == f"account {b} merged into account {a}\n"
    r = lw.run("account", "close", str(a), "--reason", "关停", check=0)
    assert r.stdout == f"account {a} closed on {TODAY}\n"
    lw.run("unit", "remove", "WYS-TOUR", "--reason", "撤销", check=0)


def test_future_opening_is_refused_and_close_takes_a_date(lw):
    before = lw.dump()
    r = lw.run("account", "open", "--unit", "WYS-GOV", "--platform", "weibo",
               "--name", "明日号", "--opened", "2026-11-26")
    assert_refused(r, "opened_on: is in the future")
    assert lw.dump() == before
    a = lw.open_account("WYS-GOV", "weibo", "今日号", "--opened", TODAY)
    assert_refused(lw.run("account", "change", str(a), "--opened", "2027-01-01",
                          "--reason", "x"), "opened_on: is in the future")
    assert_refused(lw.run("account", "close", str(a), "--on", "2026-12-01",
                          "--reason", "x"), "on: is in the future")
    b = lw.open_account("WYS-GOV", "douyin", "旧号", "--opened", "2020-05-01")
    assert_refused(lw.run("account", "close", str(b), "--on", "2020-04-30",
                          "--reason", "x"), "before the account was opened")
    r = lw.run("account", "suspend", str(b), "--on", "2021-01-01", "--reason", "x")
    assert r.returncode == 2 and "--on is for close" in r.stderr
    r = lw.run("account", "close", str(b), "--on", "2021-01-01", "--reason",
               "无力维护", check=0)
    assert r.stdout == f"account {b} closed on 2021-01-01\n"
    assert lw.account(b)["closed_on"] == "2021-01-01"


def test_a_merge_appears_in_both_accounts_histories(lw):
    a = lw.open_account("WYS-GOV", "weibo", "武夷山发布")
    b = lw.open_account("WYS-GOV", "weibo", "武夷山旅游发布")
    lw.run("account", "merge", str(b), "--into", str(a), "--reason",
           "整合至市级账号", check=0)
    merged = history(lw, b)[-1]
    assert (merged["action"], merged["reason"]) == ("account.merge",
                                                   "整合至市级账号")
    assert merged["after"]["merged_into"] == a
    survivor = history(lw, a)[-1]
    assert (survivor["action"], survivor["reason"]) == ("account.merge_in",
                                                       "整合至市级账号")
    assert survivor["after"]["merged_from"] == {
        "id": b, "platform": "weibo", "name": "武夷山旅游发布"}
    table = lw.run("account", "history", str(a), check=0).stdout
    assert f"account {b} (weibo 武夷山旅游发布) merged into this one" in table


def test_account_show_gives_thresholds_in_days(lw):
    a = lw.open_account("WYS-GOV", "weibo", "武夷山发布", "--stale", "10d",
                        "--warn", "36h")
    shown = lw.run("account", "show", str(a), check=0).stdout
    assert re.search(r"\nWarn after +1\.5 days\n", shown), shown
    assert re.search(r"\nStale after +10 days\n", shown), shown
    assert re.search(r"\nDormant after +90 days \(platform\)\n", shown), shown
    assert lw.account(a)["stale_after"] == 864000     # --json keeps seconds


# ------------------------------------------------- a ledger that stays true

def test_ledger_check_lists_what_the_ledger_does_not_account_for(lw):
    lw.write_config('platforms = ( { key = "weibo"; label = "微博"; '
                    'feed_template = "http://127.0.0.1:1200/weibo/{uid}"; },'
                    ' { key = "douyin"; label = "抖音"; } );')
    one = lw.open_account("WYS-GOV", "douyin", "武夷山发布", "--operator", "周敏",
                          "--filing", "闽武政新备〔2019〕014号",
                          feed="https://example.gov.cn/a.xml")
    two = lw.open_account("WYS-GOV", "douyin", "武夷山发布2", "--operator", "周敏",
                          "--filing", "闽武政新备〔2019〕015号")
    templated = lw.open_account("WYS-EDU", "weibo", "武夷山教育",
                                "--operator", "林晓燕", uid="123")
    lw.open_account("WYS-EDU", "douyin", "已关停", "--operator", "x")
    closed = lw.json("account", "list", "--platform", "douyin", "--unit",
                     "WYS-EDU")[0]["id"]
    lw.run("account", "close", str(closed), "--reason", "关停", check=0)
    check = lw.json("ledger", "check")
    assert [(d["unit"], d["platform"], d["count"]) for d in check["duplicates"]] \
        == [("WYS-GOV", "douyin", 2)]
    assert [u["id"] for u in check["unobserved"]] == [two]
    assert {i["id"]: i["missing"] for i in check["incomplete"]} == {
        templated: "filing_no"}
    status = lw.json("status")["ledger"]
    assert status == {"duplicates": 1, "unobserved": 1, "incomplete": 1}
    # a manual observation within the stale period watches it
    lw.run("account", "touch", str(two), "--at", "2026-11-20", check=0)
    assert lw.json("ledger", "check")["unobserved"] == []
    lw.now("2026-12-10T10:00:00")                  # 20 days later
    assert [u["id"] for u in lw.json("ledger", "check")["unobserved"]] == [two]
    text = lw.run("ledger", "check", check=0).stdout
    assert "units with more than one active account on a platform: 1" in text
    assert "武夷山发布, " in text or "武夷山发布2" in text
    assert "ledger: 1 units with two active accounts on a platform" in \
        lw.run("status", check=0).stdout
    del one


def rss(*items):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'
           "<channel><title>测试</title><link>https://www.example.gov.cn/</link>\n"]
    for guid, when in items:
        date = format_datetime(datetime.fromtimestamp(when, CST))
        out.append(f"<item><title>动态 {guid}</title>"
                   f"<link>https://www.example.gov.cn/{guid}.html</link>"
                   f'<guid isPermaLink="false">{guid}</guid>'
                   f"<pubDate>{date}</pubDate></item>\n")
    out.append("</channel></rss>\n")
    return "".join(out)


def at(text):
    return int(datetime.fromisoformat(text).replace(tzinfo=CST).timestamp())


def test_a_closed_account_that_publishes_again_opens_a_problem_and_tells_admins(
        lw, feeds):
    lw.write_config('mail = { admins = [ "dzzw@example.gov.cn" ]; '
                    f'templates = "{lw.repo / "conf" / "templates"}"; }};')
    lw.now("2026-01-01T09:00:00")
    quiet = lw.open_account("WYS-GOV", "weibo", "已关停安静号",
                            feed=feeds.url("/quiet.xml"))
    loud = lw.open_account("WYS-GOV", "douyin", "已关停私开号",
                           feed=feeds.url("/loud.xml"))
    feeds.serve("/quiet.xml", rss(("q1", at("2026-02-27T10:00:00"))))
    feeds.serve("/loud.xml", rss(("l1", at("2026-02-27T10:00:00")),
                                 ("l2", at("2026-03-02T08:00:00"))))
    lw.now("2026-03-03T10:00:00")
    for acc in (quiet, loud):
        lw.run("account", "close", str(acc), "--on", "2026-03-01", "--reason",
               "注销", check=0)
    lw.run_daemon("--once", "-d", check=0, timeout=90)

    problems = lw.json("problem", "list", "--kind", "reopened-closed-account")
    assert [(p["account_id"], p["detail"]) for p in problems] == [
        (loud, "已注销账号违规私开")]
    assert problems[0]["evidence"] == "https://www.example.gov.cn/l2.html"
    mail = lw.sql("SELECT kind, subject, recipients, body_text, status FROM "
                  "outbox WHERE kind = 'reopened'")
    assert len(mail) == 1
    kind, subject, to, body, status = mail[0]
    assert subject == "【已注销账号违规私开】1个已关停账号在关停后仍有发布"
    assert json.loads(to) == ["dzzw@example.gov.cn"]
    assert "已关停私开号" in body
    assert "2026年3月1日 关停，2026年3月2日 08:00 仍有发布" in body
    assert "已关停安静号" not in body
    assert status == "sent"
    # polled a week apart: the next day nothing is fetched, no mail again
    fetch = lw.sql("SELECT last_fetch_at, next_poll_at FROM feed_state WHERE "
                   "account_id = ?", (loud,))[0]
    assert fetch[1] == fetch[0] + 7 * 86400
    asked = len(feeds.requests)
    lw.now("2026-03-04T10:00:00")
    lw.run_daemon("--once", "-d", check=0, timeout=90)
    assert len(feeds.requests) == asked
    # a week on, polled again; the same activity opens nothing new
    lw.now("2026-03-11T10:00:00")
    lw.run_daemon("--once", "-d", check=0, timeout=90)
    assert len(feeds.requests) == asked + 2
    assert len(lw.json("problem", "list", "--kind",
                       "reopened-closed-account", "--state", "all")) == 1
    assert lw.sql("SELECT count(*) FROM outbox WHERE kind = 'reopened'") == [(1,)]
    # once closed by an admin, a later post opens a new one
    lw.run("problem", "close", str(problems[0]["id"]), "--reason", "rectified",
           "--note", "已督促删除", check=0)
    feeds.serve("/loud.xml", rss(("l1", at("2026-02-27T10:00:00")),
                                 ("l2", at("2026-03-02T08:00:00")),
                                 ("l3", at("2026-03-17T08:00:00"))))
    lw.now("2026-03-18T10:00:00")
    lw.run_daemon("--once", "-d", check=0, timeout=90)
    assert len(lw.json("problem", "list", "--kind",
                       "reopened-closed-account")) == 1
    assert lw.sql("SELECT count(*) FROM outbox WHERE kind = 'reopened'") == [(2,)]
