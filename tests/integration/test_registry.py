"""The account registry through the real mediawatchctl (issue 2): units and
accounts, their lifecycle and audit trail, output formats, configuration
lookup, CSV import/export, and a battery of hostile inputs that must be
refused without changing the database."""

import csv
import io
import json
import os
import pwd
import re
import unicodedata

import pytest

HEADER = "unit_code,platform,name,platform_uid,feed_url,operator,filing_no,opened_on"
CN_HEADER = "单位代码,平台,账号名称,账号ID,订阅地址,运维人员,备案号,开设日期"
EXPORT_CN_HEADER = ("单位代码,单位名称,平台,账号名称,账号ID,订阅地址,运维人员,"
                    "备案号,开设日期,状态,关停日期,备注")
EXISTING_UID = "2783640155"

# 2026-01-01T00:00:00+08:00 (2025-12-31T16:00:00Z)
NEW_YEAR_2026 = 1767196800


# ---------------------------------------------------------------- helpers

def display_width(s):
    """Terminal columns of s, as a terminal draws CJK text."""
    width = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def cell_starts(line, cells):
    """Display column where each of cells begins in a table line; the
    cells must follow each other separated by spaces only."""
    pos, starts = 0, []
    for cell in cells:
        while pos < len(line) and line[pos] == " ":
            pos += 1
        assert line.startswith(cell, pos), (
            f"expected {cell!r} at character {pos} of {line!r}")
        starts.append(display_width(line[:pos]))
        pos += len(cell)
    return starts


def row(unit="GOV", platform="weibo", name="账号", uid="", feed="",
        operator="", filing="", opened=""):
    return ",".join([unit, platform, name, uid, feed, operator, filing, opened])


def ledger(*rows, header=HEADER, newline="\n"):
    return newline.join([header, *rows]) + newline


def seed(mw):
    """Two units and one open Weibo account (id 1) with EXISTING_UID."""
    mw.add_unit("GOV", "武夷山市人民政府办公室", "--email",
                "office@wys.example.gov.cn", "--contact", "周敏",
                "--phone", "0599-5250101")
    mw.add_unit("EDU", "武夷山市教育局", "--parent", "GOV", "--email",
                "jyj@wys.example.gov.cn")
    return mw.open_account("GOV", "weibo", "武夷山发布", uid=EXISTING_UID)


def history(mw, account_id):
    return mw.json("account", "history", str(account_id))


def assert_refused(r, status, *fragments):
    assert r.returncode == status, (
        f"exit {r.returncode}, expected {status}\nstdout:\n{r.stdout}\n"
        f"stderr:\n{r.stderr}")
    for fragment in fragments:
        assert fragment in r.stderr, f"{fragment!r} not in {r.stderr!r}"


# ---------------------------------------------------------------- units

def test_unit_add_show_list_change_remove(mw):
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    mw.add_unit("EDU", "武夷山市教育局", "--email", "jyj@wys.example.gov.cn",
                "--email", "office@wys.example.gov.cn", "--contact", "林晓燕",
                "--phone", "0599-5250212", "--parent", "GOV")
    edu = mw.json("unit", "show", "EDU")
    assert edu["code"] == "EDU"
    assert edu["name"] == "武夷山市教育局"
    assert edu["parent"] == "GOV"
    assert edu["contact"] == "林晓燕"
    assert edu["phone"] == "0599-5250212"
    assert edu["emails"] == ["jyj@wys.example.gov.cn", "office@wys.example.gov.cn"]
    assert [u["code"] for u in mw.json("unit", "list")] == ["EDU", "GOV"]

    mw.run("unit", "change", "EDU", "--name", "武夷山市教育局（新）",
           "--email", "new@wys.example.gov.cn", "--contact", "",
           "--reason", "机构改革", check=0)
    edu = mw.json("unit", "show", "EDU")
    assert edu["name"] == "武夷山市教育局（新）"
    assert edu["emails"] == ["new@wys.example.gov.cn"]
    assert edu["contact"] is None
    assert edu["phone"] == "0599-5250212"      # untouched

    mw.run("unit", "remove", "EDU", "--reason", "合并", check=0)
    assert [u["code"] for u in mw.json("unit", "list")] == ["GOV"]
    assert_refused(mw.run("unit", "show", "EDU"), 1, "EDU")
    removed = [u for u in mw.json("unit", "list", "--all") if u["code"] == "EDU"]
    assert len(removed) == 1 and removed[0]["removed_at"] is not None
    # a removed unit's code may be used again
    mw.add_unit("EDU", "武夷山市教育局")


def test_unit_add_refuses_existing_code(mw):
    mw.add_unit("GOV", "市政府办公室")
    before = mw.dump()
    assert_refused(mw.run("unit", "add", "GOV", "另一个"), 1, "code", "exists")
    assert mw.dump() == before


def test_unit_remove_refused_while_unit_has_open_accounts(mw):
    acc = seed(mw)
    mw.run("account", "suspend", str(acc), "--reason", "维护", check=0)
    before = mw.dump()
    assert_refused(mw.run("unit", "remove", "GOV", "--reason", "x"), 1,
                   "open account")
    assert mw.dump() == before
    mw.run("account", "close", str(acc), "--reason", "关停", check=0)
    mw.run("unit", "remove", "GOV", "--reason", "撤销", check=0)


def test_unit_parent_must_exist_and_never_loop(mw):
    mw.add_unit("GOV", "市政府办公室")
    mw.add_unit("EDU", "教育局", "--parent", "GOV")
    before = mw.dump()
    assert_refused(mw.run("unit", "add", "X", "某单位", "--parent", "NOPE"),
                   1, "parent")
    assert_refused(mw.run("unit", "change", "GOV", "--parent", "EDU"), 1,
                   "parent", "ancestor")
    assert_refused(mw.run("unit", "change", "GOV", "--parent", "GOV"), 1,
                   "parent")
    assert mw.dump() == before


# ---------------------------------------------------------------- accounts

