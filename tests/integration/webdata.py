"""A county's ledger for the console's tests and screenshots: units,
accounts on several platforms, a year of posts, monitoring states, failing
feeds and problems, dated relative to now.

Registry changes go through mediawatchctl; what only mediawatchd writes
over months (posts, states, fetch results, automatic problems) is inserted
with sqlite, as notice_history.py does.
"""

import sqlite3
import time

DAY = 86400

UNITS = [
    ("WYS-GOV", "武夷山市人民政府办公室", "林晓燕", "0599-5300001"),
    ("WYS-EDU", "武夷山市教育局", "陈建华", "0599-5300002"),
    ("WYS-CUL", "武夷山市文化体育和旅游局", "黄丽萍", "0599-5300003"),
    ("WYS-HEA", "武夷山市卫生健康局", "吴志强", "0599-5300004"),
    ("WYS-XM", "武夷街道办事处", "郑海燕", "0599-5300005"),
    ("WYS-XC", "兴田镇人民政府", "刘德明", "0599-5300006"),
]

# unit, platform, name, uid, days since the newest post (None: never),
# posts a week, state
ACCOUNTS = [
    ("WYS-GOV", "wechat", "武夷山发布", "gh_5e1b0c7a2d94", 0, 6, "fresh"),
    ("WYS-GOV", "weibo", "武夷山发布", "2987341120", 1, 9, "fresh"),
    ("WYS-GOV", "douyin", "武夷山发布", "wysfb", 3, 3, "fresh"),
    ("WYS-EDU", "wechat", "武夷山教育", "gh_a71c3e55b210", 2, 4, "fresh"),
    ("WYS-EDU", "weibo", "武夷山教育", "5521098813", 9, 1, "warning"),
    ("WYS-CUL", "wechat", "文旅武夷山", "gh_0c93d2b8e7a1", 1, 5, "fresh"),
    ("WYS-CUL", "douyin", "文旅武夷山", "wlwys", 16, 1, "stale"),
    ("WYS-CUL", "toutiao", "武夷山文旅", "1680023344", 11, 1, "warning"),
    ("WYS-HEA", "wechat", "健康武夷山", "gh_9f2e4a6c1d88", 4, 2, "fresh"),
    ("WYS-HEA", "kuaishou", "健康武夷山", "jkwys", 120, 0, "dormant"),
    ("WYS-XM", "wechat", "武夷街道", "gh_3b7d9e0f2a55", 30, 1, "stale"),
    ("WYS-XC", "wechat", "兴田发布", "gh_6d1f8a3c9e27", 5, 2, "fresh"),
    ("WYS-XC", "website", "兴田镇人民政府网站", "xingtian.gov.example", 200, 0,
     "dormant"),
]


def _con(mw):
    return sqlite3.connect(mw.db_path, timeout=30)


def seed(mw, now=None):
    """Returns {name: id} of the accounts (the first of each name)."""
    now = int(now or time.time())
    for code, name, contact, phone in UNITS:
        mw.add_unit(code, name, "--contact", contact, "--phone", phone,
                    "--email", f"{code.lower()}@wys.example.gov.cn",
                    *(["--parent", "WYS-GOV"] if code != "WYS-GOV" else []))
    ids = {}
    for unit, platform, name, uid, age, weekly, state in ACCOUNTS:
        acc = mw.open_account(unit, platform, name, "--opened", "2024-03-01",
                              "--operator", "宣传科", uid=uid,
                              feed=f"https://rss.wys.example.gov.cn/{uid}.xml")
        ids.setdefault(name, acc)
        _history(mw, acc, uid, name, now, age, weekly, state)
    return ids


def _history(mw, acc, uid, name, now, age, weekly, state):
    con = _con(mw)
    try:
        newest = None
        if age is not None and weekly > 0:
            for week in range(52):
                for i in range(weekly if week % 5 else max(weekly - 1, 0)):
                    t = now - (age + week * 7) * DAY - i * 86400 // max(weekly, 1) \
                        - 3600 * (i + 9)
                    if t > now - age * DAY:
                        continue
                    newest = max(newest or 0, t)
                    guid = f"{uid}-{week}-{i}"
                    con.execute(
                        "INSERT INTO post (account_id, guid_hash, guid, title,"
                        " link, published_at, first_seen_at) VALUES (?, ?, ?,"
                        " ?, ?, ?, ?)",
                        (acc, hash(guid) & 0xffffffff, guid,
                         f"{name}：{_title(week, i)}",
                         f"https://www.wys.example.gov.cn/{uid}/{week}-{i}.html",
                         t, t + 1800))
        elif age is not None:
            newest = now - age * DAY
        if newest:
            con.execute("UPDATE account SET last_update_at = ? WHERE id = ?",
                        (newest, acc))
            stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0800",
                                  time.gmtime(newest + 8 * 3600))
            con.execute(
                "INSERT INTO last_update_reason (account_id, at, rule, guid,"
                " title, link, date_raw, seen_at) VALUES (?, ?, 'published',"
                " ?, ?, ?, ?, ?)",
                (acc, newest, f"{uid}-newest", f"{name}：{_title(0, 0)}",
                 f"https://www.wys.example.gov.cn/{uid}/0-0.html", stamp,
                 newest + 1800))
        failing = state == "dormant"
        con.execute(
            "INSERT INTO feed_state (account_id, url, next_poll_at, last_fetch_at,"
            " last_status, last_error, consecutive_failures, last_success_at,"
            " successes, failing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (acc, f"https://rss.wys.example.gov.cn/{uid}.xml", now + 3600,
             now - 1800, 404 if failing else 200,
             "HTTP 404 Not Found" if failing else None, 5 if failing else 0,
             now - 40 * DAY if failing else now - 1800, 20, int(failing)))
        con.execute("INSERT INTO account_state (account_id, state, since)"
                    " VALUES (?, ?, ?)", (acc, state, now - DAY))
        # monitoring began 60 days ago (a bulletin covers watched time)
        con.execute("INSERT INTO state_change (account_id, from_state, to_state,"
                    " at, last_update_at) VALUES (?, NULL, 'fresh', ?, ?)",
                    (acc, now - 60 * DAY, newest))
        if state != "fresh":
            con.execute("INSERT INTO state_change (account_id, from_state,"
                        " to_state, at, last_update_at) VALUES (?, 'fresh', ?,"
                        " ?, ?)", (acc, state, now - DAY, newest))
        if state in ("stale", "dormant"):
            unit = con.execute("SELECT unit_id FROM account WHERE id = ?",
                               (acc,)).fetchone()[0]
            opened = now - (age - 14) * DAY
            con.execute(
                "INSERT INTO problem (account_id, unit_id, kind, detail,"
                " evidence, last_update_at, opened_at, opened_by, due_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'mediawatchd', ?)",
                (acc, unit, state, f"已{age}天未更新", None, newest, opened,
                 opened + 14 * DAY))
        con.commit()
    finally:
        con.close()


TOPICS = ["政务信息公开", "便民服务指南", "政策解读", "工作动态", "通知公告",
          "民生实事进展", "安全生产提示", "文明城市创建"]


def _title(week, i):
    return f"{TOPICS[(week + i) % len(TOPICS)]}（第{52 - week}期）"
