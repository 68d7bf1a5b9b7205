/* bulletin.h — the monthly bulletin (月通报), computed from history.
 *
 * The check time of a past month is its last second; of the current month,
 * now.  Only rows dated at or before the check time are read (and the
 * audit trail, which never changes), so a past month's bulletin is the
 * same whenever it is generated.  Feed failures (unreachable) are the
 * monitoring's own problem and are left out. */
#ifndef MW_BULLETIN_H
#define MW_BULLETIN_H

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#include "config/config.h"
#include "paperwork/paperwork.h"

/* The bulletin's data for month m (render with render_bulletin()); NULL
 * with *error (caller frees) for a month that has not started.  Caller
 * owns the result. */
json_t *bulletin_build(sqlite3 *db, const struct config *cfg,
            const struct month *m, time_t now, char **error);

#endif