def test_account_open_prints_the_new_id_and_stores_every_field(mw):
    seed(mw)
    r = mw.run("account", "open", "--unit", "EDU", "--platform", "wechat",
               "--name", "武夷山教育", "--uid", "gh_7c21e9a4b0d3",
               "--feed", "http://127.0.0.1:1200/wechat/mp/gh_7c21e9a4b0d3",
               "--operator", "林晓燕", "--filing", "闽武政新备〔2016〕005号",
               "--opened", "2016-09-01", "--notes", "示例", check=0)
    assert re.fullmatch(r"\d+\n", r.stdout)
    acc = mw.account(int(r.stdout))
    assert acc["id"] == int(r.stdout)
    assert acc["unit"] == "EDU"
    assert acc["unit_name"] == "武夷山市教育局"
    assert acc["platform"] == "wechat"
    assert acc["name"] == "武夷山教育"
    assert acc["platform_uid"] == "gh_7c21e9a4b0d3"
    assert acc["feed_url"] == "http://127.0.0.1:1200/wechat/mp/gh_7c21e9a4b0d3"
    assert acc["operator"] == "林晓燕"
    assert acc["filing_no"] == "闽武政新备〔2016〕005号"
    assert acc["opened_on"] == "2016-09-01"
    assert acc["status"] == "active"
    assert acc["closed_on"] is None


def test_account_change_updates_fields_and_empty_value_clears(mw):
    acc = seed(mw)
    mw.run("account", "change", str(acc), "--name", "武夷山发布（新）",
           "--feed", "https://www.wys.example.gov.cn/rss.xml",
           "--operator", "彭涛", "--unit", "EDU", "--reason", "换运维", check=0)
    a = mw.account(acc)
    assert (a["name"], a["operator"], a["unit"]) == ("武夷山发布（新）", "彭涛", "EDU")
    assert a["feed_url"] == "https://www.wys.example.gov.cn/rss.xml"
    mw.run("account", "change", str(acc), "--feed", "", "--reason", "停用订阅",
           check=0)
    assert mw.account(acc)["feed_url"] is None


def test_account_change_requires_a_reason(mw):
    acc = seed(mw)
    before = mw.dump()
    assert_refused(mw.run("account", "change", str(acc), "--name", "新名"), 2,
                   "--reason")
    assert_refused(mw.run("account", "change", str(acc), "--name", "新名",
                          "--reason", "  "), 2, "--reason")
    assert mw.dump() == before


def test_account_threshold_overrides_keep_warn_below_stale(mw):
    acc = seed(mw)
    mw.run("account", "change", str(acc), "--warn", "5d", "--stale", "10d",
           "--reason", "重点账号", check=0)
    a = mw.account(acc)
    assert (a["warn_after"], a["stale_after"]) == (5 * 86400, 10 * 86400)
    before = mw.dump()
    assert_refused(mw.run("account", "change", str(acc), "--warn", "20d",
                          "--reason", "x"), 1, "thresholds")
    assert mw.dump() == before


def test_suspend_resume_close_follow_the_lifecycle(mw):
    mw.now("2026-03-10T09:00:00")
    acc = seed(mw)
    mw.run("account", "suspend", str(acc), "--reason", "账号冻结", check=0)
    assert mw.account(acc)["status"] == "suspended"
    mw.run("account", "resume", str(acc), "--reason", "解冻", check=0)
    assert mw.account(acc)["status"] == "active"
    mw.run("account", "close", str(acc), "--reason", "无力维护，关停", check=0)
    a = mw.account(acc)
    assert a["status"] == "closed"
    assert a["closed_on"] == "2026-03-10"
    assert [h["action"] for h in history(mw, acc)] == [
        "account.open", "account.suspend", "account.resume", "account.close"]


@pytest.mark.parametrize("setup, command, message", [
    ([], "resume", "only a suspended account can be resumed"),
    (["suspend"], "suspend", "only an active account can be suspended"),
    (["close"], "close", "is closed"),
    (["close"], "resume", "is closed"),
    (["close"], "suspend", "is closed"),
], ids=["resume-active", "suspend-suspended", "close-closed",
        "resume-closed", "suspend-closed"])
def test_senseless_transitions_are_refused(mw, setup, command, message):
    acc = seed(mw)
    for step in setup:
        mw.run("account", step, str(acc), "--reason", "准备", check=0)
    before = mw.dump()
    r = mw.run("account", command, str(acc), "--reason", "再来一次")
    assert_refused(r, 1, message, f"account {acc}")
    assert mw.dump() == before


def test_closed_account_cannot_be_changed(mw):
    acc = seed(mw)
    mw.run("account", "close", str(acc), "--reason", "关停", check=0)
    before = mw.dump()
    assert_refused(mw.run("account", "change", str(acc), "--name", "复活",
                          "--reason", "x"), 1, "closed")
    assert mw.dump() == before


def test_merge_marks_account_merged_into_the_survivor(mw):
    mw.now("2026-04-01T08:00:00")
    keep = seed(mw)
    gone = mw.open_account("GOV", "wechat", "武夷山发布（旧号）", uid="gh_old")
    mw.run("account", "merge", str(gone), "--into", str(keep), "--reason",
           "整合到主账号", check=0)
    a = mw.account(gone)
    assert (a["status"], a["merged_into"], a["closed_on"]) == (
        "merged", keep, "2026-04-01")
    last = history(mw, gone)[-1]
    assert last["action"] == "account.merge"
    assert last["reason"] == "整合到主账号"
    assert last["after"]["merged_into"] == keep
    assert mw.account(keep)["status"] == "active"


@pytest.mark.parametrize("case", ["self", "missing", "closed", "merged-again"])
def test_senseless_merges_are_refused(mw, case):
    keep = seed(mw)
    other = mw.open_account("GOV", "wechat", "旧号", uid="gh_old")
    third = mw.open_account("GOV", "douyin", "抖音号", uid="dy1")
    if case == "self":
        args, message = (str(keep), str(keep)), "itself"
    elif case == "missing":
        args, message = (str(other), "999"), "does not exist"
    elif case == "closed":
        mw.run("account", "close", str(third), "--reason", "关停", check=0)
        args, message = (str(other), str(third)), "not open"
    else:
        mw.run("account", "merge", str(other), "--into", str(keep),
               "--reason", "整合", check=0)
        args, message = (str(other), str(third)), "merged"
    before = mw.dump()
    r = mw.run("account", "merge", args[0], "--into", args[1], "--reason", "x")
    assert_refused(r, 1, message)
    assert mw.dump() == before


