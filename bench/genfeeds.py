#!/usr/bin/python3
"""genfeeds.py — synthetic feeds and ledgers for bench-cycle.sh, and the
checks on them.

    genfeeds.py feeds OUTDIR F BASEURL
        Writes OUTDIR/www/f/NNNNNN.{rss,atom,json}: F feeds, a third each
        RSS 2.0, Atom 1.0 and JSON Feed 1.1, 20 items each with Chinese
        titles and deterministic dates.  Their newest items are of mixed
        age (see AGES), so the evaluation after a cycle finds fresh,
        warning, stale and dormant accounts and has problems to open.

    genfeeds.py ledger OUTDIR N F BASEURL UNITS
        Writes, for N accounts in UNITS units, OUTDIR/units.tsv (code,
        name, email of each unit), OUTDIR/accounts.csv (account j polls
        feed j mod F at its own URL: a query string nginx ignores),
        OUTDIR/expected.tsv (feed URL, expected last_update_at as Unix
        seconds) and OUTDIR/curl.conf (every URL once, to /dev/null).

    genfeeds.py verify DB EXPECTED.tsv
        Compares every active account's last_update_at with the expected
        value of its feed URL; prints "accounts=… mismatches=… missing=…"
        and a few examples; exits 1 when anything differs.

    genfeeds.py status DB
        Prints how many accounts ended with each HTTP status and state,
        and how many problems are open.

    genfeeds.py dbsize DB
        Prints the database's size in bytes (its pages, the WAL's
        included).

    genfeeds.py measure OUTFILE LIMIT CMD [ARG…]
        Runs CMD and writes "elapsed user sys maxrss_kb status" (seconds,
        KiB, exit status) of it to OUTFILE; exits 0 when CMD did.  A CMD
        still running after LIMIT seconds (0: no limit) is stopped
        (SIGTERM, SIGKILL 10 s later) and its status is "stopped".

Only the standard library is used, so any /usr/bin/python3 runs it.
"""
import email.utils
import os
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

