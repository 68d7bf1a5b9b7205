/* health.h — how the daemon's recurring jobs went (today the evaluation).
 *
 * A job that fails is rolled back; what it was and why is then recorded
 * here in a transaction of its own, so `mediawatchctl status`, STATUS=
 * and the digest can say "last evaluation failed at … : reason" even
 * though nothing of the failed run was kept.
 *
 * Owns table: health. */
#ifndef MW_HEALTH_H
#define MW_HEALTH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#define HEALTH_EVALUATION "evaluation"

struct health {
	bool    known;            /* the job ran at least once */
	time_t  last_run_at;
	bool    has_ok;
	time_t  last_ok_at;
	bool    failing;          /* the last run failed */
	time_t  failed_at;
	char   *error;            /* why, when failing; owned */
	long    failures;         /* failed runs in a row */
};

/* Records one run of job: error NULL for a success.  Runs in its own
 * transaction (the caller has none open).  -1 on a database error. */
int  health_record(sqlite3 *db, const char *job, time_t at, const char *error);
/* Reads job's record; a job never run gives known false.  -1 on error. */
int  health_get(sqlite3 *db, const char *job, struct health *h);
void health_free(struct health *h);

#endif
