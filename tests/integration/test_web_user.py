"""mediawatchctl user: the console's logins, made and changed on the
command line; passwords come from a terminal or standard input only."""

import json

from webconsole import PASSWORD, web  # noqa: F401


def test_add_list_and_log_in(mw, web):
    r = mw.run("user", "add", "lin", "--role", "admin", "--display-name", "林晓燕",
               input=PASSWORD + "\n", check=0)
    assert r.stdout.strip().isdigit()
    mw.run("user", "add", "chen", input=PASSWORD + "\n", check=0)
    users = json.loads(mw.run("--json", "user", "list", check=0).stdout)
    assert [(u["name"], u["role"], u["display_name"]) for u in users] == \
        [("chen", "viewer", "chen"), ("lin", "admin", "林晓燕")]
    (h,), = mw.sql("SELECT password_hash FROM user WHERE name = 'lin'")
    assert h.startswith("$argon2id$") and PASSWORD not in h
    assert mw.sql("SELECT action, after LIKE '%argon2%' FROM audit WHERE"
                  " entity = 'user'") == [("user.add", 0), ("user.add", 0)]
    page = web.start().login("lin").get("/")
    assert "林晓燕（管理员）" in page.text


def test_bad_input_is_refused_and_changes_nothing(mw):
    mw.run("user", "add", "lin", input=PASSWORD + "\n", check=0)
    before = mw.dump()
    cases = [
        (["user", "add", "Lin Xiao"], PASSWORD, "name: may contain only"),
        (["user", "add", "lin"], PASSWORD, "name: a user of that name exists"),
        (["user", "add", "wang"], "short", "password: must have at least 8"),
        (["user", "add", "wang"], "", "no password given"),
        (["user", "passwd", "nobody"], PASSWORD, "name: no such user"),
        (["user", "disable", "nobody"], None, "name: no such user"),
    ]
    for args, pw, message in cases:
        r = mw.run(*args, input=None if pw is None else pw + "\n" if pw else "",
                   check=1)
        assert message in r.stderr, (args, r.stderr)
    r = mw.run("user", "add", "wang", "--role", "unit", input=PASSWORD, check=2)
    assert "--role must be admin or viewer" in r.stderr
    r = mw.run("user", "add", "wang", "--password", PASSWORD, check=2)
    assert mw.dump() == before


def test_passwd_and_disable_end_sessions(mw, web):
    web.user("lin")
    console = web.start()
    session = console.login("lin")
    mw.run("user", "passwd", "lin", input="another-password-2\n", check=0)
    assert session.get("/").status == 303          # logged out
    console.login("lin", "another-password-2")
    session = console.login("lin", "another-password-2")
    mw.run("user", "disable", "lin", "--reason", "调离", check=0)
    assert session.get("/").status == 303
    users = json.loads(mw.run("--json", "user", "list", check=0).stdout)
    assert users[0]["disabled"] is True
    mw.run("user", "enable", "lin", check=0)
    console.login("lin", "another-password-2")
    actions = [a for (a,) in mw.sql("SELECT action FROM audit WHERE entity ="
                                    " 'user' ORDER BY id")]
    assert "user.passwd" in actions and "user.disable" in actions and \
        "user.enable" in actions
    assert mw.sql("SELECT reason FROM audit WHERE action = 'user.disable'") == \
        [("调离",)]
