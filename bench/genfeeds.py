#!/usr/bin/python3
"""genfeeds.py — synthetic feeds for bench-poll.sh, and the checks on them.

    genfeeds.py generate OUTDIR N BASEURL [BIG]
        Writes OUTDIR/www/f/NNNNNN.{rss,atom,json}: N feeds, a third each
        RSS 2.0, Atom 1.0 and JSON Feed 1.1, 20 items each with Chinese
        titles and deterministic dates; OUTDIR/accounts.csv registering one
        account per feed; OUTDIR/expected.tsv (feed URL, expected
        last_update_at as Unix seconds); OUTDIR/curl.conf fetching every
        feed once to /dev/null.  With BIG > 0 also OUTDIR/accounts-big.csv
        and OUTDIR/expected-big.tsv: BIG accounts spread over the same N
        feeds, each with its own URL (a distinct query string, which nginx
        ignores for static files).

    genfeeds.py verify DB EXPECTED.tsv
        Compares every active account's last_update_at with the expected
        value of its feed URL; prints "accounts=… mismatches=… missing=…"
        and a few examples; exits 1 when anything differs.

    genfeeds.py status DB
        Prints how many accounts ended with each HTTP status.

    genfeeds.py measure OUTFILE CMD [ARG…]
        Runs CMD and writes "elapsed user sys maxrss_kb" (seconds, KiB) of
        it to OUTFILE; exits with CMD's status.

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
# The newest item of every feed lies in the 5 days before BASE, yesterday
# 00:00 UTC unless BENCH_BASE (Unix seconds) says otherwise: every date is in
# the past, so the daemon's future-date clamp never changes the expected
# value, and every account is fresh, so the evaluation after the cycle has
# nothing to report.  The same day gives the same feeds.
BASE = int(os.environ.get("BENCH_BASE") or
           (int(time.time()) // 86400 - 1) * 86400)
SPREAD = 5 * 86400
CST = timezone(timedelta(hours=8))

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


def item_dates(i):
    """The 20 dates of feed i in document order, and the newest of them.

    The first item is an old pinned post, and the newest sits at position
    1-5, so a parser that trusts the first item gets it wrong."""
    newest = BASE - (i * 7919) % SPREAD
    step = 3 * 3600 + (i % 977)
    dates = [newest - k * step for k in range(ITEMS - 1)]
    pos = i % 5
    ordered = dates[1:pos + 1] + [dates[0]] + dates[pos + 1:]
    pinned = newest - 400 * 86400 - i
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


def generate(outdir, n, baseurl, big):
    www = os.path.join(outdir, "www", "f")
    os.makedirs(www, exist_ok=True)
    urls, expected = [], []
    for i in range(n):
        ext, writer = WRITERS[i % 3]
        name = "%06d.%s" % (i, ext)
        url = "%s/f/%s" % (baseurl, name)
        dates, newest = item_dates(i)
        write(os.path.join(www, name), writer(i, url, dates))
        urls.append(url)
        expected.append(newest)
    header = "unit_code,platform,name,platform_uid,feed_url\n"
    write(os.path.join(outdir, "accounts.csv"), header + "".join(
        "BENCH,%s,基准账号%d,,%s\n" % (PLATFORMS[i % len(PLATFORMS)], i, u)
        for i, u in enumerate(urls)))
    write(os.path.join(outdir, "expected.tsv"), "".join(
        "%s\t%d\n" % (u, e) for u, e in zip(urls, expected)))
    write(os.path.join(outdir, "curl.conf"), "".join(
        'url = "%s"\noutput = "/dev/null"\n' % u for u in urls))
    if big > 0:
        rows, exp = [], []
        for j in range(big):
            u = "%s?a=%d" % (urls[j % n], j)
            rows.append("BENCH,%s,大账号%d,,%s\n"
                        % (PLATFORMS[j % len(PLATFORMS)], j, u))
            exp.append("%s\t%d\n" % (u, expected[j % n]))
        write(os.path.join(outdir, "accounts-big.csv"), header + "".join(rows))
        write(os.path.join(outdir, "expected-big.tsv"), "".join(exp))


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
    rows = con.execute("SELECT coalesce(f.last_status, 'none'), count(*) FROM"
                       " account a LEFT JOIN feed_state f ON f.account_id ="
                       " a.id GROUP BY 1 ORDER BY 1").fetchall()
    con.close()
    print(" ".join("%s:%d" % r for r in rows))
    return 0


def measure(outfile, argv):
    start = time.monotonic()
    rc = subprocess.call(argv)
    elapsed = time.monotonic() - start
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    write(outfile, "%.3f %.3f %.3f %d\n"
          % (elapsed, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
    return rc


def main(argv):
    if len(argv) >= 5 and argv[1] == "generate":
        generate(argv[2], int(argv[3]), argv[4].rstrip("/"),
                 int(argv[5]) if len(argv) > 5 else 0)
        return 0
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "status":
        return status(argv[2])
    if len(argv) >= 4 and argv[1] == "measure":
        return measure(argv[2], argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
