/* document.h — the register of issued documents (发文登记): notices and
 * monthly bulletins, numbered as a registry office numbers them.
 *
 * Each kind has one series per year (the year of the issue date in the
 * configured zone) and its own serial pattern (notice.serial_format,
 * bulletin.serial_format).  A number once taken is never reused: a
 * document issued by mistake is voided (作废) and keeps its number, its
 * data and a record of who voided it, when and why.  Issuing and voiding
 * are audited.  Previews are never registered.
 *
 * Owns tables: document, document_problem. */
#ifndef MW_DOCUMENT_H
#define MW_DOCUMENT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "config/config.h"

/* A document about to be issued.  The data is borrowed; document_issue()
 * writes its number into it ("serial", "year", "sequence"). */
struct document_new {
	const char   *kind;          /* "notice" or "bulletin" */
	long long     unit_id;       /* a notice's unit; 0: none */
	const char   *period;        /* a bulletin's month, YYYY-MM; or NULL */
	const char   *due_on;        /* YYYY-MM-DD, or NULL */
	json_t       *data;
	const json_t *problem_ids;   /* array of problem ids listed; or NULL */
};

/* The serial pattern of a kind. */
const char *document_serial_pattern(const struct config *cfg,
                const char *kind);

/* Numbers and stores d inside the caller's transaction: the next number
 * of its kind in the year of now, whatever was voided.  -1 with *error
 * (caller frees) on a database error. */
int  document_issue(sqlite3 *db, const struct config *cfg,
         struct document_new *d, time_t now, long long *id, char **error);

/* Voids document id of kind (作废) with a reason, inside the caller's
 * transaction.  Refuses (-1, *error) an unknown id, one of another kind,
 * one voided before, or an empty reason. */
int  document_void(sqlite3 *db, const char *kind, long long id,
         const char *reason, time_t now, char **error);

/* The stored data of document id of kind, as issued, with "void": {"at",
 * "by", "reason"} added when it was voided; NULL with *error when there is
 * no such document of that kind.  Caller owns. */
json_t *document_data(sqlite3 *db, const char *kind, long long id,
            char **error);

/* The issued (not voided) bulletin of a month, or 0. */
long long document_bulletin_of(sqlite3 *db, const char *period);

/* Every document of kind, newest first: id, serial, state, unit,
 * unit_name (notices), period (bulletins), issued_at, issued_by, due,
 * problems, sent, voided_at, void_reason.  Caller owns. */
json_t *document_list_json(sqlite3 *db, const char *kind);

/* The unit a notice was addressed to (0 when none), and whether it was
 * queued for sending. */
long long document_unit(sqlite3 *db, long long id);
bool document_sent(sqlite3 *db, long long id);
/* Records that document id went out as the outbox message with this
 * dedup key. */
int  document_mark_sent(sqlite3 *db, long long id, const char *dedup_key);

#endif
