#!/usr/bin/python3
"""make demo: a month of monitoring on the bundled sample ledger, and its
paperwork.

Builds a fresh installation in ./demo/ (configuration, database, Maildir),
registers the units and accounts of contrib/demo/, serves a feed for every
account from a loopback HTTP server, and runs `mediawatchd --once` twice
with the clock of last month: on its first day (monitoring begins) and on
its last evening, the feeds showing what had been published by then (a mix
of diligent, quiet and forgotten accounts, and a broken feed).  Then, on
the first morning of this month, it issues a point-to-point notice and
last month's bulletin, as 公文 (.docx), HTML and Markdown, and renders the
first page of each .docx as a PNG when LibreOffice is installed.
Last, it starts the web console (mediawatch-web) on loopback with a demo
login and leaves it running; the next `make demo` stops it first.
"""

import csv
import email
import email.policy
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("MEDIAWATCH_BUILD", REPO / "build"))
DEMO = REPO / "demo"
ZONE = ZoneInfo("Asia/Shanghai")
NOTICE_UNIT = "WYS-EDU"
WEB_PID = DEMO / "web.pid"           # read before demo/ is made anew
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"

# Days since the newest post of each account at the end of last month, in
# ledger order: a county's mix of diligent and forgotten accounts.  None:
# the feed answers 404.
AGES = [0, 1, 2, 9, 3, 16, 0, 30, 5, 120, 1, 11, 2, 4, 13, 0, 21, 6, 1, 200,
        3, 8, 2, None, 15, 1, 0, 45, 2, 10]


def clock():
    """(first day of last month 10:00, its last day 20:00, this month's
    first morning), in Asia/Shanghai."""
    now = datetime.now(ZONE)
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (first - timedelta(days=1)).replace(day=1)
    start = last_month.replace(hour=10)
    end = (first - timedelta(days=1)).replace(hour=20)
    issue = min(first.replace(hour=9, minute=30), now)
    return start, end, issue


def posts(age, end):
    """Publication times of an account whose newest post is age days
    before end: every third day before that, over two months."""
    newest = end - timedelta(days=age, hours=2)
    return [newest - timedelta(days=3 * i, hours=i % 5) for i in range(20)]


def rss(uid, name, times, until):
    items = [
        f"<item><title>{name}：政务信息第{len(times) - i}期</title>"
        f"<link>http://127.0.0.1/{uid}/{i}</link><guid>{uid}-{i}</guid>"
        f"<pubDate>{format_datetime(t)}</pubDate></item>"
        for i, t in enumerate(times) if t <= until]
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title>{''.join(items)}</channel></rss>")


class Feeds(http.server.BaseHTTPRequestHandler):
    accounts = {}          # path -> (uid, name, post times)
    until = None           # what has been published by the demo's clock

    def do_GET(self):
        account = self.accounts.get(self.path.split("?")[0])
        if account is None:
            self.send_error(404)
            return
        data = rss(*account, self.until).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def at(t):
    return {"MEDIAWATCH_NOW": t.strftime("%Y-%m-%dT%H:%M:%S")}


def ctl(*args, when=None, check=True, input=None):
    cmd = [str(BUILD / "mediawatchctl"), "-c", str(DEMO / "mediawatch.conf"), *args]
    env = dict(os.environ, **(at(when) if when else {}))
    r = subprocess.run(cmd, text=True, capture_output=True, timeout=120, env=env,
                       input=input)
    if check and r.returncode != 0:
        sys.exit(f"demo: {' '.join(args)} failed:\n{r.stderr}")
    return r.stdout


