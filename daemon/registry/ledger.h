/* ledger.h — importing and exporting the account ledger as CSV.
 *
 * Columns: unit_code,platform,name,platform_uid,feed_url,operator,filing_no,
 * opened_on; the Chinese headings of a ledger spreadsheet (单位代码, 平台,
 * 账号名称, 账号ID, 订阅地址, 运维人员, 备案号, 开设日期) are accepted too. */
#ifndef MW_LEDGER_H
#define MW_LEDGER_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "registry/account.h"
#include "registry/unit.h"

struct import_options {
	const char *path;          /* file to read, "-" for stdin */
	bool        gbk;           /* the file is GBK/GB18030, not UTF-8 */
	bool        dry_run;       /* check and report, store nothing */
};

/* All-or-nothing: every row is checked and stored in one transaction, or
 * nothing is.  Errors are logged as FILE:LINE:column: message.  Returns the
 * number of accounts imported (or that would be), or -1. */
long import_accounts(sqlite3 *db, const struct config *cfg,
         const struct import_options *opts);

/* Writes the open accounts matching filter as CSV with the header row. */
int  export_accounts(sqlite3 *db, const struct account_filter *filter, FILE *out);

#endif
