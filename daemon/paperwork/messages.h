/* messages.h — the catalogue of every message the programs send, for
 * checking the templates in force before they are needed.
 *
 * `mediawatchctl check-config` and `mediawatchd -n` render each
 * overridable message (mail.templates, else built in) with sample data
 * made by the same code that fills the real messages, so a misspelt name
 * or a broken section is found at the edit, not at the next alert. */
#ifndef MW_MESSAGES_H
#define MW_MESSAGES_H

#include <time.h>

#include "config/config.h"

/* Renders every message as configured; logs each error ("FILE:LINE:
 * message", and files in mail.templates that no message reads) and
 * returns how many there were. */
int messages_check(const struct config *cfg, time_t now);

#endif
