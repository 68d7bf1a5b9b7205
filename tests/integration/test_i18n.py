"""A Chinese command line (issue 14, item 6): mediawatchctl follows the
locale through gettext, with the zh_CN catalog of po/zh_CN.po.

LANG=zh_CN.UTF-8 (or LC_ALL) gives Chinese help, messages and table
headings, and the words of states, kinds, statuses and platforms in
tables; --json and --csv stay byte for byte what the C locale gives.  C
and English locales give English.  mediawatchd logs in English whatever
the locale.  An installed copy finds its catalog relative to itself, and
so does the build tree.  Everything through the real programs."""

import json
import os
import re
import subprocess

import pytest

from conftest import BUILD, REPO

CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
ZH_LANG = {"LANG": "zh_CN.UTF-8", "LC_ALL": None}
C = {"LANG": "C", "LC_ALL": None}
EN = {"LANG": "en_US.UTF-8", "LC_ALL": None}
NOW = "2026-03-10T10:00:00"


@pytest.fixture(scope="module")
def zh_locpath(tmp_path_factory):
    """Without the zh_CN.UTF-8 locale a program cannot switch its
    messages to Chinese.  contrib/deps.sh generates it as root; where it
    is missing, the tests compile one of their own (localedef, from
    Debian's locales package) and point the programs at it with
    LOCPATH.  None when the system has it."""
    names = subprocess.run(["locale", "-a"], capture_output=True,
                           text=True).stdout.lower().split()
    if "zh_cn.utf8" in names:
        return None
    path = tmp_path_factory.mktemp("locale")
    r = subprocess.run(["localedef", "-i", "zh_CN", "-f", "UTF-8",
                        str(path / "zh_CN.UTF-8")], capture_output=True,
                       text=True, timeout=300)
    if not (path / "zh_CN.UTF-8" / "LC_MESSAGES").is_dir():
        pytest.fail("no zh_CN.UTF-8 locale, and localedef cannot make one "
                    "(`make deps` installs Debian's locales package): "
                    + r.stderr)
    return path


@pytest.fixture(autouse=True)
def zh_locale(zh_locpath, monkeypatch):
    if zh_locpath is not None:
        monkeypatch.setenv("LOCPATH", str(zh_locpath))


def cjk(text):
    return bool(CJK.search(text))


def lines(text):
    return [l for l in text.splitlines() if l.strip()]


# ---- help and usage ----

