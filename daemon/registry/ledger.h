/* ledger.h — the account ledger (台账) the way offices keep it: a
 * spreadsheet (.xlsx) or CSV file read as a sync of the registry, the
 * same file written back, and the checks that keep it true
 * (国办发〔2018〕123号).
 *
 * An import is planned first: every row is read and checked (each bad
 * cell reported as FILE:LINE:COLUMN: heading "value": why, up to 50, all
 * of a row's), matched to the account it describes (same platform and
 * platform uid, else same unit, platform and name) and compared with it.
 * The plan says what is new, what changed (field: old → new), what is
 * unchanged and, with close_missing, which open accounts the file no
 * longer lists.  Applying it makes every change through account.c, each
 * audited with the file's name and row, inside the caller's transaction:
 * the import is all or nothing.  See ledger_forms.h for the columns and
 * the forms of their values. */
#ifndef MW_LEDGER_H
#define MW_LEDGER_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config/config.h"
#include "registry/account.h"

struct import_options {
	const char *path;          /* file to read, "-" for stdin */
	bool        gbk;           /* a CSV file is GBK/GB18030, not UTF-8 */
	bool        encoding_given;/* --encoding was given (not for .xlsx) */
	const char *sheet;         /* .xlsx: the worksheet, NULL: the first */
	bool        close_missing; /* close open accounts the file lacks */
	bool        ignore_unknown;/* skip columns it does not know */
};

enum ledger_action { LEDGER_NEW, LEDGER_CHANGE, LEDGER_UNCHANGED,
    LEDGER_CLOSE, N_LEDGER_ACTIONS };

struct ledger_change {
	const char *field;          /* the column's key: "operator", "status" */
	char       *before, *after; /* "" for none */
};

struct ledger_item {
	enum ledger_action     action;
	size_t                 line;       /* row in the file; 0: not in it */
	long long              account_id; /* 0 for a new account */
	char                  *label;      /* unit, platform, name (uid) */
	struct ledger_change  *changes;
	size_t                 n_changes;
};

struct ledger_import;

struct ledger_plan {
	char                 *source;      /* the file's name, as given */
	bool                  rows;        /* "row" (spreadsheet) or "line" */
	size_t                heading_line;
	char                **ignored;     /* columns not read: "D 联系电话" */
	struct ledger_item   *items;       /* in file order, then closings */
	size_t                n_items;
	size_t                count[N_LEDGER_ACTIONS];
	int                   errors;      /* reported (logged) */
	struct ledger_import *im;          /* rows and accounts, for apply */
};

/* Reads and checks the file and plans the sync, inside the caller's
 * transaction (so nothing changes between plan and apply).  Errors are
 * logged; returns 0, or -1 when there was any (plan->errors). */
int  ledger_plan(sqlite3 *db, const struct config *cfg,
         const struct import_options *opts, struct ledger_plan *plan);
/* Carries the plan out inside the same transaction.  -1 when the
 * registry refused a change (logged with its row): roll back. */
int  ledger_apply(sqlite3 *db, const struct config *cfg,
         struct ledger_plan *plan);
void ledger_plan_free(struct ledger_plan *plan);

/* ---- export (ledger_export.c) ---- */

enum ledger_format { LEDGER_CSV, LEDGER_XLSX };

struct export_options {
	enum ledger_format  format;
	bool                gbk;        /* CSV in GBK (no BOM), else UTF-8 + BOM */
	bool                english;    /* English headings, for scripts */
	const char         *out;        /* file, NULL or "-": standard output */
};

/* Writes the accounts matching filter (every status unless it names one)
 * in the import's columns, so that importing the file changes nothing.
 * Returns how many, or -1 with *error (malloc'd) when it cannot write. */
int  ledger_export(sqlite3 *db, const struct config *cfg,
         const struct account_filter *filter, const struct export_options *o,
         char **error);

/* ---- checks (ledger_check.c) ---- */

struct ledger_counts {
	long long duplicates;        /* units with 2+ active accounts on a platform */
	long long unobserved;        /* active, no feed and no recent observation */
	long long incomplete;        /* open, without operator or filing number */
};

/* The findings as JSON: {"duplicates": [...], "unobserved": [...],
 * "incomplete": [...]}, each a list of rows.  NULL on a database error. */
json_t *ledger_check(sqlite3 *db, const struct config *cfg, time_t now);
/* Just the counts.  -1 on a database error. */
int     ledger_check_counts(sqlite3 *db, const struct config *cfg, time_t now,
            struct ledger_counts *c);

#endif
