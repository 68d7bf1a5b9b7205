/* mime.h — RFC 5322 / MIME messages for the alert emails.
 *
 * mime_build() turns a struct mail_message into the complete message text
 * (CRLF line endings) that every transport delivers unchanged: headers with
 * RFC 2047 encoded-words for non-ASCII subjects and display names, and a
 * multipart/alternative body of base64 text/plain and text/html parts.
 *
 * Nothing a caller passes can add a header line: control characters in
 * subjects and display names become spaces before encoding, and addresses
 * are refused unless their addr-spec passes mail_address_valid(). */
#ifndef MW_MIME_H
#define MW_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/mailaddr.h"

/* RFC 2047 §2: a line holding an encoded-word is at most 76 characters. */
#define MIME_LINE_MAX 76

struct mail_message {
	const char         *from;        /* mailbox: "Name <addr>" or "addr" */
	const char *const  *to;          /* mailboxes, at least one */
	size_t              n_to;
	const char *const  *cc;          /* mailboxes, may be empty */
	size_t              n_cc;
	const char         *subject;     /* UTF-8, any text */
	const char         *text;        /* UTF-8 plain body, required */
	const char         *html;        /* UTF-8 HTML body, or NULL: text only */
	const char         *message_id;  /* "id@domain" with or without <>, or
	                                    NULL: random at the From domain */
	time_t              date;        /* 0: mw_now() */
};

/* Builds the message.  Bodies get CRLF line endings (a lone LF or CR
 * becomes CRLF) before base64, as RFC 2046 wants for text.  On success
 * *out is a NUL-terminated string the caller frees and *outlen its length.
 * On error returns -1 and *error is an English sentence the caller frees. */
int   mime_build(const struct mail_message *m, char **out, size_t *outlen,
          char **error);

/* The value of an unstructured header field (a Subject) for a line that
 * already holds column characters ("Subject: " is 9).  Printable ASCII
 * stays as it is; anything else becomes UTF-8 B encoded-words of at most
 * 75 characters, never splitting a character.  Lines are folded with CRLF
 * and a space so that none exceeds MIME_LINE_MAX.  Caller frees. */
char *mime_header_encode(const char *text, size_t column);

/* A new random Message-ID "<hex.hex@domain>"; caller frees. */
char *mime_message_id_new(const char *domain);

#endif
