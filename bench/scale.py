#!/usr/bin/python3
"""scale.py — a year of monitoring history for bench-scale.sh, and timing.

    scale.py build DB N NOW
        Fills DB (made by mediawatchctl, so the schema is ours) with N
        accounts in N/200 units and the history a year of hourly polling
        and evaluation would have left by NOW (Unix seconds): posts (about
        60 an account, titles and summaries as government accounts write
        them), every raise of each last update, fetch states, manual
        observations, state changes, the problems opened, escalated and
        closed (stale, dormant, unreachable, wording, manual), the alert,
        recovery, gap and digest emails sent with their recipients, the
        monthly point-to-point notices and the audit trail.  The last
        evaluation ran an hour before NOW and nothing is due for polling
        at NOW.  The same N and NOW give the same database.

    scale.py time OUT RUNS CMD [ARG…]
        Runs CMD RUNS times (stdout to /dev/null) and writes "median_s
        min_s max_rss_kb" to OUT; exits 1 when a run fails.

    scale.py sizes DB N
        Prints the bytes per account of the whole file and of the largest
        tables (dbstat).

    scale.py quiet DB UNITS PER_UNIT NOW
        Fills DB with UNITS units (each with an address) of PER_UNIT
        accounts, all fresh at the last evaluation an hour before NOW and
        last updated 8 days before it: the evaluation at NOW moves every
        one to warning and alerts every unit.

    scale.py smtp PORTFILE STATSFILE DELAY
        Serves SMTP on a free loopback port (aiosmtpd), taking each message
        after DELAY seconds; writes the port to PORTFILE, and on SIGUSR1 or
        SIGTERM "messages connections most_open most_in_data" to STATSFILE
        (the connections it had open at once, and the messages it was
        taking at once).

    scale.py deliver OUT CMD [ARG…]
        Runs CMD (mediawatchd -v --once) and writes to OUT "messages
        seconds rate": the messages it logged as sent after its
        evaluation, the seconds from the end of the evaluation to the last
        of them, and the rate.  Exits 1 when CMD fails or logged a
        warning or an error.

Only the standard library is used, so any /usr/bin/python3 runs it.
"""
import heapq
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

HOUR, DAY = 3600, 86400
WARN, STALE, DORMANT = 7 * DAY, 14 * DAY, 90 * DAY
REPEAT = {"stale": 3 * DAY, "dormant": 7 * DAY}
VERIFY = DAY
UNIT_SIZE = 200
DIGEST_ROWS = 100
ADMINS = ["dzzw@example.gov.cn"]
PLATFORMS = [("wechat", "微信公众号"), ("weibo", "微博"), ("douyin", "抖音"),
             ("toutiao", "今日头条"), ("kuaishou", "快手"),
             ("bilibili", "哔哩哔哩"), ("website", "网站")]
PLACES = ["城关镇", "经开区", "高新区", "滨江街道", "城南街道", "新城区", "东湖镇",
          "西山乡", "北河镇", "南湖街道", "青龙乡", "白石镇"]
TOPICS = ["政务公开", "营商环境", "安全生产", "防汛抗旱", "乡村振兴", "医疗保障",
          "义务教育", "生态环境", "交通出行", "社会保险", "住房公积金", "消防安全",
          "食品安全", "养老服务", "就业创业", "文明创建"]
FORMS = ["关于做好{p}{t}工作的通知", "{p}召开{t}专题会议", "{p}{t}政策解读",
         "{p}开展{t}专项检查", "图解｜{p}{t}十问十答", "{p}{t}工作取得新进展",
         "权威发布｜{p}{t}最新情况通报", "{p}{t}便民服务指南"]
SUMMARY = ("为深入贯彻落实关于{t}的决策部署，{p}进一步提升服务水平，"
           "现将有关事项通知如下。请各单位结合实际，认真抓好落实。")
QUIET = {"stale": "超期未更新：监测时间点前2周内无更新",
         "dormant": "长期未更新：超过90天无更新"}