def test_help_is_chinese_under_zh_cn_and_english_under_c_and_en_us(mw):
    zh = mw.run("--help", env=ZH_LANG, check=0).stdout
    assert zh.startswith("用法：mediawatchctl [-c 配置文件]"), zh
    assert "政务新媒体账号台账及更新监测" in zh
    assert "/etc/mediawatch/mediawatch.conf" in zh   # the %s filled in
    for env in (C, EN, {"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}):
        en = mw.run("--help", env=env, check=0).stdout
        assert en.startswith("usage: mediawatchctl [-c CONF]"), (env, en)
        assert not cjk(en.split("commands:")[0]), en
    # each command's help, in both languages
    for command in ("unit", "account", "ledger", "status", "problem",
                    "outbox", "notice", "bulletin", "report", "poll",
                    "feed", "wordcheck", "user", "check-config"):
        zh = mw.run(command, "--help", env=ZH, check=0).stdout
        en = mw.run(command, "--help", env=C, check=0).stdout
        assert zh.startswith("用法：mediawatchctl"), (command, zh)
        assert en.startswith("usage: mediawatchctl"), (command, en)


def test_usage_errors_are_chinese_with_the_same_exit_status(mw):
    for args in (["frobnicate"], ["account", "open", "--bogus"],
                 ["problem", "list", "--state", "later"],
                 ["account", "close", "x", "--reason", "r"]):
        zh = mw.run(*args, env=ZH)
        en = mw.run(*args, env=C)
        assert zh.returncode == en.returncode == 2, (args, zh, en)
        assert zh.stderr.startswith("mediawatchctl: "), zh.stderr
        assert cjk(zh.stderr.splitlines()[0]), (args, zh.stderr)
        assert not cjk(en.stderr.splitlines()[0]), (args, en.stderr)
        assert "用法：" in zh.stderr and "usage:" in en.stderr
    r = mw.run("frobnicate", env=ZH)
    assert r.stderr.splitlines()[0] == "mediawatchctl: 未知命令“frobnicate”"


# ---- errors and refusals ----

def test_refusals_are_chinese_and_keep_field_and_status(mw):
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    zh = mw.run("account", "open", "--unit", "GOV", "--platform", "mars",
                "--name", "武夷山发布", env=ZH)
    en = mw.run("account", "open", "--unit", "GOV", "--platform", "mars",
                "--name", "武夷山发布", env=C)
    assert zh.returncode == en.returncode == 1
    assert en.stderr == ("mediawatchctl: account open: platform: is not a "
                         "configured platform (see `mediawatchctl "
                         "check-config`)\n")
    # the field by its name: the key is for the ledger import and scripts
    assert zh.stderr == ("mediawatchctl: account open: 平台：不是已配置"
                         "的平台（见 `mediawatchctl check-config`）\n")
    acc = mw.open_account("GOV", "weibo", "武夷山发布")
    mw.run("account", "close", str(acc), "--reason", "无力维护", check=0)
    zh = mw.run("account", "suspend", str(acc), "--reason", "调整", env=ZH)
    assert zh.returncode == 1
    assert zh.stderr == (f"mediawatchctl: account suspend: 状态：账号 {acc} "
                         "的状态为“关停”；只能暂停在用的账号\n")
    en = mw.run("account", "suspend", str(acc), "--reason", "调整", env=C)
    assert en.stderr == (f"mediawatchctl: account suspend: status: account "
                         f"{acc} is closed; only an active account can be "
                         "suspended\n")


def ledger_with_errors(mw):
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    return mw.write("台账.csv", "单位代码,平台,账号名称,开设日期,状态\r\n"
                    "GOV,微博,武夷山发布,2019/3/5,在用\r\n"
                    "GOV,火星,武夷山之声,2019/13/5,在用\r\n"
                    "NOPE,微博,武夷山旅游,2099-01-01,在用\r\n")


def test_import_errors_keep_file_line_column_in_chinese(mw):
    path = ledger_with_errors(mw)
    before = mw.dump()
    zh = mw.run("account", "import", path.name, env=ZH)
    en = mw.run("account", "import", path.name, env=C)
    assert zh.returncode == en.returncode == 1
    assert mw.dump() == before
    zh_lines, en_lines = lines(zh.stderr), lines(en.stderr)
    assert len(zh_lines) == len(en_lines) == 5, zh.stderr
    # the place of each error, FILE:LINE:COLUMN: heading "value": is the same
    for z, e in zip(zh_lines[:4], en_lines[:4]):
        where = re.match(r'(mediawatchctl: 台账\.csv:\d+:\d+: \S+ "[^"]*": )',
                         e).group(1)
        assert z.startswith(where), (z, e)
        assert cjk(z[len(where):]) and not cjk(e[len(where):]), (z, e)
    assert zh_lines[0].endswith(
        '台账.csv:3:2: 平台 "火星": 不是已配置的平台（平台键或名称见 '
        '`mediawatchctl check-config`）')
    assert zh_lines[3].endswith('台账.csv:4:4: 开设日期 "2099-01-01": 晚于今天')
    assert en_lines[3].endswith('台账.csv:4:4: 开设日期 "2099-01-01": '
                                'is in the future')
    assert zh_lines[4] == "mediawatchctl: 台账.csv：未导入任何内容（4 处错误）"
    assert en_lines[4] == "mediawatchctl: 台账.csv: nothing imported (4 errors)"


def test_a_bad_configuration_is_reported_in_chinese_at_its_line(mw):
    mw.write_config('poll = {\n\tconcurrency = "many";\n};')
    zh = mw.run("check-config", env=ZH)
    en = mw.run("check-config", env=C)
    assert zh.returncode == en.returncode == 1
    conf = str(mw.conf_path)
    assert en.stderr == (f"mediawatchctl: {conf}:4: 'concurrency' must be "
                         "a whole number\n")
    assert zh.stderr == f"mediawatchctl: {conf}:4: “concurrency”应为整数\n"


def test_the_daemon_logs_in_english_under_a_chinese_locale(mw):
    """The same message of the library, Chinese from mediawatchctl, stays
    English in the service's log whatever LANG, LC_ALL or LANGUAGE say."""
    mw.write_config('poll = {\n\tconcurrency = "many";\n};')
    env = dict(ZH, LANGUAGE="zh_CN:zh", LC_MESSAGES="zh_CN.UTF-8")
    r = mw.run_daemon("-d", "-n", env=env)
    assert r.returncode != 0
    assert "'concurrency' must be a whole number" in r.stderr, r.stderr
    assert not cjk(r.stderr), r.stderr
    ctl = mw.run("check-config", env=env)
    assert "“concurrency”应为整数" in ctl.stderr


def test_the_daemons_run_log_stays_english(mw):
    mw.write_config("")
    mw.now(NOW)
    mw.add_unit("GOV", "GOV-OFFICE")
    mw.open_account("GOV", "weibo", "wys-release", "--opened", "2022-01-10")
    env = dict(ZH, LANGUAGE="zh_CN")
    r = mw.run_daemon("--once", "-d", "-v", env=env, timeout=90)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip(), "the daemon logged nothing"
    assert not cjk(r.stderr), r.stderr


# ---- what a change says, and the rules it keeps (issue 14, item 6) ----

def test_every_change_says_in_one_line_what_it_changed(mw):
    mw.now(NOW)

    def zh(*args):
        r = mw.run(*args, env=ZH, check=0)
        assert r.stderr == "", (args, r.stderr)
        return r.stdout

    assert zh("unit", "add", "GOV", "武夷山市人民政府办公室") == \
        "单位 GOV 已登记\n"
    assert zh("unit", "change", "GOV", "--contact", "林晓燕", "--reason",
              "新联系人") == "单位 GOV 已变更：联系人：（空） → 林晓燕\n"
    a = int(zh("account", "open", "--unit", "GOV", "--platform", "weibo",
               "--name", "武夷山发布", "--opened", "2019-03-05"))
    b = int(zh("account", "open", "--unit", "GOV", "--platform", "douyin",
               "--name", "武夷山之声", "--opened", "2019-03-05"))
    assert zh("account", "change", str(a), "--operator", "林晓燕", "--reason",
              "运维调整") == f"账号 {a} 已变更：运维人员：（空） → 林晓燕\n"
    assert zh("account", "suspend", str(a), "--reason", "运维人员调整") == \
        f"账号 {a} 已暂停监测\n"
    assert zh("account", "resume", str(a), "--reason", "恢复") == \
        f"账号 {a} 已恢复监测\n"
    assert zh("account", "touch", str(a), "--at", "2026-03-09T09:30") == \
        f"已记录账号 {a} 于 2026-03-09 09:30 有更新（人工核实）\n"
    assert zh("poll", str(a)) == f"账号 {a} 已列入立即采集\n"
    p = int(zh("problem", "add", "--account", str(a), "--detail",
               "转载内容未注明来源"))
    assert zh("problem", "close", str(p), "--reason", "rectified", "--note",
              "已整改") == f"问题 {p} 已销号（已整改）\n"
    assert zh("account", "merge", str(b), "--into", str(a), "--reason",
              "整合至市级账号") == f"账号 {b} 已整合至账号 {a}\n"
    assert zh("account", "close", str(a), "--on", "2026-03-01", "--reason",
              "无力维护") == f"账号 {a} 已于 2026-03-01 关停\n"
    assert zh("unit", "remove", "GOV", "--reason", "机构调整") == \
        "单位 GOV 已撤销\n"
    zh("user", "add", "chenjing", "--no-password")
    assert zh("user", "disable", "chenjing", "--reason", "调离") == \
        "用户 chenjing 已停用\n"
    assert zh("user", "enable", "chenjing") == "用户 chenjing 已启用\n"


def test_a_refused_change_prints_nothing_on_stdout(mw):
    mw.now(NOW)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    a = mw.open_account("GOV", "weibo", "武夷山发布", "--opened", "2019-03-05")
    before = mw.dump()
    for args in (["account", "close", str(a), "--on", "2019-03-04",
                  "--reason", "x"],
                 ["account", "merge", str(a), "--into", str(a), "--reason",
                  "x"],
                 ["problem", "close", "99", "--reason", "waived"]):
        r = mw.run(*args, env=ZH)
        assert r.returncode == 1 and r.stdout == "", (args, r)
    assert mw.dump() == before


def test_future_dates_are_refused_and_close_takes_its_date(mw):
    mw.now(NOW)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    before = mw.dump()
    args = ["account", "open", "--unit", "GOV", "--platform", "weibo",
            "--name", "武夷山发布", "--opened", "2026-03-11"]
    zh, en = mw.run(*args, env=ZH), mw.run(*args, env=C)
    assert zh.returncode == en.returncode == 1
    assert zh.stderr == "mediawatchctl: account open: 开设日期：晚于今天\n"
    assert en.stderr == ("mediawatchctl: account open: opened_on: is in the "
                         "future\n")
    assert mw.dump() == before
    a = mw.open_account("GOV", "weibo", "武夷山发布", "--opened", "2020-05-01")
    for on, why in (("2026-03-11", "关停日期：晚于今天"),
                    ("2020-04-30", "关停日期：2020-04-30 早于账号开设日期"
                                   "（2020-05-01）")):
        r = mw.run("account", "close", str(a), "--on", on, "--reason", "x",
                   env=ZH)
        assert r.returncode == 1
        assert r.stderr == f"mediawatchctl: account close: {why}\n"
    assert mw.account(a)["status"] == "active"
    r = mw.run("account", "touch", str(a), "--at", "2026-03-12", env=ZH)
    assert r.stderr == "mediawatchctl: account touch: 更新时间：晚于今天\n"
    r = mw.run("account", "close", str(a), "--on", "2026-02-28", "--reason",
               "无力维护，予以关停", env=ZH, check=0)
    assert r.stdout == f"账号 {a} 已于 2026-02-28 关停\n"
    shown = mw.run("account", "show", str(a), env=ZH, check=0).stdout
    assert re.search(r"^关停日期\s+2026-02-28$", shown, re.M), shown
    assert re.search(r"^状态\s+关停$", shown, re.M), shown


def test_a_merge_shows_in_both_histories(mw):
    mw.now(NOW)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    a = mw.open_account("GOV", "weibo", "武夷山发布")
    b = mw.open_account("GOV", "wechat", "武夷山旅游")
    mw.run("account", "merge", str(b), "--into", str(a), "--reason",
           "整合至市级账号", env=ZH, check=0)
    survivor = lines(mw.run("account", "history", str(a), env=ZH,
                            check=0).stdout)
    merged = lines(mw.run("account", "history", str(b), env=ZH,
                          check=0).stdout)
    assert survivor[0].split() == ["时间", "操作人", "操作", "事由", "变更内容"]
    assert survivor[-1].endswith(f"并入账号  整合至市级账号  账号 {b}（微信公众号 "
                                 "武夷山旅游）已整合至本账号"), survivor
    assert merged[-1].endswith(f"整合      整合至市级账号  状态：在用 → 整合；"
                               f"并入账号：（空） → {a}；关停日期：（空） → "
                               "2026-03-10"), merged
    # the machine formats keep the keys
    rows = mw.json("account", "history", str(a))
    assert rows[-1]["action"] == "account.merge_in"


def test_durations_are_shown_in_days(mw):
    mw.now(NOW)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    a = mw.open_account("GOV", "weibo", "武夷山发布")
    r = mw.run("account", "change", str(a), "--warn", "36h", "--stale", "10d",
               "--reason", "加密监测", env=ZH, check=0)
    assert r.stdout == (f"账号 {a} 已变更：预警期限：（空） → 1.5 天；"
                        "超期期限：（空） → 10 天\n")
    shown = mw.run("account", "show", str(a), env=ZH, check=0).stdout
    assert re.search(r"^预警期限\s+1\.5 天$", shown, re.M), shown
    assert re.search(r"^超期期限\s+10 天$", shown, re.M), shown
    assert re.search(r"^长期未更新期限\s+90 天（平台默认）$", shown, re.M), shown
    history = mw.run("account", "history", str(a), env=C, check=0).stdout
    assert "warn_after: (none) → 1.5 days; stale_after: (none) → 10 days" \
        in history, history
    config = mw.run("check-config", env=ZH, check=0).stdout
    assert re.search(r"^  weibo +微博 +预警 7 天，超期 14 天，长期未更新 90 天$",
                     config, re.M), config
    config = mw.run("check-config", env=C, check=0).stdout
    assert re.search(r"^  weibo +微博 +warn 7 days, stale 14 days, dormant "
                     r"90 days$", config, re.M), config
    assert mw.account(a)["stale_after"] == 864000     # --json: seconds


# ---- tables, and the machine formats ----

@pytest.fixture
def monitored(mw):
    """Two units and four accounts after a real evaluation: fresh, stale
    (with its problem), unverified and suspended; and a manual problem."""
    mw.write_config("")
    mw.now(NOW)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    mw.add_unit("EDU", "武夷山市教育局")
    ids = {}
    for key, unit, platform, name in (
            ("fresh", "GOV", "weibo", "武夷山发布"),
            ("stale", "GOV", "douyin", "武夷山之声"),
            ("blind", "EDU", "wechat", "武夷山教育"),
            ("paused", "EDU", "toutiao", "武夷山教育头条")):
        ids[key] = mw.open_account(unit, platform, name, "--opened",
                                   "2022-01-10")
    mw.run("account", "touch", str(ids["fresh"]), "--at", "2026-03-09",
           check=0)
    mw.run("account", "touch", str(ids["stale"]), "--at", "2026-02-18",
           check=0)
    mw.run("account", "suspend", str(ids["paused"]), "--reason", "运维人员调整",
           check=0)
    mw.run("problem", "add", "--account", str(ids["blind"]), "--detail",
           "转载内容未注明来源", check=0)
    mw.run("poll", check=0)
    mw.run_daemon("--once", "-d", check=0, timeout=90)
    states = dict(mw.sql("SELECT account_id, state FROM account_state"))
    assert states == {ids["fresh"]: "fresh", ids["stale"]: "stale",
                      ids["blind"]: "unverified"}, states
    return ids


def header(out):
    return out.splitlines()[0].split()


def test_account_list_in_chinese_words_and_headings(mw, monitored):
    zh = mw.run("account", "list", env=ZH, check=0).stdout
    en = mw.run("account", "list", env=C, check=0).stdout
    assert header(zh) == ["编号", "单位", "平台", "名称", "状态", "监测状态",
                          "最近更新", "最近采集", "下次采集"], zh
    assert header(en)[:6] == ["ID", "UNIT", "PLATFORM", "NAME", "STATUS",
                              "STATE"], en
    rows = {l.split()[0]: l.split() for l in zh.splitlines()[1:]}
    ids = monitored
    assert rows[str(ids["fresh"])][2:6] == ["微博", "武夷山发布", "在用", "正常"]
    assert rows[str(ids["stale"])][2:6] == ["抖音", "武夷山之声", "在用",
                                            "超期未更新"]
    assert rows[str(ids["blind"])][2:6] == ["微信公众号", "武夷山教育", "在用",
                                            "未核实"]
    assert rows[str(ids["paused"])][2:6] == ["今日头条", "武夷山教育头条",
                                             "暂停", "-"]
    assert "尚未采集" in rows[str(ids["fresh"])]      # LAST FETCH: never
    rows = {l.split()[0]: l.split() for l in en.splitlines()[1:]}
    assert rows[str(ids["stale"])][2:6] == ["douyin", "武夷山之声", "active",
                                            "stale"]
    assert "never" in rows[str(ids["fresh"])]
    # the columns line up by display width in Chinese too
    widths = {display_col(l, "武夷山") for l in zh.splitlines()[1:]}
    assert len(widths) == 1, zh


def display_col(line, text):
    """The terminal column where text starts in line."""
    i = line.index(text)
    return sum(2 if CJK.match(c) else 1 for c in line[:i])


def test_status_in_chinese(mw, monitored):
    zh = mw.run("status", env=ZH, check=0).stdout
    assert zh.splitlines()[0] == ("账号：在用 3 个（正常 1，预警 0，超期未更新 1，"
                                  "长期未更新 0，未核实 1，尚未评估 0），暂停监测 "
                                  "1 个"), zh
    assert "未销号问题：2 个，涉及 2 个账号（逾期 0 个）" in zh
    table = [l for l in zh.splitlines() if l.startswith("单位代码") or
             l.startswith("单位 ")]
    assert table and table[0].split() == ["单位", "名称", "在用", "正常",
                                          "预警", "超期未更新", "长期未更新",
                                          "未核实", "问题数"], zh


def test_problem_list_and_show_in_chinese(mw, monitored):
    zh = mw.run("problem", "list", env=ZH, check=0).stdout
    assert header(zh) == ["编号", "单位", "平台", "账号", "类别", "状态",
                          "发现日期", "整改期限", "销号日期", "问题说明"], zh
    body = zh.splitlines()[1:]
    stale = [l for l in body if "武夷山之声" in l]
    manual = [l for l in body if "武夷山教育" in l]
    assert stale and "抖音" in stale[0] and "超期未更新" in stale[0]
    assert "未销号" in stale[0]
    assert manual and "人工核查问题" in manual[0] and "微信公众号" in manual[0]
    pid = int(stale[0].split()[0])
    show = mw.run("problem", "show", str(pid), env=ZH, check=0).stdout
    assert re.search(r"^类别\s+超期未更新$", show, re.M), show
    assert re.search(r"^是否逾期\s+否$", show, re.M), show
    # "Opened" of a problem is not the opening day of an account
    assert re.search(r"^发现时间\s+2026-03-10 10:00$", show, re.M), show
    acc = mw.run("account", "show", str(monitored["stale"]), env=ZH,
                 check=0).stdout
    assert re.search(r"^开设日期\s+2022-01-10$", acc, re.M), acc


@pytest.mark.parametrize("args", [
    ["account", "list"], ["status"], ["problem", "list"],
    ["account", "show", "1"], ["account", "history", "4"],
    ["unit", "list"], ["unit", "show", "GOV"], ["ledger", "check"],
    ["outbox", "list"], ["problem", "show", "1"],
])
@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_json_and_csv_are_the_same_in_every_locale(mw, monitored, args, fmt):
    c = mw.run(fmt, *args, env=C, check=0).stdout
    assert c.strip()
    for env in (ZH, ZH_LANG, dict(ZH, LANGUAGE="zh_CN")):
        assert mw.run(fmt, *args, env=env, check=0).stdout == c, (env, args)
    if fmt == "--json":
        json.loads(c)


# ---- where the catalog is found ----

def test_an_installed_copy_finds_its_catalog(mw, tmp_path):
    dest = tmp_path / "root"
    r = subprocess.run(["make", "-s", "-C", str(REPO), "install",
                        f"DESTDIR={dest}", "PREFIX=/usr", f"BUILD={BUILD}"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    mo = dest / "usr/share/locale/zh_CN/LC_MESSAGES/mediawatch.mo"
    assert mo.is_file()
    ctl = dest / "usr/bin/mediawatchctl"
    out = mw.exec([ctl, "--help"], env=ZH, check=0).stdout
    assert out.startswith("用法：mediawatchctl"), out
    # nothing from the build tree: a copy elsewhere without a catalog
    # next to it speaks English
    bare = tmp_path / "elsewhere" / "bin"
    bare.mkdir(parents=True)
    (bare / "mediawatchctl").write_bytes(ctl.read_bytes())
    (bare / "mediawatchctl").chmod(0o755)
    out = mw.exec([bare / "mediawatchctl", "--help"], env=ZH, check=0).stdout
    assert out.startswith("usage: mediawatchctl"), out


def test_the_build_tree_and_the_override_find_the_catalog(mw, tmp_path):
    assert (BUILD / "locale/zh_CN/LC_MESSAGES/mediawatch.mo").is_file()
    out = mw.run("--help", env=ZH, check=0).stdout
    assert out.startswith("用法："), out
    empty = tmp_path / "no-catalogs"
    empty.mkdir()
    out = mw.run("--help", env=dict(ZH, MEDIAWATCH_LOCALEDIR=empty),
                 check=0).stdout
    assert out.startswith("usage: mediawatchctl"), out
    out = mw.run("--help", env=dict(ZH, MEDIAWATCH_LOCALEDIR=BUILD / "locale"),
                 check=0).stdout
    assert out.startswith("用法："), out
