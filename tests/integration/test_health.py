"""Nothing fails silently (issue 11): an evaluation that fails is rolled
back and loud — logged at error level, recorded for `mediawatchctl
status`, mailed to the admins, and `mediawatchd --once` exits 1 — and
a template edit that cannot be rendered is found by `check-config` and
`mediawatchd -n` before it is needed.

The failure is a real one: a trigger makes SQLite refuse every write of
an account state, as a full or broken database would, while the rest of
the database (the outbox, the health record) still takes writes."""

import json

from feedserver import feeds  # noqa: F401  (fixture)
from test_alerts import (BASE, DAY, HOUR, Scenario, configure, outbox,
                         problems, states)

BREAK = ("CREATE TRIGGER broken BEFORE INSERT ON account_state BEGIN"
         " SELECT RAISE(ABORT, 'disk on fire'); END")


def cycle(mw, at):
    """One `mediawatchd --once` at time at, whatever its exit status."""
    mw.now(at)
    mw.run("poll", check=0)
    return mw.run_daemon("--once", "-d", timeout=90)


def break_states(mw):
    mw.sql(BREAK)


def repair_states(mw):
    mw.sql("DROP TRIGGER broken")


def test_failed_evaluation_rolls_back_and_is_reported_everywhere(mw, feeds):
    configure(mw)
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    mw.run("status", check=0)              # creates the database
    break_states(mw)
    r = cycle(mw, BASE)
    # --once says so: exit 1, an error line naming the cause
    assert r.returncode == 1, r.stderr
    assert "error: evaluation failed" in r.stderr
    assert "disk on fire" in r.stderr
    # the log tells of no state change that was rolled back
    assert "-> stale" not in r.stderr
    # nothing of the run was kept: no state, no problem, no unit alert
    assert states(mw) == {} and problems(mw) == []
    (mail,) = outbox(mw)
    assert mail["kind"] == "failure" and "评估失败" in mail["subject"]
    assert "disk on fire" in mail["body_text"]
    assert json.loads(mail["recipients"]) == ["dzzw@example.gov.cn",
                                              "ops@example.gov.cn"]
    # status shows it, in its table and its JSON
    text = mw.run("status", check=0).stdout
    assert "LAST EVALUATION FAILED at 2026-03-02 10:00" in text
    assert "disk on fire" in text
    ev = json.loads(mw.run("--json", "status", check=0).stdout)["evaluation"]
    assert (ev["state"], ev["failures"]) == ("failed", 1)
    # a second failure the same day: counted, but the admins are not
    # mailed again for the same reason
    cycle(mw, BASE + HOUR)
    ev = json.loads(mw.run("--json", "status", check=0).stdout)["evaluation"]
    assert ev["failures"] == 2
    assert [m["kind"] for m in outbox(mw)] == ["failure"]
    # repaired: the next run does the work and status is clear again
    repair_states(mw)
    r = cycle(mw, BASE + 2 * HOUR)
    assert r.returncode == 0, r.stderr
    assert f"account {acc}: new -> stale" in r.stderr
    assert states(mw) == {acc: "stale"}
    assert sorted(m["kind"] for m in outbox(mw)) == ["alert", "failure"]
    ev = json.loads(mw.run("--json", "status", check=0).stdout)["evaluation"]
    assert (ev["state"], ev["failures"], ev["error"]) == ("ok", 0, None)
    assert "FAILED" not in mw.run("status", check=0).stdout


def test_built_in_templates_serve_without_any_installed_file(mw, feeds):
    """No mail.templates and nothing installed: the binaries carry the
    texts (the build tree, or an install under another prefix)."""
    configure(mw)
    assert "templates =" not in mw.conf_path.read_text(encoding="utf-8")
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    r = cycle(mw, BASE)
    assert r.returncode == 0, r.stderr
    (mail,) = outbox(mw)
    assert mail["kind"] == "alert" and "超期未更新" in mail["body_text"]
    assert "<table" in mail["body_html"]


def test_check_config_renders_every_template_in_force(mw):
    tdir = mw.dir / "templates"
    tdir.mkdir()
    good = (mw.repo / "conf/templates/unit-alert.txt").read_text(
        encoding="utf-8")
    (tdir / "unit-alert.txt").write_text(good.replace(
        "{{#stale}}", "{{#stael}}", 1), encoding="utf-8")
    (tdir / "unit-notice.html").write_text(
        "<p>{{serial}}</p>\n{{#problems}}<p>{{platfrom}}</p>{{/problems}}\n",
        encoding="utf-8")
    (tdir / "unit-recovery.txt").write_text(
        "Subject: {{unit_name}}\n\n{{#recovered}}{{name}}\n", encoding="utf-8")
    (tdir / "unit-alrt.txt").write_text("Subject: x\n\nx\n", encoding="utf-8")
    (tdir / "README.md").write_text("notes\n", encoding="utf-8")
    mw.write_config(f'mail = {{ templates = "{tdir}"; }};\n')
    for r in (mw.run("check-config", check=1),
              mw.run_daemon("-n", check=1)):
        err = r.stderr
        assert f"{tdir}/unit-alert.txt:" in err and "does not close" in err
        assert f"{tdir}/unit-notice.html:2:" in err and "platfrom" in err
        assert f"{tdir}/unit-recovery.txt:" in err
        assert f"{tdir}/unit-alrt.txt: no message of this name" in err
        assert "README" not in err
    # fixed, the same folder passes and is what the daemon will use
    (tdir / "unit-alert.txt").write_text(good, encoding="utf-8")
    (tdir / "unit-notice.html").write_text(
        "<p>{{serial}}</p>\n{{#problems}}<p>{{platform}}</p>{{/problems}}\n",
        encoding="utf-8")
    (tdir / "unit-recovery.txt").unlink()
    (tdir / "unit-alrt.txt").unlink()
    assert "configuration OK" in mw.run("check-config", check=0).stdout
    mw.run_daemon("-n", check=0)


def test_default_configuration_checks_every_built_in_template(mw):
    mw.write_config("")
    assert "configuration OK" in mw.run("check-config", check=0).stdout
