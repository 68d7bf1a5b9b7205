/* ctl.h — the admin tool's commands (mediawatchctl(1)).
 *
 * mediawatchctl.c is only main(); each command lives in a ctl_*.c file as
 * cmd_NAME(ctl, argc, argv), where argv[0] is the command word and the
 * global options have already been taken out. */
#ifndef MW_CTL_H
#define MW_CTL_H

#include <sqlite3.h>
#include <stdio.h>

#include "base/i18n.h"
#include "base/output.h"
#include "base/util.h"
#include "config/config.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

struct ctl {
	const char          *conf_arg;   /* -c FILE */
	const char          *db_arg;     /* --db FILE */
	enum output_format   format;     /* --json / --csv */
	struct config        cfg;
	sqlite3             *db;         /* opened on first use */
	bool                 in_tx;      /* inside ctl_in_transaction() */
	struct strbuf        done;       /* what it changed, once committed */
};

int ctl_main(int argc, char **argv);

/* The words of the vocabularies of output.h, NULL-ended (ctl_words.c). */
struct ctl_word {
	const char *vocab;          /* VOCAB_*: the word's message context */
	const char *word;           /* the key as stored and in --json */
};
extern const struct ctl_word ctl_words[];

/* The database, opened (and migrated) on first use; NULL after logging. */
sqlite3 *ctl_db(struct ctl *ctl);

/* Prints "mediawatchctl CMD: message" and the command's usage line to
 * stderr; returns EXIT_USAGE. */
int ctl_usage_error(const char *usage, const char *fmt, ...) MW_PRINTF(2, 3);
/* Reports a refusal (an error string from the library, freed here) as
 * "mediawatchctl: what: error"; returns EXIT_REFUSED. */
int ctl_refused(const char *what, char *error);
/* Checks a free-text option (a reason, a note): valid UTF-8 without
 * control characters.  Reports a refusal and returns EXIT_REFUSED when it
 * is not; EXIT_OK for NULL or good text. */
int ctl_check_note(const char *option, const char *value);
/* Parses a positive id; -1 when it is not one. */
long long ctl_parse_id(const char *s);
/* What changed from record before to after, one "key: old → new" per
 * member, "; " between ("(none)" for an empty value); "created" or
 * "removed" when one is missing.  Caller frees. */
char *ctl_describe_changes(json_t *before, json_t *after);
/* The same, in the user's language only when words is true (a table):
 * CSV output keeps English. */
char *ctl_describe_changes_in(json_t *before, json_t *after, bool words);
/* A duration as people count thresholds: "14 days", "1.5 days" (in the
 * user's language when words is true).  Caller frees. */
char *ctl_days(long long seconds, bool words);
/* Runs fn inside one transaction: commit on 0, rollback otherwise.  What
 * fn said with ctl_done() is printed once the commit succeeded. */
int ctl_in_transaction(struct ctl *ctl, int (*fn)(struct ctl *, void *), void *arg);
/* The line saying what a change did (or the new record's id), printed to
 * stdout when the transaction it belongs to commits, never for a change
 * rolled back; at once outside a transaction. */
void ctl_done(struct ctl *ctl, const char *fmt, ...) MW_PRINTF(2, 3);
/* Takes v (a document or a list the command printed) and keeps it,
 * reachable, until the process exits: freeing a large registry's report
 * value by value took a fifth of the command, and the command ends right
 * after.  NULL is ignored. */
void ctl_keep_until_exit(json_t *v);

int cmd_unit(struct ctl *ctl, int argc, char **argv);
int cmd_account(struct ctl *ctl, int argc, char **argv);
int cmd_ledger(struct ctl *ctl, int argc, char **argv);
int cmd_check_config(struct ctl *ctl, int argc, char **argv);
int cmd_poll(struct ctl *ctl, int argc, char **argv);
int cmd_feed(struct ctl *ctl, int argc, char **argv);
int cmd_problem(struct ctl *ctl, int argc, char **argv);
int cmd_outbox(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_notice(struct ctl *ctl, int argc, char **argv);
int cmd_bulletin(struct ctl *ctl, int argc, char **argv);
int cmd_report(struct ctl *ctl, int argc, char **argv);
int cmd_wordcheck(struct ctl *ctl, int argc, char **argv);
int cmd_user(struct ctl *ctl, int argc, char **argv);

#endif
