/* sendmail.h — delivery through a local sendmail program.
 *
 * The program runs without a shell, as
 *     PROGRAM -i -f FROM -- RCPT...
 * with the message on its standard input and its standard output sent to
 * our standard error (so nothing it prints mixes with mediawatchctl's
 * output).  It gets a clean signal mask and no descriptor but 0, 1 and 2. */
#ifndef MW_SENDMAIL_H
#define MW_SENDMAIL_H

#include <stddef.h>

/* A program that neither finishes nor reads its input within this many
 * seconds is killed and the delivery fails (to be retried). */
#define SENDMAIL_TIMEOUT 120

/* from and rcpts are envelope addresses (bare addr-specs; the outbox takes
 * them from mailboxes with mail_address_parse()).  Refused here, whatever
 * the caller checked: an empty address, one starting with '-' (it would
 * read as an option) or holding control characters; and a program path
 * that is not absolute.  Blocks until the program exits.  Returns 0 when it
 * exits with status 0, else -1 with *error (caller frees) naming the exit
 * status or signal. */
int sendmail_deliver(const char *program, const char *from,
        const char *const *rcpts, size_t n, const char *msg, size_t len,
        char **error);

#endif