def test_one_open_account_per_platform_identity(mw):
    acc = seed(mw)
    before = mw.dump()
    r = mw.run("account", "open", "--unit", "EDU", "--platform", "weibo",
               "--name", "重复", "--uid", EXISTING_UID)
    assert_refused(r, 1, "platform_uid", f"account {acc} is already open")
    mw.run("account", "suspend", str(acc), "--reason", "暂停", check=0)
    before = mw.dump()
    assert_refused(mw.run("account", "open", "--unit", "EDU", "--platform",
                          "weibo", "--name", "重复", "--uid", EXISTING_UID),
                   1, "platform_uid")
    assert mw.dump() == before
    # the same uid on another platform is another account
    mw.open_account("GOV", "toutiao", "武夷山发布", uid=EXISTING_UID)
    # once closed, the identity is free again
    mw.run("account", "close", str(acc), "--reason", "关停", check=0)
    mw.open_account("EDU", "weibo", "新号", uid=EXISTING_UID)


def test_change_cannot_take_another_open_accounts_identity(mw):
    seed(mw)
    other = mw.open_account("GOV", "weibo", "另一个", uid="555")
    before = mw.dump()
    assert_refused(mw.run("account", "change", str(other), "--uid",
                          EXISTING_UID, "--reason", "x"), 1, "platform_uid")
    assert mw.dump() == before


def test_account_list_filters_by_unit_platform_and_status(mw):
    a = seed(mw)
    b = mw.open_account("EDU", "weibo", "武夷山教育", uid="3095172846")
    c = mw.open_account("EDU", "wechat", "武夷山教育", uid="gh_edu")
    mw.run("account", "suspend", str(c), "--reason", "维护", check=0)
    ids = lambda *args: sorted(x["id"] for x in mw.json("account", "list", *args))
    assert ids() == sorted([a, b, c])
    assert ids("--unit", "EDU") == sorted([b, c])
    assert ids("--platform", "weibo") == sorted([a, b])
    assert ids("--status", "suspended") == [c]
    assert ids("--unit", "EDU", "--platform", "weibo") == [b]


def test_unknown_account_ids_are_refused(mw):
    seed(mw)
    before = mw.dump()
    for args in (["show", "999"], ["history", "999"],
                 ["suspend", "999", "--reason", "x"],
                 ["close", "999", "--reason", "x"]):
        assert_refused(mw.run("account", *args), 1, "999")
    assert mw.dump() == before


# ---------------------------------------------------------------- audit

def test_audit_actor_is_sudo_user_when_set(mw):
    mw.env["SUDO_USER"] = "zhoumin"
    acc = seed(mw)
    mw.run("account", "suspend", str(acc), "--reason", "测试", check=0)
    assert {h["actor"] for h in history(mw, acc)} == {"zhoumin"}
    assert {r[0] for r in mw.sql("SELECT actor FROM audit")} == {"zhoumin"}


def test_audit_actor_is_the_invoking_user_without_sudo(mw):
    acc = seed(mw)
    me = pwd.getpwuid(os.getuid()).pw_name
    assert {h["actor"] for h in history(mw, acc)} == {me}


def test_audit_ignores_sudo_user_with_control_characters(mw):
    mw.env["SUDO_USER"] = "evil\nforged line"
    seed(mw)
    me = pwd.getpwuid(os.getuid()).pw_name
    assert {r[0] for r in mw.sql("SELECT actor FROM audit")} == {me}


def test_audit_keeps_before_after_and_reason(mw):
    mw.now("2026-05-06T07:08:09")
    acc = seed(mw)
    mw.run("account", "change", str(acc), "--name", "武夷山发布（改）",
           "--operator", "彭涛", "--reason", "更名备案", check=0)
    opened, changed = history(mw, acc)
    assert opened["action"] == "account.open"
    assert opened["before"] is None
    assert opened["after"]["name"] == "武夷山发布"
    assert opened["reason"] is None
    assert changed["action"] == "account.change"
    assert changed["reason"] == "更名备案"
    assert changed["at"] == 1778022489          # 2026-05-06T07:08:09+08:00
    assert changed["before"]["name"] == "武夷山发布"
    assert changed["after"]["name"] == "武夷山发布（改）"
    assert changed["before"]["operator"] is None
    assert changed["after"]["operator"] == "彭涛"
    assert changed["after"]["platform_uid"] == EXISTING_UID
    # the table holds the same JSON the command shows
    rows = mw.sql("SELECT action, before, after, reason, at FROM audit WHERE "
                  "entity = 'account' AND entity_id = ? ORDER BY id", (acc,))
    assert rows[1][0] == "account.change"
    assert json.loads(rows[1][1]) == changed["before"]
    assert json.loads(rows[1][2]) == changed["after"]
    assert rows[1][3:] == ("更名备案", 1778022489)


def test_history_table_describes_changes_in_the_configured_zone(mw):
    mw.now("2026-05-06T07:08:09")
    acc = seed(mw)
    mw.run("account", "change", str(acc), "--name", "新名字", "--reason",
           "更名", check=0)
    out = mw.run("account", "history", str(acc), check=0).stdout
    assert "2026-05-06 07:08" in out
    assert "name: 武夷山发布 → 新名字" in out
    mw.write_config('timezone = "UTC";')
    out = mw.run("account", "history", str(acc), check=0).stdout
    assert "2026-05-05 23:08" in out


def test_unit_changes_are_audited(mw):
    mw.env["SUDO_USER"] = "admin1"
    mw.add_unit("GOV", "市政府办公室")
    mw.run("unit", "change", "GOV", "--phone", "0599-1", "--reason", "换号",
           check=0)
    mw.run("unit", "remove", "GOV", "--reason", "撤销", check=0)
    rows = mw.sql("SELECT action, actor, before, after, reason FROM audit "
                  "WHERE entity = 'unit' ORDER BY id")
    assert [r[0] for r in rows] == ["unit.add", "unit.change", "unit.remove"]
    assert {r[1] for r in rows} == {"admin1"}
    assert rows[0][2] is None and json.loads(rows[0][3])["code"] == "GOV"
    assert json.loads(rows[1][2])["phone"] is None
    assert json.loads(rows[1][3])["phone"] == "0599-1"
    assert rows[1][4] == "换号"
    assert rows[2][3] is None and rows[2][4] == "撤销"


