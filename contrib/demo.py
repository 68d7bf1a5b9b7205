#!/usr/bin/python3
"""make demo: one full monitoring cycle on the bundled sample ledger.

Builds a fresh installation in ./demo/ (configuration, database, Maildir),
registers the units and accounts of contrib/demo/, serves a feed for every
account from a loopback HTTP server (dates relative to now, so the demo
shows fresh, warning, stale and dormant accounts, a GBK feed and a broken
one), runs `mediawatchd --once` and prints what it found.  Then it
starts the web console (mediawatch-web) on loopback with a demo login and
leaves it running; the next `make demo` stops it first.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("MEDIAWATCH_BUILD", REPO / "build"))
DEMO = REPO / "demo"
DAY = 86400
WEB_PID = DEMO / "web.pid"           # read before demo/ is made anew
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"

# Days since the newest post of each account, in ledger order: a county's
# mix of diligent and forgotten accounts.  None: the feed answers 404.
AGES = [0, 1, 2, 9, 3, 16, 0, 30, 5, 120, 1, 11, 2, 4, 13, 0, 21, 6, 1, 200,
        3, 8, 2, None, 15, 1, 0, 45, 2, 10]


def rss(uid, name, age, now):
    items = []
    for i in range(5):
        t = now - (age + i * 2) * DAY - 3600 * (i + 1)
        stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))
        items.append(
            f"<item><title>{name}：政务信息第{5 - i}期</title>"
            f"<link>http://127.0.0.1/{uid}/{i}</link><guid>{uid}-{t}</guid>"
            f"<pubDate>{stamp}</pubDate></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title>{''.join(items)}</channel></rss>")


class Feeds(http.server.BaseHTTPRequestHandler):
    bodies = {}

    def do_GET(self):
        body = self.bodies.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data, ctype = body
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def ctl(*args, check=True, input=None):
    cmd = [str(BUILD / "mediawatchctl"), "-c", str(DEMO / "mediawatch.conf"), *args]
    r = subprocess.run(cmd, text=True, capture_output=True, timeout=120,
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
web = {{ listen = "127.0.0.1:{web_port()}"; }};
mail = {{
  transport = "maildir";
  maildir = "{DEMO}/state/Maildir";
  templates = "{templates}";
  from = "电子政务中心 <monitor@wys.example.gov.cn>";
  admins = [ "admin@wys.example.gov.cn" ];
}};
""", encoding="utf-8")


def register(now):
    with open(REPO / "contrib/demo/units.csv", encoding="utf-8") as f:
        for u in csv.DictReader(f):
            args = ["unit", "add", u["code"], u["name"], "--contact", u["contact"],
                    "--email", u["email"], "--phone", u["phone"]]
            if u["parent"]:
                args += ["--parent", u["parent"]]
            ctl(*args)
    print(ctl("account", "import", str(REPO / "contrib/demo/ledger.csv")), end="")
    with open(REPO / "contrib/demo/ledger.csv", encoding="utf-8") as f:
        for row, age in zip(csv.DictReader(f), AGES):
            if age is None:
                continue
            path = f"/{row['platform']}/{row['platform_uid']}"
            body = rss(row["platform_uid"], row["name"], age, now)
            if age == 2 and row["platform"] == "website":
                # a county site still serving GBK, as many do
                body = body.replace('encoding="UTF-8"', 'encoding="GBK"')
                Feeds.bodies[path] = (body.encode("gbk"), "application/rss+xml")
            else:
                Feeds.bodies[path] = (body.encode(), "application/rss+xml; charset=utf-8")


def show_mail():
    maildir = DEMO / "state" / "Maildir" / "new"
    files = sorted(maildir.iterdir()) if maildir.exists() else []
    print(f"\n== alerts written to {maildir} ({len(files)} emails)")
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        print(f"  To: {msg['To']}\n    Subject: {msg['Subject']}")


def paperwork():
    """The monthly paperwork, written next to the demo database."""
    out = DEMO / "paperwork"
    out.mkdir()
    unit = "WYS-EDU"
    notice = out / f"notice-{unit}.html"
    ctl("notice", "issue", "--unit", unit, "--format", "html", "--out", str(notice))
    ctl("notice", "show", "1", "--format", "md", "--out", str(out / f"notice-{unit}.md"))
    month = time.strftime("%Y-%m")
    for fmt in ("html", "md", "csv"):
        ctl("bulletin", "--month", month, "--format", fmt, "--out",
            str(out / f"bulletin-{month}.{fmt}"))
    ctl("report", "--format", "html", "--out", str(out / "status.html"))
    print(f"\n== paperwork in {out}")
    print(f"  point-to-point notice (点对点通报) to {unit}: {notice.name}, "
          f"notice-{unit}.md")
    print(f"  monthly bulletin (月通报) {month}: bulletin-{month}.html, .md, .csv")
    print("  status report: status.html (open it in a browser, prints on A4)")
    print("\n" + (out / f"notice-{unit}.md").read_text(encoding="utf-8"))


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
    """mediawatch-web with a demo login, left running in the background."""
    ctl("user", "add", DEMO_USER, "--role", "admin", "--display-name", "演示用户",
        input=DEMO_PASSWORD + "\n")
    log = open(DEMO / "web.log", "wb")
    proc = subprocess.Popen([str(BUILD / "mediawatch-web"), "-c",
                             str(DEMO / "mediawatch.conf")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)
    WEB_PID.write_text(str(proc.pid))
    conf = (DEMO / "mediawatch.conf").read_text(encoding="utf-8")
    listen = conf.split('listen = "')[1].split('"')[0]
    for _ in range(200):
        try:
            socket.create_connection(tuple([listen.rsplit(":", 1)[0],
                                            int(listen.rsplit(":", 1)[1])]),
                                     timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"demo: mediawatch-web failed:\n"
                         f"{(DEMO / 'web.log').read_text()}")
            time.sleep(0.05)
    print(f"\n== the web console (mediawatch-web) runs on http://{listen}/")
    print(f"  log in as {DEMO_USER} with the password {DEMO_PASSWORD}")
    print(f"  stop it with: kill $(cat {WEB_PID})")


def main():
    stop_old_console()
    shutil.rmtree(DEMO, ignore_errors=True)
    (DEMO / "state").mkdir(parents=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        write_config(server.server_address[1])
        register(int(time.time()))
        print("\n== the registry")
        print(ctl("account", "list"), end="")
        print("\n== one monitoring cycle: mediawatchd --once")
        r = subprocess.run([str(BUILD / "mediawatchd"), "-c", str(DEMO / "mediawatch.conf"),
                            "--once", "-d", "-v"], text=True, capture_output=True, timeout=300)
        print("\n".join(l for l in r.stderr.splitlines() if "cycle" in l or "evaluation" in l))
        if r.returncode != 0:
            sys.exit(f"demo: mediawatchd failed:\n{r.stderr}")
        print("\n== last update of each account")
        print(ctl("account", "list"), end="")
        print("\n== status")
        print(ctl("status"), end="")
        print("\n== open problems (问题清单)")
        print(ctl("problem", "list"), end="")
        show_mail()
        paperwork()
        start_console()
    finally:
        server.shutdown()
    print(f"\nThe demo installation is in {DEMO}; try:\n"
          f"  {BUILD}/mediawatchctl -c {DEMO}/mediawatch.conf status")


if __name__ == "__main__":
    main()
