/* validate.h — checks on user-supplied registry values.
 *
 * Each returns NULL when the value is acceptable, or a static English
 * sentence saying what is wrong, marked N_(): the caller translates it
 * with _() where it adds where (an option name, or FILE:LINE:column for an
 * import). */
#ifndef MW_VALIDATE_H
#define MW_VALIDATE_H

#include "config/config.h"

#define MW_NAME_MAX 200          /* characters of text in a name field */

const char *check_name(const char *v);              /* required text */
const char *check_optional_text(const char *v);     /* NULL or "" allowed */
const char *check_note(const char *v);              /* a reason: longer text */
const char *check_feed_url(const char *v);          /* http(s) URL */
const char *check_date(const char *v);              /* YYYY-MM-DD */
const char *check_email(const char *v);
const char *check_unit_code(const char *v);         /* printable, no spaces */
const char *check_platform(const struct config *cfg, const char *v);

#endif