# ---------------------------------------------------------------- output

def test_json_csv_and_table_show_the_same_accounts(mw):
    acc = seed(mw)
    mw.open_account("EDU", "wechat", '教育,"引号"', uid="gh_1")
    js = mw.json("account", "list")
    rows = list(csv.DictReader(io.StringIO(
        mw.run("--csv", "account", "list", check=0).stdout, newline="")))
    assert [r["id"] for r in rows] == [str(a["id"]) for a in js]
    assert [r["name"] for r in rows] == [a["name"] for a in js]
    assert '教育,"引号"' in [r["name"] for r in rows]
    assert list(rows[0].keys())[:4] == ["id", "unit", "platform", "name"]
    table = mw.run("account", "list", check=0).stdout
    assert "武夷山发布" in table and str(acc) in table
    shown = mw.json("account", "show", str(acc))
    assert shown["platform_uid"] == EXISTING_UID
    record = list(csv.DictReader(io.StringIO(
        mw.run("account", "show", str(acc), "--csv", check=0).stdout)))
    assert record[0]["platform_uid"] == EXISTING_UID


def test_table_columns_line_up_by_display_width(mw):
    mw.add_unit("GOV", "市政府办公室")
    mw.add_unit("WYS-TOUR", "文旅局")
    for unit, platform, name in [("GOV", "weibo", "武夷山发布"),
                                 ("GOV", "wechat", "ab"),
                                 ("WYS-TOUR", "bilibili", "武夷山文旅Tour"),
                                 ("WYS-TOUR", "douyin", "〔测试〕ＡＢ")]:
        mw.open_account(unit, platform, name)
    accounts = mw.json("account", "list")
    lines = mw.run("account", "list", check=0).stdout.splitlines()
    assert len(lines) == 1 + len(accounts)
    header = ["ID", "UNIT", "PLATFORM", "NAME", "STATUS", "STATE",
              "LAST UPDATE", "LAST FETCH", "NEXT POLL"]
    starts = {tuple(cell_starts(lines[0], header))}
    for line, a in zip(lines[1:], accounts):
        cells = [str(a["id"]), a["unit"], a["platform"], a["name"],
                 a["status"], "-", "-", "never", "-"]
        starts.add(tuple(cell_starts(line, cells)))
    assert len(starts) == 1, f"columns do not line up:\n" + "\n".join(lines)


def test_record_view_lines_up_values_by_display_width(mw):
    acc = seed(mw)
    a = mw.account(acc)
    lines = mw.run("account", "show", str(acc), check=0).stdout.splitlines()
    by_label = {}
    for line in lines:
        for value in (a["name"], a["unit_name"], a["platform_uid"]):
            if line.rstrip().endswith(value):
                by_label[value] = display_width(line) - display_width(value)
    assert len(by_label) == 3
    assert len(set(by_label.values())) == 1, lines


def test_global_options_work_before_and_after_the_command(mw):
    seed(mw)
    want = mw.json("account", "list")
    for args in (["--json", "account", "list"], ["account", "list", "--json"],
                 ["account", "--json", "list"]):
        assert json.loads(mw.run(*args, check=0).stdout) == want
    conf = str(mw.conf_path)
    for args in (["-c", conf, "--json", "account", "list"],
                 ["account", "list", "-c", conf, "--json"],
                 ["--config", conf, "account", "list", "--json"],
                 [f"--config={conf}", "--json", "account", "list"]):
        assert json.loads(mw.run(*args, config=False, check=0).stdout) == want
    other = mw.dir / "other.db"
    for args in (["--db", str(other), "--json", "account", "list"],
                 ["--json", "account", "list", "--db", str(other)],
                 ["--json", "account", "list", f"--db={other}"]):
        assert json.loads(mw.run(*args, check=0).stdout) == []
    assert other.exists()
    csv_out = mw.run("account", "list", "--csv", check=0).stdout
    assert csv_out.startswith("id,unit,platform,name,status")


# ---------------------------------------------------------------- configuration

def test_config_is_taken_from_MEDIAWATCH_CONF(mw):
    r = mw.run("check-config", config=False,
               env={"MEDIAWATCH_CONF": mw.conf_path}, check=0)
    assert f"configuration: {mw.conf_path}" in r.stdout
    assert f"database: {mw.db_path}" in r.stdout
    seed_env = {"MEDIAWATCH_CONF": mw.conf_path}
    mw.run("unit", "add", "GOV", "市政府办公室", config=False, env=seed_env,
           check=0)
    assert mw.sql("SELECT code FROM unit") == [("GOV",)]


def test_dash_c_wins_over_MEDIAWATCH_CONF(mw):
    bad = mw.write("bad.conf", "no_such_key = 1;\n")
    r = mw.run("check-config", env={"MEDIAWATCH_CONF": bad}, check=0)
    assert f"configuration: {mw.conf_path}" in r.stdout


def test_missing_config_file_is_an_error(mw):
    missing = mw.dir / "missing.conf"
    assert_refused(mw.run("-c", missing, "check-config", config=False), 1,
                   str(missing))
    assert_refused(mw.run("check-config", config=False,
                          env={"MEDIAWATCH_CONF": missing}), 1, str(missing))
    assert_refused(mw.run("-c", missing, "unit", "list", config=False), 1,
                   str(missing))


def test_builtin_defaults_without_any_config(mw):
    if os.path.exists("/etc/mediawatch/mediawatch.conf"):
        pytest.skip("/etc/mediawatch/mediawatch.conf exists on this machine")
    r = mw.run("check-config", config=False, check=0)
    assert "configuration: (built-in defaults)" in r.stdout
    assert "time zone: Asia/Shanghai" in r.stdout
    r = mw.run("--db", mw.db_path, "unit", "list", config=False, check=0)
    assert mw.db_path.exists()


