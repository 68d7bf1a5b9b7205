"""The last-update rules that need more than one fetch, and their
explanation (issue 13): RSSHub's render-time <updated>, honest modification
dates, and what `mediawatchctl feed inspect` and `account show` say decided
the last update.  The real `mediawatchd --once` polls a loopback server
that renders each feed afresh at every poll; MEDIAWATCH_NOW fixes the
clock of each poll."""

import datetime
import json
import re

import pytest

from feedserver import FIXTURES, feeds, fixture_bytes  # noqa: F401
from olddb import database_at
from test_poller import (HOUR, NEWEST, NEXT, NOW, last_update, open_feed,  # noqa: F401
                         poll_once, posts, pw, repoll)

# rsshub-atom.xml as rendered at NOW; its one dated entry
RSSHUB_RENDERED = "2022-11-10T00:00:00.000Z"
RSSHUB_DATED = 1666231200          # 2022-10-20 10:00 +0800
OPENED = "2022-01-01"              # past the grace of a new account


def iso_utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")


def rsshub(rendered_at, extra_entry=None):
    """rsshub-atom.xml rendered at rendered_at: RSSHub writes the render
    time into the feed's and every undated entry's <updated>."""
    text = fixture_bytes("rsshub-atom.xml").decode("utf-8")
    text = text.replace(RSSHUB_RENDERED, iso_utc(rendered_at))
    if extra_entry:
        text = text.replace("</feed>", extra_entry + "</feed>")
    return text


def undated_rsshub_entry(n, rendered_at):
    return (f"<entry><title>新微博{n}</title>"
            f'<link href="https://weibo.com/1234567890/New{n}" />'
            f"<id>https://weibo.com/1234567890/New{n}</id>"
            f"<updated>{iso_utc(rendered_at)}</updated></entry>\n")


