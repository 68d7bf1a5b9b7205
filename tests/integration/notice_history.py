"""A month of history for the notice, bulletin and report tests.

Registry changes, manual problems, observations and notices go through
mediawatchctl with a test clock (MEDIAWATCH_NOW); what only the daemon
would write over weeks (posts, automatic problems, state changes) is
inserted with sqlite, dated in the configured zone (Asia/Shanghai).
"""

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")

CONFIG = """
notice = {
	holidays = [ "2026-04-06", "2026-05-01" ];
	workdays = [ "2026-04-26" ];
};
"""


def ts(text):
    """Unix seconds of 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS' in Shanghai."""
    fmt = "%Y-%m-%dT%H:%M:%S" if "T" in text else "%Y-%m-%d"
    return int(datetime.strptime(text, fmt).replace(tzinfo=ZONE).timestamp())


def insert(mw, table, **row):
    con = sqlite3.connect(mw.db_path, timeout=30)
    try:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                          tuple(row.values()))
        con.commit()
        return cur.lastrowid
    finally:
        con.close()


def post(mw, account, when, guid, dated=True):
    """A post published at when (or undated, first seen at when, by a
    fetch after the account's first), seen at when: the account's last
    update is raised to when at that time."""
    insert(mw, "last_update_history", account_id=account,
           last_update_at=ts(when), recorded_at=ts(when))
    return insert(mw, "post", account_id=account, guid_hash=hash(guid) & 0xfffffff,
                  guid=guid, title=f"信息 {guid}",
                  published_at=ts(when) if dated else None,
                  first_seen_at=ts(when))


def auto_problem(mw, account, unit, kind, opened, closed=None, reason=None,
                 detail="超过14天未更新"):
    """A problem as the daemon opens it (stale, dormant …)."""
    return insert(mw, "problem", account_id=account, unit_id=unit, kind=kind,
                  detail=detail, evidence="http://127.0.0.1:9/feed",
                  opened_at=ts(opened), opened_by="mediawatchd",
                  due_at=ts(opened) + 10 * 86400,
                  closed_at=ts(closed) if closed else None,
                  close_reason=reason)


def escalate(mw, problem, at, detail="长期未更新：超过90天无更新"):
    """A stale problem escalated in place to dormant, as the daemon does:
    the kind and detail change, the escalation is an event that keeps
    what they were."""
    con = sqlite3.connect(mw.db_path, timeout=30)
    try:
        with con:
            con.execute("INSERT INTO problem_event (problem_id, at, actor,"
                        " action, from_kind, to_kind, detail_before) SELECT"
                        " id, ?, 'mediawatchd', 'escalated', kind, 'dormant',"
                        " detail FROM problem WHERE id = ?", (ts(at), problem))
            con.execute("UPDATE problem SET kind = 'dormant', detail = ?"
                        " WHERE id = ?", (detail, problem))
    finally:
        con.close()


def state_change(mw, account, from_state, to_state, at, last_update):
    insert(mw, "state_change", account_id=account, from_state=from_state,
           to_state=to_state, at=ts(at),
           last_update_at=ts(last_update) if last_update else None)


def unit_id(mw, code):
    return mw.sql("SELECT id FROM unit WHERE code = ? AND removed_at IS NULL",
                  (code,))[0][0]


def build(mw, big_problems=200):
    """The fixture: units GOV, EDU, BIG (many problems), ARC (no accounts)."""
    mw.write_config(CONFIG)
    mw.now("2026-01-05T09:00:00")
    mw.add_unit("GOV", "市政府办公室", "--email", "gov@example.cn",
                "--contact", "张三")
    mw.add_unit("EDU", "市教育局", "--email", "edu@example.cn")
    mw.add_unit("BIG", "市文化和旅游局")
    mw.add_unit("ARC", "市档案馆")
    opened = ("--opened", "2026-01-01")
    acc = {
        "gov_weibo": mw.open_account("GOV", "weibo", "武夷山发布", *opened,
                                     uid="w1", feed="http://127.0.0.1:9/w1"),
        "gov_wechat": mw.open_account("GOV", "wechat", "武夷山政务", *opened,
                                      uid="m1"),
        "edu_douyin": mw.open_account("EDU", "douyin", "武夷山教育", *opened,
                                      uid="d1"),
        "edu_wechat": mw.open_account("EDU", "wechat", "教育发布", *opened,
                                      uid="m2"),
        "big": mw.open_account("BIG", "toutiao", "文旅武夷", *opened,
                               uid="t1"),
        "old": mw.open_account("GOV", "kuaishou", "旧账号", *opened,
                               uid="k1"),
    }
    gov, edu, big = (unit_id(mw, c) for c in ("GOV", "EDU", "BIG"))

    # mediawatchd's first evaluation: monitoring begins
    for a in acc.values():
        state_change(mw, a, None, "fresh", "2026-01-05T10:00:00", None)
    state_change(mw, acc["edu_douyin"], "fresh", "stale",
                 "2026-01-15T09:00:00", None)

    mw.now("2026-02-15T10:00:00")
    mw.run("account", "close", str(acc["old"]), "--reason", "整合", check=0)

    # GOV weibo posts weekly; GOV wechat goes quiet in February and comes
    # back on 25 March.
    for day in ("2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23",
                "2026-03-30"):
        post(mw, acc["gov_weibo"], day + "T10:00:00", "w" + day)
    post(mw, acc["gov_wechat"], "2026-02-10T09:00:00", "m-0210")
    post(mw, acc["gov_wechat"], "2026-03-25T09:00:00", "m-0325")
    auto_problem(mw, acc["gov_wechat"], gov, "stale", "2026-02-24T09:00:00",
                 "2026-03-25T09:30:00", "recovered")
    state_change(mw, acc["gov_wechat"], "fresh", "warning",
                 "2026-02-17T09:00:00", "2026-02-10T09:00:00")
    state_change(mw, acc["gov_wechat"], "warning", "stale",
                 "2026-02-24T09:00:00", "2026-02-10T09:00:00")
    state_change(mw, acc["gov_wechat"], "stale", "fresh",
                 "2026-03-25T09:30:00", "2026-03-25T09:00:00")
    # EDU douyin never posted: stale since January, the same problem open
    # three months running.
    auto_problem(mw, acc["edu_douyin"], edu, "stale", "2026-01-15T09:00:00")
    # EDU wechat: a dated post, an undated one, an observation.
    post(mw, acc["edu_wechat"], "2026-03-05T08:00:00", "e-0305")
    post(mw, acc["edu_wechat"], "2026-03-20T08:00:00", "e-0320", dated=False)
    mw.now("2026-03-27T16:00:00")
    mw.run("account", "touch", str(acc["edu_wechat"]), "--at",
           "2026-03-27T15:00:00", "--evidence", "现场核查截图", check=0)
    post(mw, acc["big"], "2026-03-28T12:00:00", "b-0328")

    mw.now("2026-03-10T11:00:00")
    mw.run("problem", "add", "--unit", "GOV", "--detail",
           "政务公开栏目“通知公告”3个月未更新", check=0)
    for i in range(big_problems):
        mw.run("problem", "add", "--account", str(acc["big"]), "--detail",
               f"第{i + 1}条信息存在错别字", "--evidence",
               f"https://example.cn/post/{i + 1}", check=0)

    mw.now("2026-03-16T09:30:00")
    mw.run("notice", "issue", "--unit", "GOV", "--out", mw.dir / "n1.md",
           check=0)
    mw.now("2026-03-17T09:30:00")
    mw.run("notice", "issue", "--unit", "BIG", "--out", mw.dir / "n2.md",
           check=0)
    return acc