ITEMS = 20
DAY = 86400
# The newest item of every feed lies before BASE, yesterday 00:00 UTC
# unless BENCH_BASE (Unix seconds) says otherwise: every date is in the
# past, so the daemon's future-date clamp never changes the expected value.
# The same day gives the same feeds.
BASE = int(os.environ.get("BENCH_BASE") or
           (int(time.time()) // DAY - 1) * DAY)
# How old the newest item of feed i is, by i mod 20: (share, from, span)
# in days.  With the default thresholds (warn 7 d, stale 14 d, dormant
# 90 d) 60 % of the accounts are fresh, 10 % warning, 20 % stale and 10 %
# dormant: a stale or dormant problem opens for 30 %.
AGES = [(12, 0, 5), (2, 8, 4), (4, 16, 60), (2, 100, 200)]
CST = timezone(timedelta(hours=8))
OPENED_ON = "2020-01-01"   # long before: no account is in its grace period

PLACES = ["北京市", "上海市", "广州市", "深圳市", "杭州市", "成都市", "武汉市",
          "南京市", "西安市", "盘锦市", "闽侯县", "长沙市", "郑州市", "济南市"]
TOPICS = ["政务公开", "营商环境", "安全生产", "防汛抗旱", "乡村振兴", "疫情防控",
          "医疗保障", "义务教育", "生态环境", "交通出行", "社会保险", "住房公积金",
          "消防安全", "食品安全", "养老服务", "就业创业"]
FORMS = ["关于做好{p}{t}工作的通知", "{p}召开{t}专题会议", "{p}{t}政策解读",
         "{t}：{p}发布第{n}号公告", "{p}开展{t}专项检查", "图解｜{p}{t}十问十答",
         "{p}{t}工作取得新进展", "权威发布｜{p}{t}最新情况通报"]
SUMMARY = ("为深入贯彻落实{p}关于{t}的决策部署，进一步提升政务新媒体服务水平，"
           "现将有关事项通知如下。请各单位结合实际，认真抓好落实。")


def title(i, k):
    p = PLACES[(i * 7 + k) % len(PLACES)]
    t = TOPICS[(i * 3 + k * 5) % len(TOPICS)]
    return FORMS[(i + k) % len(FORMS)].format(p=p, t=t, n=(i * 31 + k) % 97 + 1)


def newest_age(i):
    """Seconds between BASE and the newest item of feed i."""
    k = i % 20
    for share, first, span in AGES:
        if k < share:
            return first * DAY + (i * 7919) % (span * DAY)
        k -= share
    raise AssertionError("AGES must cover 20 shares")


def item_dates(i):
    """The 20 dates of feed i in document order, and the newest of them.

    The first item is an old pinned post, and the newest sits at position
    1-5, so a parser that trusts the first item gets it wrong."""
    newest = BASE - newest_age(i)
    step = 3 * 3600 + (i % 977)
    dates = [newest - k * step for k in range(ITEMS - 1)]
    pos = i % 5
    ordered = dates[1:pos + 1] + [dates[0]] + dates[pos + 1:]
    pinned = newest - 400 * DAY - i
    return [pinned] + ordered, newest


def rfc822(t, i):
    if i % 2:
        return email.utils.formatdate(t, usegmt=True)
    return email.utils.format_datetime(datetime.fromtimestamp(t, CST))


def rfc3339(t, i):
    if i % 2:
        return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return datetime.fromtimestamp(t, CST).isoformat()


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def json_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rss(i, url, dates):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'
           '<channel>\n<title>政务新媒体 %d</title><link>%s</link>'
           '<description>基准测试订阅源</description>'
           '<lastBuildDate>%s</lastBuildDate>\n'
           % (i, url, rfc822(BASE + 86400, i))]
    for k, t in enumerate(dates):
        link = "%s/item/%d" % (url, k)
        out.append('<item><title>%s</title><link>%s</link>'
                   '<guid isPermaLink="false">rss-%d-%d</guid>'
                   '<description><![CDATA[<p>%s</p>]]></description>'
                   '<pubDate>%s</pubDate></item>\n'
                   % (xml_escape(title(i, k)), link, i, k,
                      SUMMARY.format(p=PLACES[k % len(PLACES)],
                                     t=TOPICS[i % len(TOPICS)]),
                      rfc822(t, i + k)))
    out.append("</channel></rss>\n")
    return "".join(out)


def atom(i, url, dates):
    out = ['<?xml version="1.0" encoding="utf-8"?>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom">\n'
           '<title>政务新媒体 %d</title><id>urn:bench:%d</id>'
           '<link href="%s"/><updated>%s</updated>\n'
           % (i, i, url, rfc3339(BASE + 86400, i))]
    for k, t in enumerate(dates):
        # updated is later than published: only published may count
        out.append('<entry><title>%s</title><id>urn:bench:%d:%d</id>'
                   '<link rel="alternate" href="%s/item/%d"/>'
                   '<published>%s</published><updated>%s</updated>'
                   '<summary type="html">&lt;p&gt;%s&lt;/p&gt;</summary></entry>\n'
                   % (xml_escape(title(i, k)), i, k, url, k,
                      rfc3339(t, i + k), rfc3339(t + 3600, i + k),
                      SUMMARY.format(p=PLACES[k % len(PLACES)],
                                     t=TOPICS[i % len(TOPICS)])))
    out.append("</feed>\n")
    return "".join(out)


def jsonfeed(i, url, dates):
    items = []
    for k, t in enumerate(dates):
        items.append('{"id":"json-%d-%d","url":"%s/item/%d","title":%s,'
                     '"content_html":%s,"date_published":"%s",'
                     '"date_modified":"%s"}'
                     % (i, k, url, k, json_string(title(i, k)),
                        json_string("<p>" + SUMMARY.format(
                            p=PLACES[k % len(PLACES)],
                            t=TOPICS[i % len(TOPICS)]) + "</p>"),
                        rfc3339(t, i + k), rfc3339(t + 3600, i + k)))
    return ('{"version":"https://jsonfeed.org/version/1.1",'
            '"title":"政务新媒体 %d","home_page_url":"%s","feed_url":"%s",'
            '"items":[\n%s\n]}\n' % (i, url, url, ",\n".join(items)))


WRITERS = [("rss", rss), ("atom", atom), ("json", jsonfeed)]
PLATFORMS = ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili"]


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def feed_url(baseurl, i):
    return "%s/f/%06d.%s" % (baseurl, i, WRITERS[i % 3][0])


def feeds(outdir, f, baseurl):
    www = os.path.join(outdir, "www", "f")
    os.makedirs(www, exist_ok=True)
    for i in range(f):
        url = feed_url(baseurl, i)
        dates, _ = item_dates(i)
        write(os.path.join(www, os.path.basename(url)),
              WRITERS[i % 3][1](i, url, dates))


def ledger(outdir, n, f, baseurl, units):
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, "units.tsv"), "".join(
        "U%03d\t基准测试单位%d\tunit%03d@bench.example.gov.cn\n" % (u, u, u)
        for u in range(units)))
    newest = [item_dates(i)[1] for i in range(min(n, f))]
    rows, exp, curl = [], [], []
    for j in range(n):
        url = "%s?a=%d" % (feed_url(baseurl, j % f), j)
        rows.append("U%03d,%s,基准账号%d,,%s,%s\n" % (
            j % units, PLATFORMS[j % len(PLATFORMS)], j, url, OPENED_ON))
        exp.append("%s\t%d\n" % (url, newest[j % f]))
        curl.append('url = "%s"\noutput = "/dev/null"\n' % url)
    write(os.path.join(outdir, "accounts.csv"),
          "unit_code,platform,name,platform_uid,feed_url,opened_on\n" +
          "".join(rows))
    write(os.path.join(outdir, "expected.tsv"), "".join(exp))
    write(os.path.join(outdir, "curl.conf"), "".join(curl))