def test_db_option_overrides_the_configured_database(mw):
    other = mw.dir / "elsewhere.db"
    mw.run("--db", other, "unit", "add", "GOV", "市政府办公室", check=0)
    assert other.exists()
    assert not mw.db_path.exists()
    r = mw.run("--db", other, "check-config", check=0)
    assert f"database: {other}" in r.stdout


def line_of(path, text):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_check_config_reports_unknown_key_as_file_line(mw):
    mw.write_config('poll = {\n\tinterval = "1h";\n\tintervall = "2h";\n};\n')
    r = mw.run("check-config")
    n = line_of(mw.conf_path, "intervall")
    assert_refused(r, 1, f"{mw.conf_path}:{n}: ", "unknown key 'intervall'")
    mw.write_config('timezone = "Asia/Shanghai";\ndatabse = "/tmp/x.db";\n')
    n = line_of(mw.conf_path, "databse")
    assert_refused(mw.run("check-config"), 1, f"{mw.conf_path}:{n}: ",
                   "unknown key 'databse'")


def test_check_config_reports_syntax_error_as_file_line(mw):
    mw.write_config('poll = {\n\tinterval = ;\n};\n')
    n = line_of(mw.conf_path, "interval = ;")
    assert_refused(mw.run("check-config"), 1, f"{mw.conf_path}:{n}: ",
                   "syntax error")


def test_check_config_reports_bad_values_as_file_line(mw):
    mw.write_config('\n\ntimezone = "Mars/Olympus_Mons";\n')
    n = line_of(mw.conf_path, "Mars")
    assert_refused(mw.run("check-config"), 1, f"{mw.conf_path}:{n}: ",
                   "time zone")
    mw.write_config('platforms = (\n  { key = "weibo"; warn = "20d"; }\n);\n')
    assert_refused(mw.run("check-config"), 1, f"{mw.conf_path}:",
                   "warn < stale < dormant")
    mw.write_config('platforms = (\n  { key = "weibo";\n'
                    '    feed_template = "http://127.0.0.1:1200/weibo"; }\n);\n')
    assert_refused(mw.run("check-config"), 1, "{uid}")


def test_bad_config_refuses_every_command(mw):
    seed(mw)
    before = mw.dump()
    mw.write_config("bogus = 1;\n")
    assert_refused(mw.run("unit", "add", "NEW", "新单位"), 1, "bogus")
    assert mw.dump() == before


def test_check_config_accepts_the_shipped_example(mw):
    # a day whose year and the next have their holiday calendars: no
    # warning either
    mw.now("2026-06-01T10:00:00")
    r = mw.run("-c", mw.shipped_conf, "check-config", config=False, check=0)
    assert "configuration OK" in r.stdout
    for key, label in [("wechat", "微信公众号"), ("weibo", "微博"),
                       ("douyin", "抖音"), ("toutiao", "今日头条"),
                       ("kuaishou", "快手"), ("bilibili", "哔哩哔哩"),
                       ("xiaohongshu", "小红书"), ("website", "网站"),
                       ("other", "其他")]:
        assert re.search(rf"^\s+{key}\s+{label}\s+warn 7 days, stale 14 days, "
                         rf"dormant 90 days$", r.stdout, re.M), key
    assert r.stderr == ""


def test_malformed_MEDIAWATCH_NOW_is_refused(mw):
    mw.now("yesterday")
    assert_refused(mw.run("unit", "list"), 1, "MEDIAWATCH_NOW")


# ---------------------------------------------------------------- the clock

def test_MEDIAWATCH_NOW_fixes_opened_on_in_the_configured_zone(mw):
    seed(mw)
    mw.now("2026-03-01T10:00:00")
    a = mw.open_account("GOV", "douyin", "抖音号")
    assert mw.account(a)["opened_on"] == "2026-03-01"
    assert mw.account(a)["created_at"] == 1772330400
    # 2025-12-31T16:00:00Z is already new year in Shanghai …
    mw.now(NEW_YEAR_2026)
    b = mw.open_account("GOV", "toutiao", "头条号")
    assert mw.account(b)["opened_on"] == "2026-01-01"
    # … but not in UTC
    mw.write_config('timezone = "UTC";')
    c = mw.open_account("GOV", "kuaishou", "快手号")
    assert mw.account(c)["opened_on"] == "2025-12-31"
    # an explicit --opened wins
    d = mw.open_account("GOV", "bilibili", "B站号", "--opened", "2019-04-08")
    assert mw.account(d)["opened_on"] == "2019-04-08"


def test_import_rows_without_opened_on_take_the_fixed_date(mw):
    seed(mw)
    mw.now("2026-07-15T12:00:00")
    f = mw.write("l.csv", ledger(row(platform="wechat", name="新号", uid="gh_x")))
    mw.run("account", "import", f, check=0)
    assert mw.sql("SELECT opened_on FROM account WHERE platform_uid = 'gh_x'") \
        == [("2026-07-15",)]


# ---------------------------------------------------------------- import/export

def ledger_rows(accounts):
    keys = ("unit", "platform", "name", "platform_uid", "feed_url",
            "operator", "filing_no", "opened_on")
    return sorted(tuple(a[k] for k in keys) for a in accounts)


def test_export_then_import_into_a_fresh_database_gives_the_same_accounts(mw):
    seed(mw)
    mw.open_account("EDU", "wechat", '武夷山教育,"官方"', "--operator", "林晓燕",
                    "--filing", "闽武政新备〔2016〕005号", "--opened",
                    "2016-09-01", uid="gh_7c21e9a4b0d3",
                    feed="http://127.0.0.1:1200/wechat/mp/gh_7c21e9a4b0d3")
    mw.open_account("EDU", "website", "武夷山市教育局网站",
                    feed="https://jyj.wys.example.gov.cn/rss.xml")
    closed = mw.open_account("GOV", "douyin", "已关停", uid="dy_closed")
    mw.run("account", "close", str(closed), "--reason", "关停", check=0)
    exported = mw.run("account", "export", check=0).stdout
    assert exported.splitlines()[0] == "\ufeff" + EXPORT_CN_HEADER
    assert "已关停" in exported              # every status is exported
    path = mw.write("export.csv", exported)

    fresh = mw.dir / "fresh.db"
    for code, name in (("GOV", "武夷山市人民政府办公室"), ("EDU", "武夷山市教育局")):
        mw.run("--db", fresh, "unit", "add", code, name, check=0)
    r = mw.run("--db", fresh, "account", "import", path, check=0)
    assert "4 new" in r.stdout
    original = mw.json("account", "list")
    copied = mw.json("--db", str(fresh), "account", "list")
    assert ledger_rows(copied) == ledger_rows(original)
    assert sorted(a["status"] for a in copied) == [
        "active", "active", "active", "closed"]
    again = mw.run("--db", fresh, "account", "export", check=0).stdout
    assert again == exported


