/* bulletin_text.h — the words of the monthly bulletin, for bulletin.c.
 *
 * The bulletin's text is written once, into its data, when it is built:
 * the renderers only lay it out, so an issued bulletin reads the same
 * whatever changes in this file later.  "body" is the 公文's main text as
 * paragraphs {level, text, run_on} (level 0 text, 1 一、, 2 （一）), and
 * "attachments" names the tables attached, in order ({key, title}). */
#ifndef MW_BULLETIN_TEXT_H
#define MW_BULLETIN_TEXT_H

#include <jansson.h>
#include <time.h>

#include "config/config.h"
#include "paperwork/paperwork.h"

/* The time a bulletin covers and the moment it judges. */
struct period {
	const struct month *m;
	time_t              check;    /* last second read */
	time_t              from;     /* first watched second in the month */
	time_t              began;    /* when monitoring began */
};

/* Title, dates, addressee, period and check time; serial "". */
void bulletin_set_header(json_t *d, const struct config *cfg,
         const struct period *p, time_t now);
/* "body" and "attachments", from the figures already in d. */
void bulletin_set_text(json_t *d, const struct config *cfg, time_t now);

#endif
