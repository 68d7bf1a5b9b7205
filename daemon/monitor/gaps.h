/* gaps.h — why an account cannot be seen, in words for the admins.
 *
 * A monitoring gap (监测缺口) is ours, not the unit's: the admins are told
 * the reason in a Chinese sentence, with the technical detail short in
 * parentheses ("信息源地址不存在（HTTP 404）"), never a fetcher's raw
 * English ("not a feed: the document is <html>"). */
#ifndef MW_GAPS_H
#define MW_GAPS_H

#include <stdbool.h>
#include <time.h>

/* What the monitor knows of how an account was seen. */
struct sight {
	bool        polled;           /* has a feed we fetch */
	bool        fetched;          /* fetched at least once */
	long        last_status;      /* HTTP status of the last fetch, 0: none */
	const char *last_error;       /* of the last fetch, NULL when it worked */
	bool        has_success;
	time_t      last_success;
	bool        has_observation;  /* a manual observation (account touch) */
	time_t      last_observation; /* when it was recorded */
};

/* A fetch error as a sentence: "信息源服务器出错（HTTP 503）".  Caller
 * frees. */
char *fetch_error_text(long http_status, const char *error);

/* Why the account is not seen now (or, for a failing feed still within
 * the window, what goes wrong).  Caller frees. */
char *gap_reason(const struct sight *s);

/* The latest time it was seen (a successful fetch or an observation);
 * false when never. */
bool sight_last(const struct sight *s, time_t *when);

#endif
