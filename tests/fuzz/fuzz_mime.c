/* fuzz_mime.c — mime_build() and mime_header_encode() with hostile
 * subjects, display names, addresses and bodies.
 *
 * The input is up to seven fields separated by NUL bytes: subject, From
 * mailbox, To mailbox, Cc mailbox, text body, HTML body, Message-ID.  A
 * missing field gets a harmless default (no Cc, no HTML part, a random
 * Message-ID).  Beyond "no crash" the target checks what mime.h promises:
 * nothing a caller passes can add a header line or put a raw byte in one. */
#include "fuzz.h"
#include "mail/mime.h"

enum { F_SUBJECT, F_FROM, F_TO, F_CC, F_TEXT, F_HTML, F_MSGID, N_FIELDS };

static const char *const header_names[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version",
	"Auto-Submitted", "Content-Type", "Content-Transfer-Encoding",
};
#define N_HEADERS (sizeof(header_names) / sizeof(header_names[0]))

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

/* Splits s (size bytes, NUL-terminated by fuzz_strdup) in place. */
static size_t
split_fields(char *s, size_t size, const char **f)
{
	size_t n = 0;
	char *p = s, *end = s + size;

	while (n < N_FIELDS) {
		f[n++] = p;
		p += strlen(p);
		if (p >= end)
			break;
		p++;
	}
	return n;
}

static bool
header_name_known(const char *line, size_t len, int *seen)
{
	size_t i, n;

	for (i = 0; i < N_HEADERS; i++) {
		n = strlen(header_names[i]);
		if (len > n && memcmp(line, header_names[i], n) == 0 &&
		    line[n] == ':')
			return seen[i]++ == 0;
	}
	return false;
}

/* The header block: printable ASCII lines ending in CRLF, each either a
 * continuation (leading space) or one of the fields mime.c writes, once. */
static void
check_headers(const char *msg, size_t len)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *eol;
	int seen[N_HEADERS] = { 0 };

	FUZZ_ASSERT(end != NULL, "a message has a header block");
	FUZZ_ASSERT(strlen(msg) == len, "the message holds no NUL");
	for (end += 2; p < end; p = eol + 2) {
		const char *c;

		eol = strstr(p, "\r\n");
		for (c = p; c < eol; c++)
			FUZZ_ASSERT(*c >= 0x20 && *c <= 0x7e,
			    "header lines are printable ASCII");
		FUZZ_ASSERT(*p == ' ' || header_name_known(p, (size_t)(eol - p),
		    seen), "no header line but the ones mime.c writes, once each");
	}
}

/* Folded (CRLF + space) printable ASCII; encoded-words keep lines short. */
static void
check_header_value(const char *v, size_t column)
{
	size_t col = column;
	bool encoded = strstr(v, "=?") != NULL;
	const char *p;

	for (p = v; *p; p++) {
		if (*p == '\r') {
			FUZZ_ASSERT(p[1] == '\n' && p[2] == ' ',
			    "a header value breaks lines only to fold them");
			col = 0;
			p++;
			continue;
		}
		FUZZ_ASSERT(*p >= 0x20 && *p <= 0x7e,
		    "a header value is printable ASCII");
		col++;
		FUZZ_ASSERT(!encoded || col <= MIME_LINE_MAX,
		    "lines with encoded-words stay within MIME_LINE_MAX");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *out = NULL, *error = NULL, *v;
	const char *f[N_FIELDS] = { NULL };
	size_t n = split_fields(s, size, f), outlen, column;
	const char *to, *cc;
	struct mail_message m = {
		.from = n > F_FROM ? f[F_FROM] : "中心 <center@example.gov.cn>",
		.to = &to, .n_to = 1, .cc = &cc, .n_cc = n > F_CC ? 1 : 0,
		.subject = f[F_SUBJECT],
		.text = n > F_TEXT ? f[F_TEXT] : "正文",
		.html = n > F_HTML ? f[F_HTML] : NULL,
		.message_id = n > F_MSGID ? f[F_MSGID] : NULL,
		.date = 1667615400,
	};

	to = n > F_TO ? f[F_TO] : "unit@example.gov.cn";
	cc = n > F_CC ? f[F_CC] : NULL;
	if (mime_build(&m, &out, &outlen, &error) == 0) {
		check_headers(out, outlen);
		free(out);
	} else {
		FUZZ_ASSERT(error != NULL, "a refusal says why");
		free(error);
	}
	column = strlen(m.from) % 41;
	v = mime_header_encode(f[F_SUBJECT], column);
	check_header_value(v, column);
	free(v);
	free(s);
	return 0;
}
