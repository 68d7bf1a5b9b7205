"""The schema's constraints across the migrations that rewrite them: 0020
drops the per-run stamp of account_state, 0021 says the CHECK lists of
account_state and problem as comparisons, 0022 the list of the unique
index of open automatic problems.  A database of the schema before them
keeps its rows and refuses the same values after."""

import sqlite3

import pytest

from olddb import database_at, unit_with_accounts


def fill(con):
    with con:
        unit_with_accounts(con, (1, 2))
        con.execute("INSERT INTO account_state (account_id, state, since,"
                    " notified_at, notices_sent, evaluated_at) VALUES"
                    " (1, 'stale', 100, 100, 1, 200), (2, 'fresh', 50, NULL,"
                    " 0, 200)")
        con.execute("INSERT INTO problem (id, account_id, unit_id, kind,"
                    " detail, opened_at, opened_by, closed_at, close_reason)"
                    " VALUES (1, 1, 1, 'stale', '超期未更新', 100,"
                    " 'mediawatchd', NULL, NULL), (2, 2, 1,"
                    " 'reopened-closed-account', '已注销账号违规私开', 10,"
                    " 'admin', 20, 'rectified')")


def refused(mw, sql, params=(), by="CHECK"):
    """Whether a constraint of the kind by (CHECK, UNIQUE) refuses the
    statement (foreign keys are not enforced on this connection: only the
    schema's own constraints are under test)."""
    con = sqlite3.connect(mw.db_path)
    try:
        with con:
            con.execute(sql, params)
    except sqlite3.IntegrityError as e:
        return f"{by} constraint failed" in str(e)
    finally:
        con.close()
    return False


def test_the_migrations_keep_the_rows_and_the_allowed_values(mw):
    fill(database_at(mw.db_path, 19))
    mw.run("status", check=0)                    # opens and migrates
    assert mw.sql("PRAGMA user_version")[0][0] >= 22
    assert mw.sql("SELECT account_id, state, since, notified_at,"
                  " notices_sent FROM account_state ORDER BY 1") == [
        (1, "stale", 100, 100, 1), (2, "fresh", 50, None, 0)]
    assert "evaluated_at" not in [
        c[1] for c in mw.sql("PRAGMA table_info(account_state)")]
    assert mw.sql("SELECT id, kind, close_reason FROM problem ORDER BY 1") \
        == [(1, "stale", None), (2, "reopened-closed-account", "rectified")]
    for table in ("account_state", "problem", "problem_open_auto"):
        (sql,), = mw.sql("SELECT sql FROM sqlite_master WHERE name = ?",
                         (table,))
        assert " IN (" not in sql and " IN\n" not in sql, sql
    assert mw.sql("PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("state", ["fresh", "warning", "stale", "dormant",
                                   "unverified"])
def test_every_state_is_allowed(mw, state):
    mw.run("status", check=0)                    # a new database
    assert not refused(mw, "INSERT INTO account_state (account_id, state,"
                       " since) VALUES (1, ?, 1)", (state,))


def test_other_values_are_refused(mw):
    mw.run("status", check=0)                    # a new database
    assert refused(mw, "INSERT INTO account_state (account_id, state, since)"
                   " VALUES (1, 'Fresh', 1)")
    problem = ("INSERT INTO problem (account_id, unit_id, kind, detail,"
               " opened_at, opened_by, closed_at, close_reason) VALUES"
               " (1, 1, ?, '说明', 1, 'admin', ?, ?)")
    assert refused(mw, problem, ("quiet", None, None))
    assert refused(mw, problem, ("manual", 2, "fixed"))
    # a problem still open has no reason, and each kind and reason is taken
    for kind in ("stale", "dormant", "unreachable", "wording", "manual",
                 "reopened-closed-account"):
        assert not refused(mw, problem, (kind, None, None)), kind
    for reason in ("recovered", "rectified", "waived"):
        assert not refused(mw, problem, ("manual", 2, reason)), reason


def unique_refused(mw, sql, params=()):
    return refused(mw, sql, params, by="UNIQUE")


@pytest.mark.parametrize("version", [19, None])
def test_an_open_automatic_problem_is_one_a_condition(mw, version):
    """problem_open_auto, migrated (0022) or new, still holds exactly the
    open problems of the automatic kinds."""
    if version:
        fill(database_at(mw.db_path, version))   # problem 1: account 1 stale
    else:
        mw.run("status", check=0)
        con = sqlite3.connect(mw.db_path)
        with con:
            unit_with_accounts(con, (1, 2))
            con.execute("INSERT INTO problem (account_id, unit_id, kind,"
                        " detail, opened_at, opened_by) VALUES (1, 1,"
                        " 'stale', '超期未更新', 100, 'mediawatchd')")
        con.close()
    mw.run("status", check=0)
    problem = ("INSERT INTO problem (account_id, unit_id, kind, detail,"
               " opened_at, opened_by, closed_at, close_reason) VALUES"
               " (1, 1, ?, '说明', 1, 'mediawatchd', ?, ?)")
    assert unique_refused(mw, problem, ("stale", None, None))
    assert not unique_refused(mw, problem, ("stale", 5, "recovered"))
    assert not unique_refused(mw, problem, ("unreachable", None, None))
    assert unique_refused(mw, problem, ("unreachable", None, None))
    # the other kinds are not in it: two open manual problems are fine
    assert not unique_refused(mw, problem, ("manual", None, None))
    assert not unique_refused(mw, problem, ("manual", None, None))
    assert mw.sql("PRAGMA integrity_check") == [("ok",)]
