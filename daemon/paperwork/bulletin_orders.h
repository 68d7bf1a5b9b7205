/* bulletin_orders.h — how each unit answered its work orders and notices
 * in a bulletin's month (registry/workorder.h), for bulletin.c.
 *
 * Per unit, read at the check time (a later reply or review is not known
 * then, so a past month reads the same later):
 *
 *   orders            work orders received: problems opened in the watched
 *                     part of the month (a failing feed is no work order)
 *   orders_on_time    first replies made in the month by their deadline
 *   orders_late       first replies made in the month after it
 *   orders_returned   replies returned in the month
 *   orders_open       work orders open at the check time
 *   orders_overdue    … of which past their deadline with no reply
 *                     standing (none, or the last one returned)
 *   notices_overdue   notices past their reply deadline not answered at
 *                     the check time
 *
 * The ranking uses them after the pass rate (bulletin.h). */
#ifndef MW_BULLETIN_ORDERS_H
#define MW_BULLETIN_ORDERS_H

#include <jansson.h>
#include <sqlite3.h>

#include "config/config.h"
#include "paperwork/bulletin_text.h"

/* The notices past their reply deadline not answered at the check time,
 * units in the configured order: serial, unit, unit_name, issued, due,
 * items, unsettled.  Reads only (store/side.h). */
json_t *bulletin_overdue_notices(sqlite3 *db, const struct config *cfg,
         const struct period *p);

/* A row per unit with any of the counts, units in the configured order:
 * unit, unit_name and the counts above (notices_overdue from overdue,
 * the rows of bulletin_overdue_notices()).  When problems is not NULL,
 * *problems gets, from the same read of the problems, the counts a large
 * registry's bulletin gives instead of the problem lists (bulletin.h,
 * "problem_counts"): a row per unit with any of opened (in the watched
 * time, or escalated then), closed (then) and overdue (open at the check
 * time past its deadline), and escalated, units in the configured order.
 * NULL (and *problems untouched) on a database error.  Reads only
 * (store/side.h). */
json_t *bulletin_order_counts(sqlite3 *db, const struct config *cfg,
         const struct period *p, const json_t *overdue, json_t **problems);

/* Sets in d "orders" (the rows of bulletin_order_counts(), taken),
 * "notices_overdue" (overdue, taken) and the month's totals in
 * d.summary (orders, orders_on_time, …), and copies each unit's counts
 * into its row of units (0 when none). */
void bulletin_orders_set(json_t *d, json_t *units, json_t *orders,
         json_t *overdue);

#endif
