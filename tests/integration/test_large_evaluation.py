"""An evaluation of thousands of accounts (issue 12).

The evaluation reads the accounts on a second connection, part after part
(4,096 accounts a part), while the daemon's connection writes the parts
already decided.  Every account must come out of it exactly once, in its
state, with its state change and its problem, whichever part it fell in;
a second evaluation must escalate and close the problems of accounts in
every part.  Past a thousand state changes the log counts them by change
instead of naming each account.

The accounts have no feed: what the evaluation reads of them (their last
update and a manual observation) is written into the database directly, so
that 9,000 accounts need no 9,000 fetches."""

import calendar
import re
import sqlite3

from test_alerts import DAY, HOUR, configure, problems, states

N = 9000                  # three parts: 4,096 + 4,096 + 808
NOW = calendar.timegm((2026, 3, 2, 2, 0, 0))     # 10:00 in Asia/Shanghai
AGES = {"fresh": DAY, "warning": 10 * DAY, "stale": 30 * DAY,
        "dormant": 200 * DAY}


def planned_state(i):
    """The state of the i-th account imported (0-based): every ninth is
    never seen (unverified), the others by the age of their last update."""
    if i % 9 == 8:
        return "unverified"
    return ("fresh", "warning", "stale", "dormant")[i % 4]


def import_accounts(mw):
    mw.run("unit", "add", "GOV", "县政府办公室", check=0)
    mw.run("unit", "add", "EDU", "县教育局", check=0)
    mw.run("unit", "add", "HEA", "县卫生健康局", check=0)
    rows = ["unit_code,platform,name,opened_on"]
    rows += [f"{('GOV', 'EDU', 'HEA')[i % 3]},weibo,账号{i:05d},2020-01-01"
             for i in range(N)]
    mw.run("account", "import", mw.write("ledger.csv", "\n".join(rows) +
                                         "\n"), check=0)
    ids = [r[0] for r in mw.sql("SELECT id FROM account ORDER BY id")]
    assert len(ids) == N
    return ids


def write(mw, statement):
    con = sqlite3.connect(mw.db_path, timeout=30)
    try:
        with con:
            con.execute(statement)
    finally:
        con.close()


def set_last_update(mw, ids, at):
    write(mw, 
        "UPDATE account SET last_update_at = %d WHERE id IN (%s)" %
        (at, ",".join(map(str, ids))))


def observe(mw, ids, at):
    """A manual observation of each account at `at` (seen: verified)."""
    write(mw, 
        "INSERT INTO observation (account_id, at, actor, recorded_at) "
        "SELECT value, %d, 'test', %d FROM json_each('[%s]')" %
        (at, at, ",".join(map(str, ids))))


def evaluate(mw, at):
    mw.now(at)
    r = mw.run_daemon("--once", "-d", "-v", check=0, timeout=120)
    ran = [x for x in r.stderr.splitlines() if "evaluation: " in x and
           " accounts (" in x]
    assert len(ran) == 1, r.stderr
    return r.stderr


def test_thousands_of_accounts_are_each_evaluated_once_in_every_part(mw):
    configure(mw)
    mw.now(NOW - 2 * DAY)
    ids = import_accounts(mw)
    planned = {a: planned_state(i) for i, a in enumerate(ids)}
    for state, age in AGES.items():
        set_last_update(mw, [a for a in ids if planned[a] == state],
                        NOW - age)
    set_last_update(mw, [a for a in ids if planned[a] == "unverified"],
                    NOW - AGES["stale"])
    observe(mw, [a for a in ids if planned[a] != "unverified"], NOW - HOUR)

    log = evaluate(mw, NOW)

    assert states(mw) == planned
    changes = mw.sql("SELECT account_id, from_state, to_state, at FROM"
                     " state_change ORDER BY id")
    assert changes == [(a, None, planned[a], NOW) for a in ids]
    quiet = {a: planned[a] for a in ids if planned[a] in ("stale", "dormant")}
    opened = problems(mw)
    assert {p["account_id"]: p["kind"] for p in opened} == quiet
    assert len(opened) == len(quiet)
    assert all(p["closed_at"] is None for p in opened)
    # past a thousand changes the log counts them
    assert f"evaluation: {N} accounts changed state" in log, log
    for state in ("fresh", "warning", "stale", "dormant", "unverified"):
        n = sum(1 for s in planned.values() if s == state)
        assert f"evaluation: {n} accounts new -> {state}" in log, log
    assert not re.search(r"account \d+: new ->", log), log

    # an hour later, in every part: accounts that posted again recover and
    # their problems close; accounts found long quiet are escalated
    stale = [a for a in ids if planned[a] == "stale"]
    n = len(stale)
    recovered = [stale[round(k * (n - 1) / 9)] for k in range(10)]
    escalated = [stale[round(k * (n - 3) / 4) + 1] for k in range(5)]
    assert not set(recovered) & set(escalated)
    assert recovered[0] < 4096 and escalated[-1] > 2 * 4096
    set_last_update(mw, recovered, NOW)
    set_last_update(mw, escalated, NOW - AGES["dormant"])

    log = evaluate(mw, NOW + HOUR)

    moved = {a: "fresh" for a in recovered}
    moved.update({a: "dormant" for a in escalated})
    assert states(mw) == {**planned, **moved}
    later = mw.sql("SELECT account_id, from_state, to_state FROM state_change"
                   " WHERE at = ? ORDER BY account_id", (NOW + HOUR,))
    assert later == [(a, "stale", moved[a]) for a in sorted(moved)]
    by_account = {p["account_id"]: p for p in problems(mw)}
    assert len(by_account) == len(quiet)        # none opened, none twice
    for a in recovered:
        assert (by_account[a]["closed_at"], by_account[a]["close_reason"]) \
            == (NOW + HOUR, "recovered")
    for a in escalated:
        assert (by_account[a]["kind"], by_account[a]["closed_at"]) == \
            ("dormant", None)
    still = [p for a, p in by_account.items() if a not in moved]
    assert all(p["closed_at"] is None for p in still)
    assert {p["kind"] for p in still if quiet[p["account_id"]] == "stale"} \
        == {"stale"}
    escalations = mw.sql("SELECT p.account_id FROM problem_event e JOIN"
                         " problem p ON p.id = e.problem_id WHERE e.action ="
                         " 'escalated' ORDER BY 1")
    assert escalations == [(a,) for a in sorted(escalated)]
    # few changes: each is logged, with its account
    for a in sorted(moved):
        assert f"account {a}: stale -> {moved[a]}" in log, log
    assert "accounts changed state" not in log
