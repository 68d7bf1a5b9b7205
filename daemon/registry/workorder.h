/* workorder.h — work orders (工单): every open problem is one for its
 * unit, due at the problem's deadline (working days), answered online.
 *
 * The unit replies: what was done, when, by whom, with evidence (a link
 * and/or a file, registry/attachment.h).  An admin reviews the latest
 * reply: accepted closes the problem as rectified (销号), returned sends
 * it back with a comment for another reply.  So a work order goes
 *
 *     open → replied → closed
 *            replied → returned → replied → …
 *
 * and is closed whenever its problem closes (an account that posts again
 * closes its own; an admin may close any), its replies staying on record.
 * The state is read from the replies and reviews, never stored apart.
 *
 * A notice (点对点通报) lists problems; it is answered when each of them
 * is settled: replied to, or closed before a reply was needed.  A notice
 * not answered by the end of its deadline day is overdue: the admins'
 * digest lists it, the unit is reminded, the bulletin counts it.
 *
 * Replies and reviews are audited on their problem (problem.reply,
 * problem.review).
 *
 * Owns tables: reply, review. */
#ifndef MW_WORKORDER_H
#define MW_WORKORDER_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

enum workorder_state { WO_OPEN, WO_REPLIED, WO_RETURNED, WO_CLOSED,
	N_WO_STATES };

const char *workorder_state_name(enum workorder_state s);   /* "open", … */
const char *workorder_state_label(enum workorder_state s);  /* 待回复, … */
/* -1 when s names no state. */
int  workorder_state_parse(const char *s);

/* Whether problem P is a work order: a failing feed (unreachable) is the
 * monitoring's problem, never the unit's. */
#define WORKORDER_KIND(P) "(" P ".kind <> 'unreachable')"

/* The SQL expression of the state of problem P (a table alias): 'open',
 * 'replied', 'returned' or 'closed'. */
#define WORKORDER_STATE(P) \
	"(CASE WHEN " P ".closed_at IS NOT NULL THEN 'closed' WHEN NOT EXISTS" \
	" (SELECT 1 FROM reply wr WHERE wr.problem_id = " P ".id) THEN 'open'" \
	" WHEN EXISTS (SELECT 1 FROM review wv WHERE wv.reply_id = (SELECT" \
	" max(wr.id) FROM reply wr WHERE wr.problem_id = " P ".id)) THEN" \
	" 'returned' ELSE 'replied' END)"

/* The time problem P was settled for a notice that lists it: its first
 * reply or its closing, whichever came first; NULL while neither. */
#define WORKORDER_SETTLED_AT(P) \
	"(SELECT min(sx) FROM (SELECT min(sr.submitted_at) AS sx FROM reply sr" \
	" WHERE sr.problem_id = " P ".id UNION ALL SELECT " P ".closed_at))"

/* The problems notice D (a document alias) lists that were not settled
 * at time T (an SQL expression), as the tail of a SELECT: neither closed
 * nor replied to by T.  The same as WORKORDER_SETTLED_AT() after T, asked
 * as two lookups: the minimum of a UNION is a subquery SQLite builds
 * anew for every problem of every notice. */
#define NOTICE_UNSETTLED_ITEMS(D, T) \
	" FROM document_problem nd JOIN problem np ON np.id = nd.problem_id" \
	" WHERE nd.document_id = " D ".id AND coalesce(np.closed_at <= " T \
	", 0) = 0 AND NOT EXISTS (SELECT 1 FROM reply sr WHERE sr.problem_id" \
	" = np.id AND sr.submitted_at <= " T ")"

/* Their number. */
#define NOTICE_UNSETTLED(D, T) \
	"(SELECT count(*)" NOTICE_UNSETTLED_ITEMS(D, T) ")"

/* The same for every notice at once, as a table (document_id, n) of
 * the notices with unsettled problems at time T: the problems open at T
 * are found in one read of the problem table, then the notices' list of
 * problems is read once in its own order, each looked up among those
 * (the + keeps SQLite from looking each of them up in the notices' list
 * instead, a random read for every problem).  Asking each notice for its
 * problems took twice as long: a year of notices lists 170,000 problems
 * at 500,000 accounts. */
#define NOTICES_UNSETTLED(T) \
	"(SELECT nd.document_id AS document_id, count(*) AS n FROM" \
	" document_problem nd WHERE +nd.problem_id IN (SELECT np.id FROM" \
	" problem np NOT INDEXED WHERE (np.closed_at IS NULL OR np.closed_at" \
	" > " T ") AND NOT EXISTS (SELECT 1 FROM reply sr WHERE sr.problem_id" \
	" = np.id AND sr.submitted_at <= " T ")) GROUP BY nd.document_id)"

/* Whether there is one: the search stops at the first, where counting
 * reads them all (a year of unanswered notices lists 160,000 problems
 * at 500,000 accounts). */
#define NOTICE_HAS_UNSETTLED(D, T) \
	"EXISTS (SELECT 1" NOTICE_UNSETTLED_ITEMS(D, T) ")"

/* A reply as the unit gives it; the texts are borrowed. */
struct workorder_reply {
	long long   problem_id;
	const char *measures;        /* what was done; line breaks allowed */
	const char *done_on;         /* YYYY-MM-DD, not after today */
	const char *responsible;     /* who is responsible (责任人) */
	const char *link;            /* http(s) evidence, or NULL */
	long long   attachment_id;   /* a file of the problem's unit, or 0 */
	long long   document_id;     /* the notice answered, or 0 */
};

/* Each runs inside the caller's transaction and returns -1 with *error
 * ("field: why", caller frees) on refusal. */

/* Records a reply to an open problem whose work order is open or
 * returned (one reply waits for its review at a time). */
int  workorder_reply(sqlite3 *db, const struct workorder_reply *r, time_t now,
         long long *id, char **error);
/* Reviews reply_id, the latest of an open problem and not reviewed yet:
 * accepted closes the problem as rectified with the comment (optional),
 * returned needs a comment.  *problem_id is the reply's problem. */
int  workorder_review(sqlite3 *db, long long reply_id, bool accept,
         const char *comment, time_t now, long long *review_id,
         long long *problem_id, char **error);

/* The state of problem_id's work order: 0, 1 when there is no such
 * problem, -1 on a database error. */
int  workorder_state(sqlite3 *db, long long problem_id,
         enum workorder_state *s);
/* Its replies, oldest first: id, measures, done_on, responsible, link,
 * attachment (null or {id, name, type, size}), notice (null or {id,
 * serial}), submitted_at, submitted_by, review (null or {decision,
 * comment, reviewed_at, reviewed_by}).  Caller owns. */
json_t *workorder_replies_json(sqlite3 *db, long long problem_id);
/* The latest reply of the problem waiting for its review, or 0. */
long long workorder_pending_reply(sqlite3 *db, long long problem_id);

/* How far notice document_id was answered at time at. */
struct notice_answer {
	long        items;           /* problems it lists */
	long        settled;         /* … settled at that time */
	bool        answered;        /* all of them */
	bool        has_answered_at;
	time_t      answered_at;     /* when the last one was settled */
};
int  workorder_notice_answer(sqlite3 *db, long long document_id, time_t at,
         struct notice_answer *a);

/* The issued notices of unit_id (0: every unit) whose deadline day ended
 * before now without an answer, oldest deadline first, the first limit of
 * them (0: all): id, serial, unit, unit_id, unit_name, due_on, issued_at,
 * items, unsettled, days_over.  Caller owns; NULL on a database error. */
json_t *workorder_notices_overdue(sqlite3 *db, time_t now, long long unit_id,
         long long limit);

#endif
