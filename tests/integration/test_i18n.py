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


@pytest.fixture(autouse=True)
def zh_locale():
    """The zh_CN.UTF-8 locale must exist: without it a program cannot
    switch its messages to Chinese (contrib/deps.sh generates it)."""
    names = subprocess.run(["locale", "-a"], capture_output=True,
                           text=True).stdout.lower().split()
    if "zh_cn.utf8" not in names:
        pytest.fail("the zh_CN.UTF-8 locale is not generated: run "
                    "`make deps` as root (contrib/deps.sh)")


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
    assert zh.stderr == ("mediawatchctl: account open: platform: 不是已配置"
                         "的平台（见 `mediawatchctl check-config`）\n")
    acc = mw.open_account("GOV", "weibo", "武夷山发布")
    mw.run("account", "close", str(acc), "--reason", "无力维护", check=0)
    zh = mw.run("account", "suspend", str(acc), "--reason", "调整", env=ZH)
    assert zh.returncode == 1
    assert zh.stderr == (f"mediawatchctl: account suspend: status: 账号 {acc} "
                         "的状态为“关停”；只能暂停在用的账号\n")


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