def atom(*entries):
    """An Atom feed; entries are (id, title, updated ISO text)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom"><title>测试</title>'
           "<id>urn:test</id><updated>2022-11-10T00:00:00Z</updated>\n"]
    for eid, title, updated in entries:
        out.append(f"<entry><id>{eid}</id><title>{title}</title>"
                   f'<link href="https://www.example.gov.cn/{eid}.html"/>'
                   f"<updated>{updated}</updated></entry>\n")
    out.append("</feed>\n")
    return "".join(out)


@pytest.fixture
def ev(pw):
    """pw whose cycles also evaluate the accounts: alert mail goes to the
    maildir, written from our templates."""
    pw.write_config(pw.extra_config + (
        'mail = { transport = "maildir"; from = "mediawatch@example.gov.cn";'
        ' admins = [ "dzzw@example.gov.cn" ];'
        f' templates = "{pw.repo / "conf" / "templates"}"; }};\n'))
    return pw


def open_quiet(mw, url):
    """An account opened long ago, so no grace hides its state."""
    return mw.open_account("GOV", "weibo", "武夷山发布", "--opened", OPENED,
                           feed=url)


def state_of(mw, acc):
    rows = mw.sql("SELECT state FROM account_state WHERE account_id = ?",
                  (acc,))
    return rows[0][0] if rows else None


def reason(mw, acc):
    return mw.account(acc)["last_update_reason"]


def show_table(mw, acc):
    return mw.run("account", "show", str(acc), check=0).stdout


# ------------------------------------------------------ RSSHub render times

def test_rsshub_render_times_let_a_quiet_account_go_quiet(ev, feeds):
    pw = ev
    acc = open_quiet(pw, feeds.serve("/weibo.atom", rsshub(NOW - 5)))
    poll_once(pw)
    assert last_update(pw, acc) == RSSHUB_DATED
    for i in range(1, 5):
        at = NOW + i * HOUR
        feeds.serve("/weibo.atom", rsshub(at - 5))       # rendered afresh
        repoll(pw, at, acc)
        assert last_update(pw, acc) == RSSHUB_DATED, f"poll {i + 1}"
    # three weeks without a post: the 14-day veto, not fresh
    assert state_of(pw, acc) == "stale"
    why = reason(pw, acc)
    assert why["rule"] == "published"
    assert why["guid"] == "https://weibo.com/1234567890/Mabc1"
    assert why["seen_at"] == NOW


def test_rsshub_render_time_served_twice_from_its_cache_counts_once_at_most(
        pw, feeds):
    """RSSHub caches a rendered feed (5 minutes by default): two fetches
    inside that window see the same render time, which then counts like
    an edit — once, and never again while the render time moves."""
    acc = open_quiet(pw, feeds.serve("/weibo.atom", rsshub(NOW - 5)))
    poll_once(pw)
    repoll(pw, NOW + 60, acc)                    # the same cached body
    assert last_update(pw, acc) == NOW - 5
    for i in range(1, 4):
        feeds.serve("/weibo.atom", rsshub(NOW + i * HOUR - 5))
        repoll(pw, NOW + i * HOUR, acc)
    assert last_update(pw, acc) == NOW - 5


def test_a_new_undated_rsshub_item_counts_when_it_appears(ev, feeds):
    pw = ev
    acc = open_quiet(pw, feeds.serve("/weibo.atom", rsshub(NOW - 5)))
    poll_once(pw)
    feeds.serve("/weibo.atom", rsshub(NOW + HOUR - 5))
    repoll(pw, NOW + HOUR, acc)
    assert last_update(pw, acc) == RSSHUB_DATED

    at = NOW + 2 * HOUR
    feeds.serve("/weibo.atom", rsshub(at - 5, undated_rsshub_entry(1, at - 5)))
    repoll(pw, at, acc)
    assert last_update(pw, acc) == at - 5
    why = reason(pw, acc)
    assert why["rule"] == "modified-new-entry"
    assert why["guid"] == "https://weibo.com/1234567890/New1"
    assert why["title"] == "新微博1"
    assert why["seen_at"] == at
    assert state_of(pw, acc) == "fresh"

    # rendered again: the same entries, nothing new
    feeds.serve("/weibo.atom", rsshub(at + HOUR - 5,
                                      undated_rsshub_entry(1, at + HOUR - 5)))
    repoll(pw, at + HOUR, acc)
    assert last_update(pw, acc) == at - 5


# ---------------------------------------------- honest modification dates

def test_honest_modification_dates_count_from_the_second_fetch(pw, feeds):
    """atom10.xml's second entry has only <updated> (2022-11-05 10:30): the
    first fetch cannot tell it from a render time, the second can."""
    acc = open_feed(pw, feeds.serve("/a.xml", file="atom10.xml"))
    poll_once(pw)
    assert last_update(pw, acc) == NEXT          # the published entry
    assert reason(pw, acc)["rule"] == "published"
    repoll(pw, NOW + HOUR, acc)
    assert last_update(pw, acc) == NEWEST
    why = reason(pw, acc)
    assert why["rule"] == "modified-unchanged"
    assert why["guid"] == "tag:example.gov.cn,2022:a-2"
    assert why["date_raw"] == "2022-11-05T02:30:00Z"
    assert why["seen_at"] == NOW + HOUR
    assert "the same on two fetches" in show_table(pw, acc)


def test_an_edit_counts_once_two_fetches_agree_on_it(pw, feeds):
    d1, d2 = "2022-11-08T01:00:00Z", "2022-11-10T00:30:00Z"
    feeds.serve("/e.xml", atom(("e-1", "通知", d1)), conditional=False)
    acc = open_feed(pw, feeds.url("/e.xml"))
    poll_once(pw)
    assert last_update(pw, acc) is None          # first fetch
    repoll(pw, NOW + HOUR, acc)
    assert last_update(pw, acc) == 1667869200    # d1, confirmed
    feeds.serve("/e.xml", atom(("e-1", "通知（修订）", d2)), conditional=False)
    repoll(pw, NOW + 2 * HOUR, acc)
    assert last_update(pw, acc) == 1667869200    # d2 seen once
    repoll(pw, NOW + 3 * HOUR, acc)
    assert last_update(pw, acc) == 1668040200    # d2, confirmed
    assert reason(pw, acc)["rule"] == "modified-unchanged"


def test_an_entry_that_appears_with_a_modification_date_counts_at_it(
        pw, feeds):
    feeds.serve("/n.xml", atom(("n-1", "旧文", "2022-11-01T00:00:00Z")),
                conditional=False)
    acc = open_feed(pw, feeds.url("/n.xml"))
    poll_once(pw)
    feeds.serve("/n.xml", atom(("n-2", "新文", "2022-11-10T00:20:00Z"),
                               ("n-1", "旧文", "2022-11-01T00:00:00Z")),
                conditional=False)
    repoll(pw, NOW + HOUR, acc)
    assert last_update(pw, acc) == NOW + 20 * 60
    assert reason(pw, acc)["rule"] == "modified-new-entry"
    assert posts(pw, acc)["n-2"][1] == NOW + 20 * 60


# ------------------------------------------------------------ account show

def test_account_show_names_the_entry_and_rule_of_a_publication_date(
        pw, feeds):
    acc = open_feed(pw, feeds.serve("/r.xml", file="rss20.xml"))
    poll_once(pw)
    why = reason(pw, acc)
    assert why == {
        "rule": "published", "clamped": False,
        "post_id": pw.sql("SELECT id FROM post WHERE account_id = ? AND guid"
                          " = ?", (acc, "https://www.example.gov.cn/zwgk/"
                                   "2022/11/05/001.html"))[0][0],
        "guid": "https://www.example.gov.cn/zwgk/2022/11/05/001.html",
        "title": "关于开展2022年度政务公开工作的通知",
        "link": "https://www.example.gov.cn/zwgk/2022/11/05/001.html",
        "date_raw": "Sat, 05 Nov 2022 10:30:00 +0800",
        "seen_at": NOW,
    }
    out = show_table(pw, acc)
    line = next(x for x in out.splitlines()
                if x.startswith("Last update decided by"))
    assert "publication date" in line
    assert "关于开展2022年度政务公开工作的通知" in line
    assert "Sat, 05 Nov 2022 10:30:00 +0800" in line
    assert "2022-11-10 08:00" in line           # the fetch, local time


def test_account_show_says_a_future_date_was_clamped(pw, feeds):
    acc = open_feed(pw, feeds.serve("/f.xml", file="future-date.xml"))
    poll_once(pw)
    why = reason(pw, acc)
    assert (why["rule"], why["clamped"], why["guid"]) == (
        "published", True, "future-1")
    assert pw.account(acc)["last_update_at"] == NOW
    assert "in the future: counted at the fetch time" in show_table(pw, acc)


def test_account_show_names_the_first_seen_undated_entry(pw, feeds):
    first = fixture_bytes("undated-items.xml").decode("utf-8")
    acc = open_feed(pw, feeds.serve("/u.xml", first))
    poll_once(pw)
    assert reason(pw, acc) is None
    assert pw.account(acc)["last_update_why"] is None
    feeds.serve("/u.xml", first.replace(
        "</channel>", "<item><title>关于新增事项的通知</title>"
        '<guid isPermaLink="false">undated-5</guid></item></channel>'))
    repoll(pw, NOW + HOUR, acc)
    why = reason(pw, acc)
    assert (why["rule"], why["guid"], why["date_raw"], why["seen_at"]) == (
        "first-seen", "undated-5", None, NOW + HOUR)
    assert "first-seen time" in show_table(pw, acc)


def test_account_show_explains_a_manual_observation(pw):
    acc = pw.open_account("GOV", "wechat", "武夷山发布", uid="gh_1")
    pw.run("account", "touch", str(acc), "--at", "2022-11-09T15:00:00",
           "--evidence", "https://mp.weixin.qq.com/s/abc", check=0)
    why = reason(pw, acc)
    assert (why["rule"], why["link"], why["seen_at"]) == (
        "observation", "https://mp.weixin.qq.com/s/abc", NOW)
    line = next(x for x in show_table(pw, acc).splitlines()
                if x.startswith("Last update decided by"))
    assert "manual observation" in line
    assert "https://mp.weixin.qq.com/s/abc" in line


def test_an_equal_later_proof_keeps_the_first_reason(pw, feeds):
    acc = open_feed(pw, feeds.serve("/r.xml", file="rss20.xml",
                                    conditional=False))
    poll_once(pw)
    repoll(pw, NOW + HOUR, acc)
    assert reason(pw, acc)["seen_at"] == NOW


# ------------------------------------------------------------ feed inspect

def inspect(mw, name):
    return mw.json("feed", "inspect", str(FIXTURES / name))


def test_feed_inspect_names_the_deciding_entry_and_rule(pw):
    d = inspect(pw, "pinned-old-first.xml")
    assert d["latest"] == NEWEST
    by = d["decided_by"]
    assert by["entry"] == 2
    assert by["rule"] == "published"
    assert by["clamped"] is False
    assert by["verdict"] == "publication date"
    assert [e["rule"] for e in d["entries"]] == ["published"] * 3
    assert [e["counts"] for e in d["entries"]] == [True] * 3


def test_feed_inspect_refuses_render_times_and_says_why(pw):
    d = inspect(pw, "rsshub-atom.xml")
    assert d["latest"] == RSSHUB_DATED
    assert d["decided_by"]["entry"] == 1
    e = d["entries"]
    assert [x["date_kind"] for x in e] == ["published", "modified",
                                          "modified"]
    assert [x["rule"] for x in e] == ["published", "modified-first-fetch",
                                      "modified-first-fetch"]
    assert [x["counts"] for x in e] == [True, False, False]
    assert e[1]["activity"] is None
    assert "cannot be told from the time the feed was rendered" in \
        e[1]["verdict"]


def test_feed_inspect_says_a_future_date_is_clamped(pw):
    d = inspect(pw, "future-date.xml")
    by = d["decided_by"]
    assert (by["entry"], by["rule"], by["clamped"]) == (1, "published", True)
    assert "in the future" in by["verdict"]
    assert d["entries"][0]["activity"] == NOW


def test_feed_inspect_of_undated_entries_says_nothing_decides(pw):
    d = inspect(pw, "undated-items.xml")
    assert d["latest"] is None and d["decided_by"] is None
    assert [e["rule"] for e in d["entries"]] == ["undated-first-fetch"] * 4
    verdicts = {e["date_raw"]: e["verdict"] for e in d["entries"]}
    assert verdicts["昨天"].startswith("date not readable")
    r = pw.run("feed", "inspect", str(FIXTURES / "undated-items.xml"),
               check=0)
    assert "decided by: no entry proves activity on a first fetch" in r.stdout


def test_feed_inspect_table_shows_the_verdicts(pw):
    out = pw.run("feed", "inspect", str(FIXTURES / "atom10.xml"),
                 check=0).stdout
    assert re.search(r"decided by: entry 1, 关于开展2022年度政务公开工作的"
                     r"通知 \(id tag:example\.gov\.cn,2022:a-1, date "
                     r"\"2022-11-04T09:00:00\+08:00\"\): publication date",
                     out), out
    assert "VERDICT" in out
    assert "modification date, refused" in out


def test_feed_inspect_reads_cms_dates_with_cst_as_china_time(pw):
    d = inspect(pw, "cms-dates.xml")
    assert d["latest"] == NEWEST
    assert d["decided_by"]["id"] == "cms-1"
    assert d["decided_by"]["date_raw"] == "Sat Nov 05 10:30:00 CST 2022"
    unread = d["entries"][8]
    assert (unread["published"], unread["activity"]) == (None, None)
    assert unread["date_raw"] == "Sat, 05 Nov 2022 10:22:00 XYZ"


# ------------------------------------- bulletins read what the monitor decided

DAY = 86400


def bulletin_account(mw, month, when):
    """The one account of a bulletin preview of month, drawn up at when."""
    mw.now(when)
    d = json.loads(mw.run("bulletin", "preview", "--month", month,
                          "--format", "json", check=0).stdout)
    (a,) = d["accounts"]
    return a


def test_a_bulletin_reads_the_last_update_the_monitor_decided(ev, feeds):
    """RSSHub renders the undated entries' <updated> afresh each time; the
    post rows keep the first render time, the monitor never counted it.
    The month's bulletin says what the monitor said, and a later raise
    leaves it so."""
    pw = ev
    acc = open_quiet(pw, feeds.serve("/weibo.atom", rsshub(NOW - 5)))
    poll_once(pw)
    for day in range(1, 4):
        at = NOW + day * DAY
        feeds.serve("/weibo.atom", rsshub(at - 5))
        repoll(pw, at, acc)
    assert last_update(pw, acc) == RSSHUB_DATED
    assert max(p[1] for p in posts(pw, acc).values()) == NOW - 5

    november = bulletin_account(pw, "2022-11", "2022-12-01T09:00:00")
    assert november["last_update"] == "2022年10月20日"
    assert november["days"] == 41        # to the check time, 30 Nov 24:00
    assert (november["result"], november["reasons"]) == ("不合格",
                                                         "超期未更新")

    # a new entry in December raises the last update then, not before
    at = NOW + 22 * DAY
    feeds.serve("/weibo.atom", rsshub(at - 5, undated_rsshub_entry(1, at - 5)))
    repoll(pw, at, acc)
    assert last_update(pw, acc) == at - 5
    assert bulletin_account(pw, "2022-11", "2022-12-03T09:00:00") == november


def test_a_bulletin_does_not_count_the_undated_entries_of_a_first_fetch(
        ev, feeds):
    pw = ev
    acc = open_quiet(pw, feeds.serve("/u.xml", file="undated-items.xml"))
    poll_once(pw)
    repoll(pw, NOW + DAY, acc)
    assert last_update(pw, acc) is None
    assert {p[2] for p in posts(pw, acc).values()} == {NOW}
    a = bulletin_account(pw, "2022-11", "2022-12-01T09:00:00")
    assert (a["last_update"], a["result"]) == ("从未更新", "不合格")


def test_the_migration_keeps_what_was_known_of_past_last_updates(mw):
    """A database of the schema before the history: the values the monitor
    stated, the observations and the posts as the rules read them become
    its history; nothing past the stored last update."""
    con = database_at(mw.db_path, 12)           # before 0013
    with con:
        con.execute("INSERT INTO unit (id, code, name, created_at) VALUES"
                    " (1, 'GOV', '武夷山市人民政府办公室', 1)")
        con.execute("INSERT INTO account (id, unit_id, platform, name,"
                    " created_at, last_update_at) VALUES (1, 1, 'weibo',"
                    " '武夷山发布', 1, 5000)")
        posts = [  # guid, published, first seen, modified
            ("first-undated", None, 1000, None),    # the first fetch
            ("dated", 2000, 2100, None),
            ("render-time", 2500, 2500, 2500),      # a modification date
            ("undated", None, 3000, None),
            ("future", 9000, 4000, None),           # clamped to its fetch
        ]
        for i, (guid, published, seen, modified) in enumerate(posts):
            con.execute("INSERT INTO post (account_id, guid_hash, guid,"
                        " published_at, first_seen_at, modified_at) VALUES"
                        " (1, ?, ?, ?, ?, ?)", (i, guid, published, seen,
                                                modified))
        con.execute("INSERT INTO state_change (account_id, from_state,"
                    " to_state, at, last_update_at) VALUES (1, 'fresh',"
                    " 'warning', 4500, 3000)")
        con.execute("INSERT INTO observation (account_id, at, actor,"
                    " recorded_at) VALUES (1, 5000, 'alice', 5100)")
        con.execute("INSERT INTO post (account_id, guid_hash, guid,"
                    " published_at, first_seen_at) VALUES (1, 9, 'late',"
                    " 6000, 6000)")                 # past the stored value
    con.close()
    mw.write_config()
    mw.run("account", "list", check=0)              # opens and migrates
    assert mw.sql("SELECT last_update_at, recorded_at FROM"
                  " last_update_history WHERE account_id = 1 ORDER BY"
                  " recorded_at, last_update_at") == [
        (2000, 2100), (3000, 3000), (4000, 4000), (3000, 4500), (5000, 5100)]