def verify(db, expected_path):
    want = {}
    with open(expected_path, encoding="utf-8") as f:
        for line in f:
            url, t = line.rstrip("\n").split("\t")
            want[url] = int(t)
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT id, feed_url, last_update_at FROM account"
                       " WHERE status = 'active'").fetchall()
    con.close()
    bad, seen = [], set()
    for aid, url, got in rows:
        seen.add(url)
        if url not in want or got != want[url]:
            bad.append((aid, url, got, want.get(url)))
    missing = len(set(want) - seen)
    print("accounts=%d mismatches=%d missing=%d" % (len(rows), len(bad), missing))
    for aid, url, got, exp in bad[:5]:
        print("  account %d %s: last_update_at %s, expected %s"
              % (aid, url, got, exp))
    return 1 if bad or missing else 0


def status(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    fetched = con.execute(
        "SELECT coalesce(f.last_status, 'none'), count(*) FROM account a"
        " LEFT JOIN feed_state f ON f.account_id = a.id GROUP BY 1"
        " ORDER BY 1").fetchall()
    states = con.execute(
        "SELECT coalesce(s.state, 'none'), count(*) FROM account a"
        " LEFT JOIN account_state s ON s.account_id = a.id GROUP BY 1"
        " ORDER BY 1").fetchall()
    (problems,), = con.execute(
        "SELECT count(*) FROM problem WHERE closed_at IS NULL").fetchall()
    con.close()
    print("HTTP %s; states %s; %d problems open" % (
        " ".join("%s:%d" % r for r in fetched),
        " ".join("%s:%d" % r for r in states), problems))
    return 0


def dbsize(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    (pages,), = con.execute("PRAGMA page_count").fetchall()
    (size,), = con.execute("PRAGMA page_size").fetchall()
    con.close()
    print(pages * size)
    return 0


def measure(outfile, limit, argv):
    """Runs argv for at most limit seconds (0: no limit): then SIGTERM, and
    SIGKILL 10 s later.  The status is the exit code, or "stopped"."""
    start = time.monotonic()
    proc = subprocess.Popen(argv)
    try:
        rc = proc.wait(timeout=limit or None)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        rc = "stopped"
    elapsed = time.monotonic() - start
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    write(outfile, "%.3f %.3f %.3f %d %s\n"
          % (elapsed, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, rc))
    return 0 if rc == 0 else 1


def main(argv):
    if len(argv) == 5 and argv[1] == "feeds":
        feeds(argv[2], int(argv[3]), argv[4].rstrip("/"))
        return 0
    if len(argv) == 7 and argv[1] == "ledger":
        ledger(argv[2], int(argv[3]), int(argv[4]), argv[5].rstrip("/"),
               int(argv[6]))
        return 0
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "status":
        return status(argv[2])
    if len(argv) == 3 and argv[1] == "dbsize":
        return dbsize(argv[2])
    if len(argv) >= 5 and argv[1] == "measure":
        return measure(argv[2], float(argv[3]), argv[4:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