def write_config(port):
    templates = REPO / "conf" / "templates"
    platforms = ["wechat 微信公众号", "weibo 微博", "douyin 抖音", "toutiao 今日头条",
                 "kuaishou 快手", "bilibili 哔哩哔哩", "xiaohongshu 小红书",
                 "website 网站", "other 其他"]
    plist = ",\n".join(
        f'  {{ key = "{k}"; label = "{label}"; '
        f'feed_template = "http://127.0.0.1:{port}/{k}/{{uid}}"; }}'
        for k, label in (p.split() for p in platforms))
    (DEMO / "mediawatch.conf").write_text(f"""# Written by `make demo`.
database = "{DEMO}/mediawatch.db";
state_dir = "{DEMO}/state";
timezone = "Asia/Shanghai";
platforms = (
{plist}
);
poll = {{ timeout = "10s"; }};
mail = {{
  transport = "maildir";
  maildir = "{DEMO}/state/Maildir";
  templates = "{templates}";
  from = "武夷山市电子政务中心 <monitor@wys.example.gov.cn>";
  admins = [ "admin@wys.example.gov.cn" ];
}};
notice = {{
  issuer = "武夷山市电子政务中心";
  serial_format = "武政新通〔%Y〕%N号";
}};
document = {{
  issuer_mark = "武夷山市电子政务中心文件";
  copy_to = "南平市政务服务中心，武夷山市委网信办";
  unit_order = [ "WYS-GOV" ];
}};
""", encoding="utf-8")


def register(start, end):
    with open(REPO / "contrib/demo/units.csv", encoding="utf-8") as f:
        for u in csv.DictReader(f):
            args = ["unit", "add", u["code"], u["name"], "--contact", u["contact"],
                    "--email", u["email"], "--phone", u["phone"]]
            if u["parent"]:
                args += ["--parent", u["parent"]]
            ctl(*args, when=start - timedelta(hours=1))
    print(ctl("account", "import", str(REPO / "contrib/demo/ledger.csv"),
              when=start - timedelta(hours=1)), end="")
    with open(REPO / "contrib/demo/ledger.csv", encoding="utf-8") as f:
        for row, age in zip(csv.DictReader(f), AGES):
            if age is not None:
                Feeds.accounts[f"/{row['platform']}/{row['platform_uid']}"] = (
                    row["platform_uid"], row["name"], posts(age, end))


def cycle(when):
    """The feeds as published by when; every account due; one cycle."""
    Feeds.until = when
    ctl("poll", when=when)
    r = subprocess.run([str(BUILD / "mediawatchd"), "-c", str(DEMO / "mediawatch.conf"),
                        "--once", "-d", "-v"], text=True, capture_output=True,
                       timeout=300, env=dict(os.environ, **at(when)))
    print("\n".join(l for l in r.stderr.splitlines() if "cycle" in l or "evaluation" in l))
    if r.returncode != 0:
        sys.exit(f"demo: mediawatchd failed:\n{r.stderr}")


def show_mail():
    maildir = DEMO / "state" / "Maildir" / "new"
    files = sorted(maildir.iterdir()) if maildir.exists() else []
    print(f"\n== alerts written to {maildir} ({len(files)} emails)")
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        print(f"  To: {msg['To']}\n    Subject: {msg['Subject']}")