def test_import_gbk_file_with_encoding_option(mw):
    seed(mw)
    text = ledger(row("EDU", "wechat", "武夷山教育", "gh_7c21", "", "林晓燕",
                      "闽武政新备〔2016〕005号", "2016-09-01"),
                  row("EDU", "douyin", "武夷山教育", "MS4wLjAB", "", "何静"),
                  header=CN_HEADER, newline="\r\n")
    path = mw.write("gbk.csv", text.encode("gbk"))
    r = mw.run("account", "import", path, "--encoding", "gbk", check=0)
    assert "2 new" in r.stdout
    rows = mw.sql("SELECT name, operator, filing_no FROM account WHERE "
                  "platform_uid = 'gh_7c21'")
    assert rows == [("武夷山教育", "林晓燕", "闽武政新备〔2016〕005号")]


def test_import_utf8_file_with_bom_and_chinese_headers(mw):
    seed(mw)
    text = ledger(row("EDU", "wechat", "武夷山教育", "gh_7c21"),
                  row("GOV", "douyin", "武夷山发布", "dy_1"),
                  header=CN_HEADER, newline="\r\n")
    path = mw.write("bom.csv", "\ufeff" + text)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    mw.run("account", "import", path, check=0)
    assert sorted(mw.sql("SELECT platform_uid FROM account")) == [
        (EXISTING_UID,), ("dy_1",), ("gh_7c21",)]


def test_import_accepts_columns_in_any_order_and_optional_ones_missing(mw):
    seed(mw)
    path = mw.write("few.csv", "name,platform,unit_code\n武夷山教育,wechat,EDU\n")
    mw.run("account", "import", path, check=0)
    assert mw.sql("SELECT name, platform, platform_uid FROM account WHERE "
                  "platform = 'wechat'") == [("武夷山教育", "wechat", None)]


def test_import_reads_standard_input(mw):
    seed(mw)
    r = mw.run("account", "import", "-",
               input=ledger(row("EDU", "wechat", "武夷山教育", "gh_1")), check=0)
    assert "imported -: 1 new" in r.stdout
    assert mw.sql("SELECT count(*) FROM account") == [(2,)]


def test_import_dry_run_checks_but_stores_nothing(mw):
    seed(mw)
    path = mw.write("l.csv", ledger(row("EDU", "wechat", "武夷山教育", "gh_1"),
                                    row("EDU", "douyin", "武夷山教育", "dy_1")))
    before = mw.dump()
    r = mw.run("account", "import", path, "--dry-run", check=0)
    assert f"dry run of {path}: 2 new" in r.stdout
    assert mw.dump() == before
    bad = mw.write("bad.csv", ledger(row("EDU", "myspace", "x", "1")))
    assert_refused(mw.run("account", "import", bad, "--dry-run"), 1,
                   f'{bad}:2:2: platform "myspace": ')
    assert mw.dump() == before


def test_imported_accounts_are_audited(mw):
    seed(mw)
    mw.env["SUDO_USER"] = "importer"
    path = mw.write("l.csv", ledger(row("EDU", "wechat", "武夷山教育", "gh_1")))
    mw.run("account", "import", path, check=0)
    (acc,) = mw.sql("SELECT id FROM account WHERE platform_uid = 'gh_1'")[0]
    (h,) = history(mw, acc)
    assert (h["action"], h["actor"]) == ("account.open", "importer")
    assert h["after"]["name"] == "武夷山教育"


