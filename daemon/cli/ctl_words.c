/* ctl_words.c — the words of the vocabularies tables translate (output.h).
 *
 * The keys (active, stale, …) are defined where they are used, in SQL
 * and C; this list gives each its place in the catalog, with its
 * vocabulary as the message context.  The context has to be written out:
 * xgettext reads VOCAB_WORD's arguments as they stand. */
#include "cli/ctl.h"

#define VOCAB_WORD(ctx, word) { ctx, word }

const struct ctl_word ctl_words[] = {
	/* account.status */
	VOCAB_WORD("account status", "active"),
	VOCAB_WORD("account status", "suspended"),
	VOCAB_WORD("account status", "closed"),
	VOCAB_WORD("account status", "merged"),
	/* account_state.state (monitor/evaluate.c) */
	VOCAB_WORD("state", "fresh"),
	VOCAB_WORD("state", "warning"),
	VOCAB_WORD("state", "stale"),
	VOCAB_WORD("state", "dormant"),
	VOCAB_WORD("state", "unverified"),
	/* the last fetch, when it did not fail (registry/account.c) */
	VOCAB_WORD("fetch result", "never"),
	VOCAB_WORD("fetch result", "not modified"),
	VOCAB_WORD("fetch result", "ok"),
	/* problem.kind */
	VOCAB_WORD("problem kind", "stale"),
	VOCAB_WORD("problem kind", "dormant"),
	VOCAB_WORD("problem kind", "unreachable"),
	VOCAB_WORD("problem kind", "wording"),
	VOCAB_WORD("problem kind", "manual"),
	VOCAB_WORD("problem kind", "reopened-closed-account"),
	/* a problem's state (registry/problem.c) */
	VOCAB_WORD("problem state", "open"),
	VOCAB_WORD("problem state", "closed"),
	/* problem.close_reason */
	VOCAB_WORD("close reason", "recovered"),
	VOCAB_WORD("close reason", "rectified"),
	VOCAB_WORD("close reason", "waived"),
	/* problem.severity and the word lists' */
	VOCAB_WORD("severity", "serious"),
	VOCAB_WORD("severity", "typo"),
	/* outbox.status */
	VOCAB_WORD("outbox status", "queued"),
	VOCAB_WORD("outbox status", "sent"),
	VOCAB_WORD("outbox status", "failed"),
	/* outbox.kind */
	VOCAB_WORD("outbox kind", "alert"),
	VOCAB_WORD("outbox kind", "recovery"),
	VOCAB_WORD("outbox kind", "gap"),
	VOCAB_WORD("outbox kind", "digest"),
	VOCAB_WORD("outbox kind", "notice"),
	VOCAB_WORD("outbox kind", "bulletin"),
	VOCAB_WORD("outbox kind", "wording"),
	VOCAB_WORD("outbox kind", "reopened"),
	VOCAB_WORD("outbox kind", "reopened-closed-account"),
	VOCAB_WORD("outbox kind", "failure"),
	VOCAB_WORD("outbox kind", "template-error"),
	/* outbox_recipient.status */
	VOCAB_WORD("recipient status", "pending"),
	VOCAB_WORD("recipient status", "sent"),
	VOCAB_WORD("recipient status", "refused"),
	/* document.kind */
	VOCAB_WORD("document kind", "notice"),
	VOCAB_WORD("document kind", "bulletin"),
	/* document.state */
	VOCAB_WORD("document state", "issued"),
	VOCAB_WORD("document state", "void"),
	/* user.role */
	VOCAB_WORD("role", "admin"),
	VOCAB_WORD("role", "viewer"),
	VOCAB_WORD("role", "unit"),
	/* audit.action of an account's history */
	VOCAB_WORD("action", "account.open"),
	VOCAB_WORD("action", "account.change"),
	VOCAB_WORD("action", "account.suspend"),
	VOCAB_WORD("action", "account.resume"),
	VOCAB_WORD("action", "account.close"),
	VOCAB_WORD("action", "account.merge"),
	VOCAB_WORD("action", "account.merge_in"),
	VOCAB_WORD("action", "account.touch"),
	VOCAB_WORD("action", "account.import"),
	/* the members of account and unit records, named in changes */
	VOCAB_WORD("field", "unit"),
	VOCAB_WORD("field", "unit_code"),
	VOCAB_WORD("field", "unit_name"),
	VOCAB_WORD("field", "platform"),
	VOCAB_WORD("field", "name"),
	VOCAB_WORD("field", "platform_uid"),
	VOCAB_WORD("field", "feed_url"),
	VOCAB_WORD("field", "status"),
	VOCAB_WORD("field", "merged_into"),
	VOCAB_WORD("field", "opened_on"),
	VOCAB_WORD("field", "closed_on"),
	VOCAB_WORD("field", "operator"),
	VOCAB_WORD("field", "filing_no"),
	VOCAB_WORD("field", "operator, filing_no"),
	VOCAB_WORD("field", "warn_after"),
	VOCAB_WORD("field", "stale_after"),
	VOCAB_WORD("field", "dormant_after"),
	VOCAB_WORD("field", "notes"),
	VOCAB_WORD("field", "code"),
	VOCAB_WORD("field", "parent"),
	VOCAB_WORD("field", "contact"),
	VOCAB_WORD("field", "emails"),
	VOCAB_WORD("field", "channels"),
	VOCAB_WORD("field", "phone"),
	{ NULL, NULL }
};
