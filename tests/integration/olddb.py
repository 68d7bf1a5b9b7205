"""A database as a daemon of an earlier schema left it, for the tests of
the migrations that follow:

    from olddb import database_at, unit_with_accounts

    con = database_at(mw.db_path, 9)     # every migration up to 0009
    unit_with_accounts(con, (1, 2))      # unit 1 (GOV), accounts 1 and 2
    ...
    mw.run("status", check=0)            # opens and migrates the rest
"""

import sqlite3
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def database_at(path, last):
    """A new database at path with every migration numbered up to last
    applied and its schema version set; returns the open connection."""
    con = sqlite3.connect(path)
    for sql in sorted((REPO / "sql").glob("[0-9]" * 4 + "_*.sql")):
        if int(sql.name[:4]) <= last:
            con.executescript(sql.read_text(encoding="utf-8"))
    con.execute(f"PRAGMA user_version = {last}")
    return con


def unit_with_accounts(con, accounts):
    """Unit 1 (GOV) and a Weibo account 账号N of it for each id N, in the
    caller's transaction."""
    con.execute("INSERT INTO unit (id, code, name, created_at) VALUES"
                " (1, 'GOV', '武夷山市人民政府办公室', 1)")
    for acc in accounts:
        con.execute("INSERT INTO account (id, unit_id, platform, name,"
                    " created_at) VALUES (?, 1, 'weibo', ?, 1)",
                    (acc, f"账号{acc}"))