def first_page_png(docx):
    """docx's first page as a PNG beside it (LibreOffice, then pdftoppm),
    with the stand-in fonts of tests/tools/fonts.conf; None without the
    tools."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        return None
    out = docx.parent
    env = dict(os.environ, FONTCONFIG_FILE=str(REPO / "tests/tools/fonts.conf"))
    subprocess.run([soffice, f"-env:UserInstallation={(DEMO / 'lo-profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", out, docx],
                   capture_output=True, timeout=300, env=env, check=True)
    png = out / f"{docx.stem}-page1"
    subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-png",
                    "-singlefile", out / f"{docx.stem}.pdf", png], check=True,
                   timeout=120)
    return png.with_suffix(".png")


def paperwork(issue, month):
    """This month's first morning: the notice to one unit and last month's
    bulletin, issued and numbered, in every format."""
    out = DEMO / "paperwork"
    out.mkdir()
    notice = out / f"notice-{NOTICE_UNIT}.docx"
    nid = ctl("notice", "issue", "--unit", NOTICE_UNIT, "--format", "docx",
              "--out", str(notice), when=issue).strip()
    for fmt in ("html", "md"):
        ctl("notice", "show", nid, "--format", fmt, "--out",
            str(out / f"notice-{NOTICE_UNIT}.{fmt}"), when=issue)
    bulletin = out / f"bulletin-{month}.docx"
    bid = ctl("bulletin", "issue", "--month", month, "--format", "docx",
              "--out", str(bulletin), when=issue).strip()
    for fmt in ("html", "md", "csv"):
        ctl("bulletin", "show", bid, "--format", fmt, "--out",
            str(out / f"bulletin-{month}.{fmt}"), when=issue)
    ctl("report", "--format", "html", "--out", str(out / "status.html"), when=issue)
    pngs = [first_page_png(notice), first_page_png(bulletin)]
    print(f"\n== paperwork in {out}")
    print(f"  point-to-point notice (点对点通报) to {NOTICE_UNIT}: {notice.name}, "
          f".html, .md")
    print(f"  monthly bulletin (月通报) {month}: {bulletin.name}, .html, .md, .csv")
    print("  status report: status.html (open it in a browser, prints on A4)")
    if all(pngs):
        print(f"  first pages: {pngs[0].name}, {pngs[1].name}")
    print("\n" + ctl("notice", "list", when=issue) + ctl("bulletin", "list", when=issue))
    print((out / f"notice-{NOTICE_UNIT}.md").read_text(encoding="utf-8"))


def stop_old_console():
    """Stops the console a previous `make demo` left running."""
    try:
        pid = int(WEB_PID.read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if b"mediawatch-web" in cmdline:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
    WEB_PID.unlink(missing_ok=True)


def web_port():
    """8080 when it is free, else any free port."""
    for port in (8080, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    return 8080


def start_console():
    """mediawatch-web with a demo login, left running in the background
    (on today's clock: the figures are those of the last evaluation)."""
    ctl("user", "add", DEMO_USER, "--role", "admin", "--display-name", "演示用户",
        input=DEMO_PASSWORD + "\n")
    port = web_port()
    with open(DEMO / "mediawatch.conf", "a", encoding="utf-8") as f:
        f.write(f'web = {{ listen = "127.0.0.1:{port}"; }};\n')
    log = open(DEMO / "web.log", "wb")
    proc = subprocess.Popen([str(BUILD / "mediawatch-web"), "-c",
                             str(DEMO / "mediawatch.conf")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)
    WEB_PID.write_text(str(proc.pid))
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                sys.exit("demo: mediawatch-web failed:\n"
                         + (DEMO / "web.log").read_text())
            time.sleep(0.05)
    print(f"\n== the web console (mediawatch-web) runs on http://127.0.0.1:{port}/")
    print(f"  log in as {DEMO_USER} with the password {DEMO_PASSWORD}")
    print(f"  stop it with: kill $(cat {WEB_PID})")


def main():
    stop_old_console()
    shutil.rmtree(DEMO, ignore_errors=True)
    (DEMO / "state").mkdir(parents=True)
    start, end, issue = clock()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        write_config(server.server_address[1])
        register(start, end)
        print("\n== the registry")
        print(ctl("account", "list", when=start), end="")
        print(f"\n== monitoring begins: mediawatchd --once at {start:%Y-%m-%d %H:%M}")
        cycle(start)
        print(f"\n== the month's last evening: mediawatchd --once at {end:%Y-%m-%d %H:%M}")
        cycle(end)
        print("\n== last update of each account")
        print(ctl("account", "list", when=end), end="")
        print("\n== status")
        print(ctl("status", when=end), end="")
        print("\n== open problems (问题清单)")
        print(ctl("problem", "list", when=end), end="")
        show_mail()
        paperwork(issue, start.strftime("%Y-%m"))
        start_console()
    finally:
        server.shutdown()
    print(f"\nThe demo installation is in {DEMO}; try:\n"
          f"  {BUILD}/mediawatchctl -c {DEMO}/mediawatch.conf status")


if __name__ == "__main__":
    main()