def test_demo_ledger_imports_cleanly(mw):
    demo = mw.repo / "contrib" / "demo"
    with open(demo / "units.csv", encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    assert 6 <= len(units) <= 8
    for u in units:
        args = ["unit", "add", u["code"], u["name"], "--contact", u["contact"],
                "--email", u["email"], "--phone", u["phone"]]
        if u["parent"]:
            args += ["--parent", u["parent"]]
        mw.run(*args, check=0)
    r = mw.run("account", "import", demo / "ledger.csv", check=0)
    assert "30 new" in r.stdout
    accounts = mw.json("account", "list")
    assert len(accounts) == 30
    assert all(a["platform_uid"] and a["feed_url"] is None for a in accounts)
    assert {a["platform"] for a in accounts} >= {
        "wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "website"}


# ---------------------------------------------------------------- hostile input

SQL = "'); DROP TABLE account; --"


def test_sql_looking_strings_are_stored_literally(mw):
    code = "X');DROP-TABLE-unit;--"
    mw.add_unit(code, SQL, "--contact", "Robert'); DELETE FROM audit; --")
    acc = mw.open_account(code, "weibo", SQL, "--operator", '"; DROP TABLE audit; --',
                          "--filing", "1; DELETE FROM unit", uid="1' OR '1'='1")
    path = mw.write("evil.csv", ledger(row(code, "wechat", '"x\'); DROP TABLE unit; --"',
                                           "2' OR 1=1 --")))
    mw.run("account", "import", path, check=0)
    assert {"unit", "account", "audit"} <= mw.tables()
    assert mw.sql("SELECT code, name, contact FROM unit") == [
        (code, SQL, "Robert'); DELETE FROM audit; --")]
    assert mw.sql("SELECT name, platform_uid, operator, filing_no FROM account "
                  "WHERE id = ?", (acc,)) == [
        (SQL, "1' OR '1'='1", '"; DROP TABLE audit; --', "1; DELETE FROM unit")]
    assert mw.sql("SELECT name, platform_uid FROM account WHERE platform = "
                  "'wechat'") == [("x'); DROP TABLE unit; --", "2' OR 1=1 --")]
    assert mw.sql("SELECT count(*) FROM audit") == [(3,)]
    assert mw.account(acc)["name"] == SQL
    assert mw.json("account", "list", "--unit", code)[0]["unit"] == code


def place(path, line, column=None):
    """Regex for 'FILE:LINE:COLUMN: field "' (column the field's heading)
    or, for errors that concern a whole line, 'FILE:LINE: ' optionally
    followed by a column matching the pattern after '?'."""
    if line is None:
        return re.escape(str(path)) + ": "
    p = re.escape(str(path)) + f":{line}"
    if column is None:
        return p + r": "
    if column.startswith("?"):
        return p + f"(?::(?:{column[1:]}))?: "
    return p + f':[0-9]+: {column} "' 


def big_line():
    return ledger(row(name="x" * (10 * 1024 * 1024), uid="big"))


BAD_IMPORTS = [
    # id, file content (str = UTF-8, or bytes), extra args, line, column, text
    ("unclosed-quote",
     ledger(row(uid="a1"), 'GOV,wechat,"never closed,u2,,,,', row(uid="a3"),
            row(uid="a4")),
     [], 3, "?3|name", "never closed"),
    ("too-few-fields",
     ledger(row(uid="a1"), "GOV,wechat,短行"), [], 3, "?.*", "fields"),
    ("too-many-fields",
     ledger(row(uid="a1"), row(uid="a2") + ",extra"), [], 3, "?.*", "fields"),
    ("text-after-closing-quote",
     ledger(row(uid="a1"), 'GOV,"wechat"x,名字,a2,,,,'), [], 3, "?2|platform",
     "closing quote"),
    ("gbk-without-encoding",
     ledger(row(uid="a1")).encode() + row(name="武夷山教育", uid="a2").encode("gbk")
     + b"\n", [], 3, None, "--encoding gbk"),
    ("invalid-utf8-overlong",
     ledger(row(uid="a1")).encode() + b"GOV,weibo,\xc0\xaf,a2,,,,\n", [], 3,
     None, "UTF-8"),
    ("invalid-utf8-nul",
     ledger(row(uid="a1")).encode() + b"GOV,weibo,a\x00b,a2,,,,\n", [], 3,
     None, "UTF-8"),
    ("invalid-gbk-with-encoding",
     ledger(row(uid="a1")).encode() + b"GOV,weibo,\x81\x20,a2,,,,\n",
     ["--encoding", "gbk"], 3, None, "GBK"),
    ("ten-megabyte-line", big_line(), [], 2, "?3|name", "longer than"),
    ("unknown-platform",
     ledger(row(uid="a1"), row(platform="myspace", uid="a2")), [], 3,
     "platform", "not a configured platform"),
    ("duplicate-within-file",
     ledger(row(platform="douyin", uid="dup"), row(platform="douyin", uid="dup")),
     [], 3, "platform_uid", "line 2 lists the same account"),
    ("duplicate-within-file-by-name",
     ledger(row(platform="douyin", name="同名"), row(platform="douyin", name="同名")),
     [], 3, "name", "line 2 lists the same account"),
    ("twice-the-same-registry-account",
     ledger(row(platform="weibo", name="武夷山发布"),
            row(platform="weibo", name="另名", uid=EXISTING_UID)),
     [], 3, "platform_uid", "line 2 lists the same account"),
    ("invalid-date",
     ledger(row(uid="a1", opened="2026-02-30")), [], 2, "opened_on",
     "not a real calendar date"),
    ("not-a-date",
     ledger(row(uid="a1", opened="三月五日")), [], 2, "opened_on",
     "2019年3月5日"),
    ("date-in-the-future",
     ledger(row(uid="a1", opened="2999-01-01")), [], 2, "opened_on",
     "in the future"),
    ("ftp-feed",
     ledger(row(uid="a1", feed="ftp://ftp.example.gov.cn/feed.xml")), [], 2,
     "feed_url", "http"),
    ("file-feed",
     ledger(row(uid="a1", feed="file:///etc/passwd")), [], 2, "feed_url", "http"),
    ("javascript-feed",
     ledger(row(uid="a1", feed="javascript:alert(1)")), [], 2, "feed_url", ""),
    ("name-with-newline",
     ledger(row(name='"武夷山\n发布"', uid="a1")), [], 2, "name", "control"),
    ("name-with-tab",
     ledger(row(name="武夷山\t发布", uid="a1")), [], 2, "name", "control"),
    ("name-with-escape",
     ledger(row(name="\x1b[31m红色", uid="a1")), [], 2, "name", "control"),
    ("empty-name", ledger(row(name="", uid="a1")), [], 2, "name", "empty"),
    ("blank-name", ledger(row(name="   ", uid="a1")), [], 2, "name", "empty"),
    ("unknown-unit",
     ledger(row(unit="NOPE", uid="a1")), [], 2, "unit_code", "no such unit"),
    ("sql-unit-code",
     ledger(row(unit=SQL.replace(" ", ""), uid="a1")), [], 2, "unit_code",
     "no such unit"),
    ("only-last-row-bad",
     ledger(*[row(platform="douyin", name=f"账号{i}", uid=f"u{i}")
              for i in range(50)], row(platform="myspace", uid="last")),
     [], 52, "platform", "not a configured platform"),
    ("unknown-column",
     "unit_code,platform,name,colour\nGOV,weibo,x,red\n", [], 1, "?.*",
     "unknown column"),
    ("data-without-heading",
     "unit_code,platform,name,\nGOV,weibo,x,red\n", [], 2, "?.*",
     "without a heading"),
    ("unknown-status",
     "unit_code,platform,name,status\nGOV,weibo,x,停摆\n", [], 2, "status",
     "not a status"),
    ("merge-by-import",
     "unit_code,platform,name,status\nGOV,weibo,x,整合\n", [], 2, "status",
     "account merge"),
    ("xls-workbook",
     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), [], None, None,
     ".xls"),
    ("missing-required-column",
     "unit_code,name\nGOV,x\n", [], 1, "?.*", "platform"),
    ("duplicate-column",
     "unit_code,platform,name,name\nGOV,weibo,x,y\n", [], 1, "?.*", "twice"),
    ("empty-file", "", [], 1, None, "empty"),
]


@pytest.mark.parametrize("content, args, line, column, text",
                         [c[1:] for c in BAD_IMPORTS],
                         ids=[c[0] for c in BAD_IMPORTS])
def test_bad_import_is_refused_with_its_place_and_changes_nothing(
        mw, content, args, line, column, text):
    seed(mw)
    path = mw.write("bad.csv", content)
    before = mw.dump()
    r = mw.run("account", "import", path, *args)
    assert r.returncode == 1, (
        f"exit {r.returncode} (expected 1)\nstderr:\n{r.stderr[:2000]}")
    assert re.search(place(path, line, column), r.stderr), (
        f"error does not name {path}:{line}"
        f"{'' if column is None else ':' + column}:\n{r.stderr[:2000]}")
    assert text in r.stderr
    assert mw.dump() == before
    assert {"unit", "account", "audit"} <= mw.tables()


BAD_COMMANDS = [
    # id, arguments, exit status, text in the error
    ("open-unknown-platform",
     ["account", "open", "--unit", "GOV", "--platform", "myspace", "--name", "x"],
     1, "platform"),
    ("open-duplicate",
     ["account", "open", "--unit", "EDU", "--platform", "weibo", "--name", "x",
      "--uid", EXISTING_UID], 1, "platform_uid"),
    ("open-invalid-date",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name", "x",
      "--opened", "2026-02-30"], 1, "opened_on"),
    ("open-ftp-feed",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name", "x",
      "--feed", "ftp://example.gov.cn/feed"], 1, "feed_url"),
    ("open-file-feed",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name", "x",
      "--feed", "file:///etc/passwd"], 1, "feed_url"),
    ("open-feed-with-space",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name", "x",
      "--feed", "http://example.gov.cn/a b"], 1, "feed_url"),
    ("open-name-with-newline",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name",
      "武夷山\n发布"], 1, "name"),
    ("open-name-with-control",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name",
      "a\x07b"], 1, "name"),
    ("open-empty-name",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name", ""],
     1, "name"),
    ("open-unknown-unit",
     ["account", "open", "--unit", "NOPE", "--platform", "douyin", "--name", "x"],
     1, "unit_code"),
    ("open-bad-threshold",
     ["account", "open", "--unit", "GOV", "--platform", "douyin", "--name", "x",
      "--warn", "soon"], 1, "warn"),
    ("unit-code-with-space", ["unit", "add", "BAD CODE", "名字"], 1, "code"),
    ("unit-empty-name", ["unit", "add", "NEW", ""], 1, "name"),
    ("unit-name-with-newline", ["unit", "add", "NEW", "a\nb"], 1, "name"),
    ("unit-bad-email", ["unit", "add", "NEW", "名字", "--email", "nobody"], 1,
     "email"),
    ("unit-email-header-injection",
     ["unit", "add", "NEW", "名字", "--email", "a@example.gov.cn\r\nBcc: x@y"],
     1, "email"),
    ("unit-change-unknown", ["unit", "change", "NOPE", "--name", "x"], 1,
     "no such unit"),
    ("change-empty-name",
     ["account", "change", "1", "--name", "", "--reason", "x"], 1, "name"),
    ("change-file-feed",
     ["account", "change", "1", "--feed", "file:///etc/passwd", "--reason", "x"],
     1, "feed_url"),
    ("change-unknown-platform",
     ["account", "change", "1", "--platform", "myspace", "--reason", "x"], 1,
     "platform"),
    ("change-unknown-unit",
     ["account", "change", "1", "--unit", "NOPE", "--reason", "x"], 1, "unit"),
    ("change-clear-opened",
     ["account", "change", "1", "--opened", "", "--reason", "x"], 1, "opened_on"),
    ("import-missing-file", ["account", "import", "/nonexistent/l.csv"], 1,
     "/nonexistent/l.csv"),
    ("unknown-command", ["frobnicate"], 2, "unknown command"),
    ("unknown-subcommand", ["account", "frobnicate", "1"], 2, "frobnicate"),
    ("unknown-unit-subcommand", ["unit", "frobnicate", "X"], 2, "frobnicate"),
    ("unknown-option", ["account", "open", "--bogus", "x"], 2, "--bogus"),
    ("unknown-unit-option", ["unit", "list", "--bogus"], 2, "--bogus"),
    ("option-without-value", ["account", "open", "--unit"], 2, "--unit"),
    ("global-option-without-value", ["account", "list", "--db"], 2, "value"),
    ("non-numeric-id", ["account", "show", "abc"], 2, "account id"),
    ("id-with-suffix", ["account", "suspend", "1x", "--reason", "x"], 2,
     "account id"),
    ("zero-id", ["account", "close", "0", "--reason", "x"], 2, "account id"),
    ("huge-id", ["account", "show", "99999999999999999999999"], 2, "account id"),
    ("negative-id", ["account", "close", "--", "-1", "--reason", "x"], 2, ""),
    ("non-numeric-into",
     ["account", "merge", "1", "--into", "abc", "--reason", "x"], 2, "--into"),
    ("close-without-reason", ["account", "close", "1"], 2, "--reason"),
    ("unit-add-one-argument", ["unit", "add", "ONLY"], 2, "expected 2"),
    ("open-with-positional", ["account", "open", "--unit", "GOV", "extra"], 2,
     "options only"),
    ("import-bad-encoding",
     ["account", "import", "x.csv", "--encoding", "latin1"], 2, "--encoding"),
    ("check-config-argument", ["check-config", "extra"], 2, "no arguments"),
]


@pytest.mark.parametrize("args, status, text", [c[1:] for c in BAD_COMMANDS],
                         ids=[c[0] for c in BAD_COMMANDS])
def test_bad_command_is_refused_and_changes_nothing(mw, args, status, text):
    seed(mw)
    before = mw.dump()
    r = mw.run(*args)
    assert_refused(r, status, text)
    assert r.stdout == ""
    assert mw.dump() == before
