"""Two responsible units, each with an account, a work order, a notice and
a login of its own, for the tests of the units' side of the console.

    from unitdata import two_units, mails, send_mail

    def test_something(mw, web):
        d = two_units(mw)          # d.cul, d.edu: ids of each unit's things
        console = web.start()
        cul = console.login("cul")

Mail goes to a Maildir (mw.dir / "Maildir") when the outbox is sent with
`mediawatchctl outbox send`; mails() reads it back with Python's email
package.  console_url is CONSOLE: links in mail point there, and the tests
follow them on the console they started.
"""

import email
import email.policy
import re
from pathlib import Path
from types import SimpleNamespace

from webconsole import PASSWORD

CONSOLE = "https://mediawatch.example.gov.cn"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"

UNITS = {
    "cul": ("WYS-CUL", "武夷山市文化体育和旅游局", "cul@wys.example.gov.cn",
            "douyin", "文旅武夷山", "wlwys"),
    "edu": ("WYS-EDU", "武夷山市教育局", "edu@wys.example.gov.cn",
            "weibo", "武夷山教育", "5521098813"),
}


def fixture(name):
    return (FIXTURES / name).read_bytes()


def configure(mw, mail="", extra=""):
    """console_url, the Maildir and an admin address; mail: more settings
    of the mail group."""
    mw.write_config(
        f'console_url = "{CONSOLE}";\n'
        f'mail = {{ maildir = "{mw.dir}/Maildir";'
        f' admins = ["admin@centre.example.gov.cn"]; {mail} }};\n{extra}')


def add_user(mw, name, *args, password=PASSWORD):
    mw.run("user", "add", name, *args, input=password + "\n", check=0)


def two_units(mw, notices=True, mail=""):
    """Both units with an account, a problem (a work order) and, with
    notices, a notice listing it; logins admin, cul and edu.  Returns the
    ids as d.cul and d.edu (unit, account, problem, notice).  mail: more
    settings of the mail group."""
    configure(mw, mail)
    mw.add_unit("WYS-GOV", "武夷山市人民政府办公室", "--email",
                "gov@wys.example.gov.cn")
    d = SimpleNamespace()
    for key, (code, name, address, platform, account, uid) in UNITS.items():
        mw.add_unit(code, name, "--email", address, "--contact", "联络员",
                    "--parent", "WYS-GOV")
        acc = mw.open_account(code, platform, account, uid=uid)
        r = mw.run("problem", "add", "--account", str(acc), "--detail",
                   f"{account}转载内容未注明来源", check=0)
        ids = SimpleNamespace(code=code, name=name, account=acc,
                              problem=int(r.stdout.strip()))
        (ids.unit,), = mw.sql("SELECT id FROM unit WHERE code = ?", (code,))
        if notices:
            ids.notice = issue_notice(mw, code)
        setattr(d, key, ids)
        add_user(mw, key, "--unit", code, "--email", f"staff@{key}.example",
                 "--display-name", f"{name}联络员")
    add_user(mw, "admin", "--role", "admin", "--email",
             "lin@centre.example.gov.cn", "--display-name", "林晓燕")
    return d


def issue_notice(mw, code):
    """Issues a notice to the unit; returns its id."""
    mw.run("notice", "issue", "--unit", code, check=0)
    (n,), = mw.sql("SELECT max(id) FROM document WHERE kind = 'notice'")
    return n


def send_mail(mw):
    """Delivers the outbox into the Maildir now."""
    mw.run("outbox", "send", check=0)


def mails(mw):
    """The messages in the Maildir, oldest first, as email objects with
    .text (the plain-text body)."""
    folder = mw.dir / "Maildir" / "new"
    if not folder.exists():
        return []
    out = []
    for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns):
        msg = email.message_from_bytes(path.read_bytes(),
                                       policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        msg.text = body.get_content() if body else ""
        out.append(msg)
    return out


def link_in(msg):
    """The one-time link of an invitation or reset, as the console's path."""
    m = re.search(re.escape(CONSOLE) + r"(/password\?token=[0-9a-f]{64})",
                  msg.text)
    assert m, msg.text
    return m.group(1)


def reply_fields(**over):
    fields = {"measures": "已落实专人负责，恢复每周更新。\n已补注转载来源。",
              "done_on": "2026-01-05", "responsible": "陈建华（办公室主任）",
              "link": "https://www.wys.example.gov.cn/article/1"}
    fields.update(over)
    return {k: v for k, v in fields.items() if v is not None}
