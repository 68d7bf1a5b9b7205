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
	VOCAB_WORD("monitor state", "fresh"),
	VOCAB_WORD("monitor state", "warning"),
	VOCAB_WORD("monitor state", "stale"),
	VOCAB_WORD("monitor state", "dormant"),
	VOCAB_WORD("monitor state", "unverified"),
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
	VOCAB_WORD("wording severity", "serious"),
	VOCAB_WORD("wording severity", "typo"),
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
	VOCAB_WORD("user role", "admin"),
	VOCAB_WORD("user role", "viewer"),
	VOCAB_WORD("user role", "unit"),
	/* audit.action of an account's history */
	VOCAB_WORD("audit action", "account.open"),
	VOCAB_WORD("audit action", "account.change"),
	VOCAB_WORD("audit action", "account.suspend"),
	VOCAB_WORD("audit action", "account.resume"),
	VOCAB_WORD("audit action", "account.close"),
	VOCAB_WORD("audit action", "account.merge"),
	VOCAB_WORD("audit action", "account.merge_in"),
	VOCAB_WORD("audit action", "account.touch"),
	VOCAB_WORD("audit action", "account.import"),
	/* the members of account and unit records, named in changes */
	VOCAB_WORD("record field", "unit"),
	VOCAB_WORD("record field", "unit_code"),
	VOCAB_WORD("record field", "unit_name"),
	VOCAB_WORD("record field", "platform"),
	VOCAB_WORD("record field", "name"),
	VOCAB_WORD("record field", "platform_uid"),
	VOCAB_WORD("record field", "feed_url"),
	VOCAB_WORD("record field", "status"),
	VOCAB_WORD("record field", "merged_into"),
	VOCAB_WORD("record field", "opened_on"),
	VOCAB_WORD("record field", "closed_on"),
	VOCAB_WORD("record field", "operator"),
	VOCAB_WORD("record field", "filing_no"),
	VOCAB_WORD("record field", "operator, filing_no"),
	VOCAB_WORD("record field", "warn_after"),
	VOCAB_WORD("record field", "stale_after"),
	VOCAB_WORD("record field", "dormant_after"),
	VOCAB_WORD("record field", "notes"),
	VOCAB_WORD("record field", "code"),
	VOCAB_WORD("record field", "parent"),
	VOCAB_WORD("record field", "contact"),
	VOCAB_WORD("record field", "emails"),
	VOCAB_WORD("record field", "channels"),
	VOCAB_WORD("record field", "phone"),
	/* the other fields a refusal of the library starts with (ctl.c) */
	VOCAB_WORD("record field", "id"),
	VOCAB_WORD("record field", "account"),
	VOCAB_WORD("record field", "problem"),
	VOCAB_WORD("record field", "on"),
	VOCAB_WORD("record field", "at"),
	VOCAB_WORD("record field", "into"),
	VOCAB_WORD("record field", "reason"),
	VOCAB_WORD("record field", "note"),
	VOCAB_WORD("record field", "evidence"),
	VOCAB_WORD("record field", "kind"),
	VOCAB_WORD("record field", "detail"),
	VOCAB_WORD("record field", "due"),
	VOCAB_WORD("record field", "thresholds"),
	VOCAB_WORD("record field", "warn"),
	VOCAB_WORD("record field", "stale"),
	VOCAB_WORD("record field", "dormant"),
	VOCAB_WORD("record field", "display_name"),
	VOCAB_WORD("record field", "password"),
	VOCAB_WORD("record field", "channel"),
	{ NULL, NULL }
};
