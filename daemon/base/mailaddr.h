/* mailaddr.h — email addresses: the check for what a user types (a unit's
 * addresses, mail.admins, mail.from) and the split of a mailbox into its
 * display name and addr-spec.  Shared by the registry, the configuration
 * and the mail layer, so one address is judged the same everywhere. */
#ifndef MW_MAILADDR_H
#define MW_MAILADDR_H

#include <stdbool.h>

/* Why v is not an email address (one '@' with text on both sides, no
 * spaces, control characters or specials, at most 254 bytes), or NULL
 * when it is one. */
const char *mail_address_check(const char *v);

/* A strict addr-spec: ASCII, no spaces, control characters or specials
 * (mail_address_check()), one '@' with text on both sides, and not
 * starting with '-' (so it can never read as an option to sendmail). */
bool  mail_address_valid(const char *addr);

/* Splits a mailbox "Name <addr>", "\"Name\" <addr>" or "addr".  *name is
 * NULL when there is none.  Both are malloc'd for the caller.  Returns -1
 * with *error set (caller frees) when the addr-spec is not valid. */
int   mail_address_parse(const char *mailbox, char **name, char **addr,
          char **error);

#endif
