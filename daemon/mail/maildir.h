/* maildir.h — delivery into a Maildir, the default transport.
 *
 * A machine with no mail server still keeps every alert: each message is a
 * file in MAILDIR/new/, readable with mutt -f, or served by any IMAP server.
 * Delivery follows the Maildir protocol: write to tmp/ under a unique name,
 * fsync, link into new/, fsync the directory; a crash leaves at worst a
 * stray file in tmp/, never a half message in new/. */
#ifndef MW_MAILDIR_H
#define MW_MAILDIR_H

#include <stddef.h>

/* Delivers len bytes of msg (stored exactly as given) into the Maildir at
 * path, creating path, cur/, new/ and tmp/ (mode 0770 less the umask) when
 * missing; the parent of path must exist.  The message file is 0660 less
 * the umask.  Returns 0, or -1 with *error set (caller frees). */
int maildir_deliver(const char *path, const char *msg, size_t len,
        char **error);

/* A message of maildir_deliver_all(): data and len given; rc (0 or -1)
 * and error (caller frees) set. */
struct maildir_message {
	const char *data;
	size_t      len;
	int         rc;
	char       *error;
};

/* Delivers n messages as maildir_deliver() does each, writing them at
 * once on a few threads and syncing new/ once for all of them. */
void maildir_deliver_all(const char *path, struct maildir_message *m,
         size_t n);

#endif