def hour_after(t):
    """The hourly evaluation that first sees t."""
    return (t // HOUR + 1) * HOUR


def by_age(age):
    return ("fresh" if age < WARN else "warning" if age < STALE else
            "stale" if age < DORMANT else "dormant")


class Profile:
    """How one account publishes: its posts (or observations) and, for
    a failing feed, when it began to fail."""

    def __init__(self, rnd, kind, now):
        self.kind = kind
        self.fail_at = None
        lo, hi = {"regular": (2, 6), "slow": (5, 8), "irregular": (8, 13),
                  "stale": (2, 6), "dormant": (2, 6), "failing": (1, 4),
                  "observed": (5, 7), "unseen": (0, 0)}[kind]
        self.stop = now - int(rnd.uniform(0, 1.2 * hi) * DAY)
        if kind == "stale":
            self.stop = now - rnd.randint(15, 85) * DAY
        elif kind == "dormant":
            self.stop = now - rnd.randint(95, 390) * DAY
        elif kind == "failing":
            self.fail_at = now - rnd.randint(2, 10) * DAY - rnd.randint(0, 23) * HOUR
            self.stop = self.fail_at - rnd.randint(1, 3) * DAY
        self.times = []
        if kind == "unseen":
            return
        t, start = self.stop, now - 395 * DAY
        while t > start:
            self.times.append(t)
            t -= int(rnd.uniform(lo, hi) * rnd.uniform(0.5, 1.5) * DAY) + 600
        self.times.reverse()


def profile_kind(rnd):
    r = rnd.random() * 100
    for kind, share in (("regular", 70), ("slow", 14), ("irregular", 5),
                        ("stale", 4), ("dormant", 3), ("failing", 1.5),
                        ("observed", 2), ("unseen", 0.5)):
        if r < share:
            return kind
        r -= share
    return "regular"


class World:
    def __init__(self, con, n, now):
        self.con = con
        self.n = n
        self.now = now
        self.t0 = now - HOUR                  # the last evaluation
        self.year = self.t0 - 365 * DAY       # the first one
        self.rnd = random.Random(n * 7919 + 12)
        self.problem_id = 0
        self.problems = []                    # rows for executemany
        self.events = []                      # problem_event rows
        self.changes = []                     # state_change rows
        self.states = []                      # account_state rows
        self.mail = {}                        # (unit, hour, kind) -> rows
        self.gaps = {}                        # hour -> account ids
        self.open_at_month = {}               # (unit, month end) -> ids
        self.month_ends = []

    # ---- problems ----

    def open_problem(self, a, kind, at, last, detail, **extra):
        self.problem_id += 1
        row = dict(id=self.problem_id, account_id=a["id"],
                   unit_id=a["unit_id"], kind=kind, detail=detail,
                   evidence=a["feed_url"] or "人工核查", last_update_at=last,
                   opened_at=at, opened_by="mediawatchd",
                   due_at=at + 14 * DAY, closed_at=None, close_reason=None,
                   close_note=None, post_id=None, severity=None)
        row.update(extra)
        self.problems.append(row)
        return row

    def close_problem(self, p, at, reason, note):
        p["closed_at"], p["close_reason"], p["close_note"] = at, reason, note
        for end in self.month_ends:
            if p["opened_at"] <= end < at:
                self.open_at_month.setdefault((p["unit_id"], end), []).append(
                    p["id"])

    def finish_problem(self, p):
        if p["closed_at"] is None:
            for end in self.month_ends:
                if p["opened_at"] <= end:
                    self.open_at_month.setdefault((p["unit_id"], end),
                                                  []).append(p["id"])

    # ---- one account's year ----

    def tell(self, a, at, kind, state, last):
        key = (a["unit_id"], at, kind)
        self.mail.setdefault(key, []).append((a, state, last))

    def simulate(self, a, prof):
        """State changes, problems and mail of one account, evaluation by
        evaluation, as the monitor decides them (DESIGN "Account states")."""
        times = prof.times
        end = a["end"]                        # suspended or closed: frozen
        i = 0
        last = None
        while i < len(times) and times[i] <= self.year:
            last = times[i]
            i += 1
        state, since, notified, sent = None, self.year, None, 0
        quiet = unreach = None

        def move(to, at):
            nonlocal state, since, notified, sent, quiet
            self.changes.append((a["id"], state, to, at, last))
            if to in ("warning", "stale", "dormant"):
                self.tell(a, at, "alert", to, last)
                notified, sent = at, 1
            elif to == "fresh" and state in ("warning", "stale", "dormant"):
                self.tell(a, at, "recovery", to, last)
                notified, sent = None, 0
            else:
                notified, sent = None, 0
            if to in ("stale", "dormant"):
                if quiet is None:
                    quiet = self.open_problem(a, to, at, last, QUIET[to])
                elif to == "dormant" and quiet["kind"] == "stale":
                    self.events.append((quiet["id"], at, "escalated", "stale",
                                        "dormant", quiet["detail"]))
                    quiet["kind"], quiet["detail"] = "dormant", QUIET["dormant"]
            elif quiet is not None:
                if to == "unverified":
                    self.close_problem(quiet, at, "waived",
                                       "监测缺口：无法核实账号更新情况，不予认定")
                else:
                    self.close_problem(quiet, at, "recovered", "账号恢复更新")
                quiet = None
            if to == "unverified":
                self.gaps.setdefault(at, []).append(a["id"])
            state, since = to, at

        def judge(t):
            if prof.kind == "unseen":
                return "unverified"
            s = by_age(t - last) if last is not None else "dormant"
            seen = t
            if prof.kind == "observed":
                seen = last
            elif prof.fail_at and t > prof.fail_at:
                seen = prof.fail_at
            if s != "fresh" and t - seen > VERIFY:
                return "unverified"
            return s

        def run_until(t_end):
            """Hourly evaluations up to t_end, only where something moves:
            the thresholds, the verification window, the reminders."""
            nonlocal notified, sent
            marks = []
            if last is not None:
                marks += [last + WARN, last + STALE, last + DORMANT]
            if prof.fail_at:
                marks += [prof.fail_at + VERIFY, prof.fail_at + 3 * HOUR]
            for m in sorted(marks):
                at = hour_after(m)
                if since < at <= t_end:
                    to = judge(at)
                    if to != state:
                        move(to, at)
            while state in REPEAT and notified and \
                    notified + REPEAT[state] <= t_end:
                notified += REPEAT[state]
                sent += 1
                self.tell(a, notified, "alert", state, last)

        move(judge(self.year), self.year)
        while i < len(times) and times[i] <= end:
            seen = hour_after(times[i])
            run_until(seen - 1)
            last = times[i]
            i += 1
            to = judge(seen)
            if to != state:
                move(to, seen)
        run_until(end)
        if prof.fail_at and prof.fail_at + 3 * HOUR <= end:
            unreach = self.open_problem(a, "unreachable",
                                        hour_after(prof.fail_at + 3 * HOUR),
                                        last, "订阅地址无法访问")
            self.gaps.setdefault(unreach["opened_at"], []).append(a["id"])
        if end < self.t0 and quiet is not None:
            self.close_problem(quiet, end, "waived", "账号已暂停、关停或整合")
        self.states.append((a["id"], state, since, notified, sent))
        return last

    # ---- the registry ----

    def units(self):
        n_units = max(1, self.n // UNIT_SIZE)
        rows = [(u, "U%05d" % u, "%s%s局" % (PLACES[u % len(PLACES)],
                 TOPICS[u % len(TOPICS)][:2]) + ("%04d" % u),
                 "联系人%d" % u, json.dumps(["u%05d@example.gov.cn" % u]),
                 "0599-%07d" % u, self.year - 30 * DAY) for u in range(1, n_units + 1)]
        self.con.executemany(
            "INSERT INTO unit (id, code, name, contact, emails, phone,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.unit_email = {r[0]: "u%05d@example.gov.cn" % r[0] for r in rows}
        self.unit_name = {r[0]: r[2] for r in rows}
        return n_units

    def account(self, i, n_units):
        rnd = self.rnd
        platform, label = PLATFORMS[i % len(PLATFORMS)]
        kind = profile_kind(rnd)
        unit = 1 + (i * 7) % n_units
        status = "active"
        end = self.t0
        r = rnd.random()
        if r < 0.02:
            status, end = "suspended", self.t0 - rnd.randint(5, 300) * DAY
        elif r < 0.03:
            status, end = "closed", self.t0 - rnd.randint(5, 300) * DAY
        feed = None
        if kind not in ("observed", "unseen"):
            feed = "https://rss.example.gov.cn/%s/%08d.xml" % (platform, i)
        opened = time.strftime("%Y-%m-%d", time.gmtime(
            self.year - rnd.randint(60, 3000) * DAY))
        return dict(id=i, unit_id=unit, platform=platform, label=label,
                    name="%s%s" % (self.unit_name[unit][:-4],
                                   ["发布", "在线", "之声", "服务", "政务"][i % 5]
                                   + ("%d" % i)),
                    uid="%s_%08d" % (platform, i), feed_url=feed,
                    status=status, opened_on=opened, end=end, kind=kind,
                    closed_on=time.strftime("%Y-%m-%d", time.gmtime(end))
                    if status == "closed" else None)

    # ---- writing ----

    def write_posts(self):
        """Posts from the times the simulation used, their texts made by
        SQL: writing them from Python would take most of the build."""
        con = self.con
        con.execute("CREATE TEMP TABLE words (k INTEGER PRIMARY KEY,"
                    " title TEXT, summary TEXT)")
        con.executemany("INSERT INTO words VALUES (?, ?, ?)", (
            (k, FORMS[k % len(FORMS)].format(p=PLACES[k % len(PLACES)],
                                              t=TOPICS[k % len(TOPICS)]),
             SUMMARY.format(p=PLACES[k % len(PLACES)],
                            t=TOPICS[k % len(TOPICS)]))
            for k in range(len(FORMS) * len(PLACES) * len(TOPICS))))
        n = con.execute("SELECT count(*) FROM words").fetchone()[0]
        con.execute(
            "INSERT INTO post (account_id, guid_hash, guid, title, link,"
            " summary, published_at, first_seen_at) SELECT t.account_id,"
            " random(), printf('https://mp.example.gov.cn/s/%d-%d-%x',"
            " t.account_id, t.k, random() & 65535), w.title,"
            " printf('https://mp.example.gov.cn/s/%d-%d', t.account_id, t.k),"
            " w.summary, t.at, (t.at / 3600 + 1) * 3600 - 600 FROM post_time t"
            " JOIN words w ON w.k = (t.account_id * 7 + t.k) % ?"
            " ORDER BY t.account_id, t.k", (n,))

    def build(self):
        con = self.con
        for m in range(12):
            # the first working morning of each month: notices go out
            tm = time.gmtime(self.year + (m + 1) * 30 * DAY)
            self.month_ends.append(int(time.mktime(
                (tm.tm_year, tm.tm_mon, 1, 1, 0, 0, 0, 0, 0))))
        n_units = self.units()
        con.execute("CREATE TEMP TABLE post_time (account_id INTEGER,"
                    " k INTEGER, at INTEGER)")
        accounts, feeds, obs, audit, reasons = [], [], [], [], []
        posts = 0
        for i in range(1, self.n + 1):
            a = self.account(i, n_units)
            prof = Profile(self.rnd, a["kind"], min(a["end"], self.t0))
            last = self.simulate(a, prof)
            a["last"] = last
            accounts.append(a)
            if a["kind"] == "observed":
                obs.extend((i, t, "https://mp.example.gov.cn/a/%d" % i,
                            "staff%d" % (i % 7), t + 1800) for t in prof.times)
            elif prof.times:
                con.executemany("INSERT INTO post_time VALUES (?, ?, ?)",
                                ((i, k, t) for k, t in enumerate(prof.times)))
                posts += len(prof.times)
            if a["feed_url"]:
                feeds.append(self.feed_row(a, prof))
            audit.append(self.audit_row(a))
            if i % 40 == 0:
                self.wording(a, prof)
            if i % 150 == 0:
                self.manual(a)
        con.executemany(
            "INSERT INTO account (id, unit_id, platform, name, platform_uid,"
            " feed_url, status, opened_on, closed_on, operator, filing_no,"
            " created_at, last_update_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            ((a["id"], a["unit_id"], a["platform"], a["name"], a["uid"],
              a["feed_url"], a["status"], a["opened_on"], a["closed_on"],
              "运维%d" % (a["id"] % 97), "备%08d号" % a["id"],
              self.year - 30 * DAY, a["last"]) for a in accounts))
        con.executemany(
            "INSERT INTO feed_state (account_id, url, etag, last_modified,"
            " next_poll_at, last_fetch_at, last_status, last_error,"
            " consecutive_failures, last_success_at, successes, failing,"
            " feed_format, feed_encoding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?)", feeds)
        con.executemany(
            "INSERT INTO observation (account_id, at, evidence, actor,"
            " recorded_at) VALUES (?, ?, ?, ?, ?)", obs)
        con.executemany(
            "INSERT INTO audit (at, actor, action, entity, entity_id, after,"
            " reason) VALUES (?, ?, ?, ?, ?, ?, ?)", audit)
        self.write_posts()
        # every post raised its account's last update when it was seen
        con.execute(
            "INSERT INTO last_update_history (account_id, last_update_at,"
            " recorded_at) SELECT account_id, at, seen FROM (SELECT"
            " account_id, published_at AS at, first_seen_at AS seen FROM post"
            " UNION ALL SELECT account_id, at, recorded_at FROM observation)"
            " ORDER BY seen")
        con.execute(
            "INSERT OR IGNORE INTO last_update_reason (account_id, at, rule, post_id,"
            " guid, title, link, date_raw, seen_at) SELECT p.account_id,"
            " p.published_at, 'published', p.id, p.guid, p.title, p.link,"
            " strftime('%Y-%m-%dT%H:%M:%S+08:00', p.published_at + 28800,"
            " 'unixepoch'), p.first_seen_at FROM post p JOIN account a ON"
            " a.id = p.account_id AND a.last_update_at = p.published_at")
        self.write_monitoring()
        self.write_mail()
        self.write_notices()
        return posts

    def feed_row(self, a, prof):
        rnd = self.rnd
        polled = a["end"] if a["status"] != "closed" else a["end"]
        fetch = min(polled, self.t0) - rnd.randint(0, 3599)
        nxt = self.now + rnd.randint(60, 3500)
        if a["status"] == "closed":
            nxt = self.now + rnd.randint(1, 6) * DAY
        if prof.fail_at:
            return (a["id"], a["feed_url"], None, None, nxt, fetch, 404,
                    "HTTP 404", (self.t0 - prof.fail_at) // HOUR,
                    prof.fail_at, 8000, 1, "rss", "utf-8")
        return (a["id"], a["feed_url"], '"%x"' % rnd.getrandbits(48),
                "Wed, 18 Nov 2026 01:00:00 GMT", nxt, fetch, 200, None, 0,
                fetch, 8700, 0, "rss", "utf-8")

    def audit_row(self, a):
        after = {k: a[k] for k in ("id", "platform", "name", "feed_url",
                                   "status", "opened_on")}
        after.update(unit=self.unit_name[a["unit_id"]], platform_uid=a["uid"],
                     operator="运维%d" % (a["id"] % 97),
                     filing_no="备%08d号" % a["id"])
        return (self.year - 30 * DAY, "admin", "account.open", "account",
                a["id"], json.dumps(after, ensure_ascii=False),
                "台账导入：台账.xlsx 第%d行" % (a["id"] + 1))

    def wording(self, a, prof):
        if not prof.times or a["kind"] == "observed":
            return
        t = hour_after(prof.times[len(prof.times) // 2])
        p = self.open_problem(a, "wording", t, t, "错别字：“登录”应为“登陆”",
                              severity="serious" if a["id"] % 400 == 0
                              else "typo")
        if a["id"] % 3:
            self.close_problem(p, t + 5 * DAY, "rectified", "已更正")

    def manual(self, a):
        t = self.year + (a["id"] % 300) * DAY
        p = self.open_problem(a, "manual", t, None, "简介信息未及时更新",
                              opened_by="admin")
        if a["id"] % 5 < 3:
            self.close_problem(p, t + 12 * DAY, "rectified", "已整改")

    def write_monitoring(self):
        con = self.con
        for p in self.problems:
            self.finish_problem(p)
        cols = ("id", "account_id", "unit_id", "kind", "detail", "evidence",
                "last_update_at", "opened_at", "opened_by", "due_at",
                "closed_at", "close_reason", "close_note", "post_id",
                "severity")
        con.executemany("INSERT INTO problem (%s) VALUES (%s)" % (
            ", ".join(cols), ", ".join("?" * len(cols))),
            ([p[c] for c in cols] for p in self.problems))
        con.executemany(
            "INSERT INTO problem_event (problem_id, at, actor, action,"
            " from_kind, to_kind, detail_before) VALUES (?, ?, 'mediawatchd',"
            " ?, ?, ?, ?)", self.events)
        self.changes.sort(key=lambda c: c[3])
        con.executemany(
            "INSERT INTO state_change (account_id, from_state, to_state, at,"
            " last_update_at) VALUES (?, ?, ?, ?, ?)", self.changes)
        con.executemany(
            "INSERT INTO account_state (account_id, state, since, notified_at,"
            " notices_sent) VALUES (?, ?, ?, ?, ?)", self.states)
        con.execute(
            "INSERT INTO health (job, last_run_at, last_ok_at, failures)"
            " VALUES ('evaluation', ?, ?, 0)", (self.t0, self.t0))

    # ---- mail ----

    def outbox_row(self, kind, unit, at, to, cc, subject, text, html, key):
        return (key, kind, unit, json.dumps(to), json.dumps(cc), subject,
                text, html, "<%d.%x@mediawatch>" % (at, hash(key) & 0xffffffff),
                at, "sent", 1, at + 2, at)

    def alert_texts(self, rows, recovery):
        lines = []
        for a, state, last in rows:
            day = time.strftime("%Y年%m月%d日", time.gmtime((last or 0) + 28800))
            lines.append("  - %s「%s」：最近更新 %s，已 %d 天未更新，整改期限 %s。"
                         % (a["label"], a["name"], day,
                            (self.t0 - (last or self.year)) // DAY, day))
        head = ("按照《政府网站与政务新媒体检查指标》，政务新媒体账号在监测时间点"
                "前2周内无更新的，单项否决，判定为不合格。截至今日，贵单位作为"
                "责任单位，以下账号需要及时处理：\n\n") * (1 if recovery else 2)
        text = head + "\n".join(lines) + "\n\n请尽快发布内容或按要求整改。\n"
        html = ("<html><body style=\"font-family:sans-serif\"><p>" + head +
                "</p><table>" + "".join("<tr><td>%s</td></tr>" % l
                                        for l in lines) + "</table></body></html>")
        return text, html

    def alert_rows(self):
        for (unit, at, kind), rows in sorted(self.mail.items(),
                                             key=lambda kv: kv[0][1]):
            cc = ADMINS if any(s in ("stale", "dormant") for _, s, _ in rows) \
                and kind == "alert" else []
            text, html = self.alert_texts(rows, kind == "recovery")
            key = "%s:%d:%d%s" % (kind, unit, at, "".join(
                ":%d.%s" % (a["id"], s[0]) for a, s, _ in rows))
            subject = "【政务新媒体预警】%s有%d个账号超期未更新或即将超期" % (
                self.unit_name[unit], len(rows))
            yield self.outbox_row(kind, unit, at, [self.unit_email[unit]],
                                  cc, subject, text, html, key)

    def gap_rows(self):
        for at, ids in sorted(self.gaps.items()):
            text = "监测缺口：\n" + "".join(
                "  - 账号%d：信息源地址不存在（HTTP 404）\n" % i for i in ids)
            yield self.outbox_row("gap", None, at, ADMINS, [],
                                  "【监测缺口】%d个账号无法核实" % len(ids),
                                  text, "<pre>%s</pre>" % text,
                                  "gap:%d:%s" % (at, ids))

    def digest_rows(self):
        # the digest lists the stale, dormant and unverified accounts, up
        # to DIGEST_ROWS a list (alerts.c)
        listed = sum(min(DIGEST_ROWS, sum(1 for s in self.states
                                          if s[1] in kinds))
                     for kinds in (("stale", "dormant"), ("unverified",)))
        day = self.year - self.year % DAY + 30 * 60
        while day < self.t0:
            text = "今日监测概况：\n" + "  - 某某县教育局 微信公众号「某某发布」：信息源地址不存在（HTTP 404），最近核实 2026年11月17日 09:00\n" * listed
            yield self.outbox_row("digest", None, day, ADMINS, [],
                                  "【监测日报】", text, "<pre>%s</pre>" % text,
                                  "digest:%d" % day)
            day += DAY

    def write_mail(self):
        # a year of mail is tens of gigabytes at 500,000 accounts: the rows
        # are made as they are written, the three kinds merged by time
        # (ties in the order alerts, gaps, digests, as a stable sort)
        self.con.executemany(
            "INSERT INTO outbox (dedup_key, kind, unit_id, recipients, cc,"
            " subject, body_text, body_html, message_id, created_at, status,"
            " attempts, sent_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?)", heapq.merge(
                self.alert_rows(), self.gap_rows(), self.digest_rows(),
                key=lambda r: r[9]))
        self.con.execute(
            "INSERT INTO outbox_recipient (outbox_id, address, status,"
            " attempts, code, reply, updated_at) SELECT o.id, j.value, 'sent',"
            " 1, 250, '250 2.0.0 Ok: queued', o.sent_at FROM outbox o,"
            " json_each(o.recipients) j UNION ALL SELECT o.id, j.value,"
            " 'sent', 1, 250, '250 2.0.0 Ok: queued', o.sent_at FROM outbox o,"
            " json_each(o.cc) j")

    # ---- notices ----

    def write_notices(self):
        """A point-to-point notice each month to every unit with open
        problems, listing them."""
        con = self.con
        seq = {}
        docs, links = [], []
        for (unit, end), ids in sorted(self.open_at_month.items(),
                                       key=lambda kv: (kv[0][1], kv[0][0])):
            year = time.gmtime(end).tm_year
            seq[year] = seq.get(year, 0) + 1
            serial = "〔%d〕%d号" % (year, seq[year])
            data = {"kind": "notice", "serial": serial,
                    "unit_name": self.unit_name[unit],
                    "problems": [{"id": i, "detail": QUIET["stale"],
                                  "evidence": "https://rss.example.gov.cn/"}
                                 for i in ids]}
            docs.append((len(docs) + 1, "notice", year, seq[year], serial, unit,
                         end + 9 * HOUR, "admin",
                         time.strftime("%Y-%m-%d", time.gmtime(end + 14 * DAY)),
                         json.dumps(data, ensure_ascii=False)))
            links.extend((len(docs), i) for i in ids)
        con.executemany(
            "INSERT INTO document (id, kind, year, sequence, serial, unit_id,"
            " issued_at, issued_by, due_on, data) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?)", docs)
        con.executemany("INSERT OR IGNORE INTO document_problem (document_id,"
                        " problem_id) VALUES (?, ?)", links)


# The tables filled in bulk: their indexes are made again afterwards from
# the schema's own SQL, which is faster than keeping them up to date.
BULK = ("post", "last_update_history", "state_change", "outbox",
        "outbox_recipient", "problem", "audit", "observation")


def build(db, n, now):
    con = sqlite3.connect(db)
    # one transaction of gigabytes: written in place, not through the
    # write-ahead log, which would hold all of it until the checkpoint
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -400000")
    start = time.monotonic()
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS"
        " NOT NULL AND tbl_name IN (%s)" % ", ".join("?" * len(BULK)),
        BULK).fetchall()
    for name, _ in indexes:
        con.execute("DROP INDEX %s" % name)
    posts = World(con, n, now).build()
    for _, sql in indexes:
        con.execute(sql)
    con.commit()
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    print("built %d accounts, %d posts in %.1f s" % (
        n, posts, time.monotonic() - start))


def run_timed(out, runs, argv):
    times, rss = [], 0
    for _ in range(runs):
        start = time.monotonic()
        with open(os.devnull, "wb") as null:
            proc = subprocess.Popen(argv, stdout=null)
            _, status, ru = os.wait4(proc.pid, 0)
        times.append(time.monotonic() - start)
        rss = max(rss, ru.ru_maxrss)
        if status != 0:
            sys.stderr.write("scale.py: %s exited with %d\n" % (
                " ".join(argv), os.waitstatus_to_exitcode(status)))
            return 1
    with open(out, "w") as f:
        f.write("%.3f %.3f %d\n" % (statistics.median(times), min(times), rss))
    return 0


def sizes(db, n):
    con = sqlite3.connect(db)
    total = os.path.getsize(db)
    print("database %d bytes, %d bytes per account" % (total, total // n))
    try:
        rows = con.execute(
            "SELECT coalesce(i.tbl_name, s.name), sum(s.pgsize) FROM dbstat s"
            " LEFT JOIN sqlite_master i ON i.name = s.name GROUP BY 1"
            " ORDER BY 2 DESC LIMIT 8").fetchall()
    except sqlite3.OperationalError:
        rows = []
    for name, size in rows:
        print("  %-22s %8d bytes per account (with its indexes)" % (
            name, size // n))
    con.close()


def quiet(db, units, per_unit, now):
    """Units whose accounts all turn to warning at now."""
    con = sqlite3.connect(db)
    t0, last = now - HOUR, now - 8 * DAY
    con.executemany(
        "INSERT INTO unit (id, code, name, contact, emails, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        ((u, "U%05d" % u, "单位%05d" % u, "联系人%d" % u,
          json.dumps(["u%05d@example.gov.cn" % u]), t0 - 400 * DAY)
         for u in range(1, units + 1)))
    ids = [(u, k) for u in range(1, units + 1) for k in range(per_unit)]
    con.executemany(
        "INSERT INTO account (id, unit_id, platform, name, platform_uid,"
        " feed_url, created_at, last_update_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
        " ?)", ((i + 1, u, PLATFORMS[k % len(PLATFORMS)][0],
                 "单位%05d账号%d" % (u, k), "uid%07d" % (i + 1),
                 "https://rss.example.gov.cn/%07d.xml" % (i + 1),
                 t0 - 400 * DAY, last) for i, (u, k) in enumerate(ids)))
    con.executemany(
        "INSERT INTO feed_state (account_id, next_poll_at, last_fetch_at,"
        " last_status, last_success_at, successes) VALUES (?, ?, ?, 200, ?,"
        " 100)", ((i + 1, now + 1800, t0, t0) for i in range(len(ids))))
    con.executemany(
        "INSERT INTO account_state (account_id, state, since,"
        " last_update_at) VALUES (?, 'fresh', ?, ?)",
        ((i + 1, t0 - 5 * DAY, last) for i in range(len(ids))))
    con.executemany(
        "INSERT INTO state_change (account_id, to_state, at, last_update_at)"
        " VALUES (?, 'fresh', ?, ?)",
        ((i + 1, t0 - 5 * DAY, last) for i in range(len(ids))))
    con.execute("INSERT INTO health (job, last_run_at, last_ok_at, failures)"
                " VALUES ('evaluation', ?, ?, 0)", (t0, t0))
    con.commit()
    con.close()


def smtp(portfile, statsfile, delay):
    """An SMTP server on loopback (aiosmtpd, as the tests use) that takes
    every message after delay seconds, as a real server's disk and
    checks take time, and counts the connections it had at once."""
    import asyncio
    from aiosmtpd.smtp import SMTP
    stats = {"messages": 0, "connections": 0, "open": 0, "most_open": 0,
             "in_data": 0, "most_in_data": 0}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            stats["in_data"] += 1
            stats["most_in_data"] = max(stats["most_in_data"],
                                        stats["in_data"])
            await asyncio.sleep(delay)
            stats["in_data"] -= 1
            stats["messages"] += 1
            return "250 2.0.0 stored"

    class Counting(SMTP):
        def connection_made(self, transport):
            stats["connections"] += 1
            stats["open"] += 1
            stats["most_open"] = max(stats["most_open"], stats["open"])
            super().connection_made(transport)

        def connection_lost(self, exc):
            stats["open"] -= 1
            super().connection_lost(exc)

    def write_stats():
        with open(statsfile + ".tmp", "w") as f:
            f.write("%(messages)d %(connections)d %(most_open)d"
                    " %(most_in_data)d\n" % stats)
        os.rename(statsfile + ".tmp", statsfile)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: Counting(Handler(), hostname="bench"), "127.0.0.1", 0))
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.sockets[0].getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGUSR1, write_stats)
    loop.run_forever()
    write_stats()
    return 0


def deliver(out, argv):
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    evaluated = last = None
    sent, bad = 0, []
    for line in proc.stderr:
        now = time.monotonic()
        if " evaluation: " in line:
            evaluated = now
        elif evaluated and ": sent <" in line:
            sent, last = sent + 1, now
        if ": warning: " in line or ": error: " in line:
            bad.append(line.rstrip())
    rc = proc.wait()
    for line in bad[:5]:
        sys.stderr.write("scale.py: logged: %s\n" % line)
    if rc != 0 or bad or evaluated is None:
        sys.stderr.write("scale.py: %s failed (status %d, %d warnings or"
                         " errors)\n" % (argv[0], rc, len(bad)))
        return 1
    seconds = (last - evaluated) if last else 0.0
    with open(out, "w") as f:
        f.write("%d %.3f %.1f\n" % (sent, seconds,
                                     sent / seconds if seconds else 0.0))
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "build":
        build(argv[2], int(argv[3]), int(argv[4]))
        return 0
    if len(argv) >= 5 and argv[1] == "time":
        return run_timed(argv[2], int(argv[3]), argv[4:])
    if len(argv) == 4 and argv[1] == "sizes":
        sizes(argv[2], int(argv[3]))
        return 0
    if len(argv) == 6 and argv[1] == "quiet":
        quiet(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
        return 0
    if len(argv) == 5 and argv[1] == "smtp":
        return smtp(argv[2], argv[3], float(argv[4]))
    if len(argv) >= 4 and argv[1] == "deliver":
        return deliver(argv[2], argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
