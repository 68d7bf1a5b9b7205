/* test_mail.c — the mail layer: MIME building, RFC 2047, addresses,
 * templates, and the maildir, sendmail and SMTP transports (the last
 * against a real aiosmtpd server on loopback). */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/template.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/maildir.h"
#include "mail/mime.h"
#include "mail/sendmail.h"
#include "mail/smtp.h"

#define PYTHON "/usr/bin/python3"

/* --- helpers ------------------------------------------------------------- */

static const char *
srcdir(void)
{
	const char *s = getenv("MEDIAWATCH_SRCDIR");

	return s && *s ? s : ".";
}

static char *
fixture(const char *name)
{
	return xasprintf("%s/tests/fixtures/%s", srcdir(), name);
}

#define assert_contains(hay, needle) do {				\
	if ((hay) == NULL || strstr((hay), (needle)) == NULL)		\
		fail_msg("\"%s\" does not contain \"%s\"",		\
		    (hay) ? (hay) : "(null)", (needle));		\
} while (0)

static char *
tmpdir_new(void)
{
	char *t = xstrdup("/tmp/mw-test-mail.XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
rm_rf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
slurp(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(&sb, buf, n);
	fclose(f);
	if (len)
		*len = sb.len;
	return sb_steal(&sb);
}

static void
spit(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

static int
b64_value(char c)
{
	const char *a =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(a, c);

	return c && p ? (int)(p - a) : -1;
}

/* Test-side base64 decoder: skips line breaks, fails on anything else. */
static char *
b64_decode(const char *s, size_t len, size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=')
			break;
		v = b64_value(s[i]);
		assert_true(v >= 0);
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_putc(&sb, (char)(acc >> bits & 0xff));
		}
	}
	if (outlen)
		*outlen = sb.len;
	return sb_steal(&sb);
}

/* The header section of msg, without the blank line. */
static char *
header_block(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return xstrndup(msg, (size_t)(end - msg) + 2);
}

/* The unfolded value of the first field called name, or NULL. */
static char *
header_get(const char *msg, const char *name)
{
	char *hdr = header_block(msg), *line, *v = NULL;
	size_t n = strlen(name);
	struct strbuf sb = STRBUF_INIT;

	for (line = hdr; *line; line = strstr(line, "\r\n") + 2) {
		if (strncasecmp(line, name, n) != 0 || line[n] != ':')
			continue;
		line += n + 1;
		do {
			sb_append(&sb, line, strcspn(line, "\r"));
			line = strstr(line, "\r\n") + 2;
		} while (*line == ' ' || *line == '\t');
		v = xstrdup(sb_str(&sb) + (sb.len && sb.buf[0] == ' '));
		break;
	}
	sb_free(&sb);
	free(hdr);
	return v;
}

/* Every header line of msg: fields not starting with space are names that
 * must all be in allowed; no line may be longer than max. */
static void
assert_header_fields(const char *msg, const char *const *allowed,
    size_t max)
{
	char *hdr = header_block(msg), *line, *next;
	size_t i, n;

	for (line = hdr; *line; line = next + 2) {
		next = strstr(line, "\r\n");
		assert_non_null(next);
		assert_true((size_t)(next - line) <= max);
		assert_null(memchr(line, '\n', (size_t)(next - line)));
		assert_null(memchr(line, '\r', (size_t)(next - line)));
		if (*line == ' ' || *line == '\t')
			continue;
		n = strcspn(line, ":");
		for (i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == n &&
			    strncasecmp(line, allowed[i], n) == 0)
				break;
		if (allowed[i] == NULL)
			fail_msg("unexpected header line: %.*s",
			    (int)(next - line), line);
	}
	free(hdr);
}

static const char *const std_fields[] = { "From", "To", "Cc", "Subject",
    "Date", "Message-ID", "MIME-Version", "Auto-Submitted", "Content-Type",
    "Content-Transfer-Encoding", NULL };

/* RFC 2047 decoding, as a reader does: whitespace between two adjacent
 * encoded-words is dropped, other text is kept. */
static char *
rfc2047_decode(const char *v)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = v, *ws, *e;
	bool prev_ew = false;
	char *d;

	while (*p) {
		ws = p;
		p += strspn(p, " \t");
		if (strncmp(p, "=?UTF-8?B?", 10) == 0) {
			e = strstr(p + 10, "?=");
			assert_non_null(e);
			if (!prev_ew)
				sb_append(&sb, ws, (size_t)(p - ws));
			d = b64_decode(p + 10, (size_t)(e - p - 10), NULL);
			sb_puts(&sb, d);
			free(d);
			p = e + 2;
			prev_ew = true;
		} else {
			sb_append(&sb, ws, (size_t)(p - ws));
			e = p + strcspn(p, " \t");
			sb_append(&sb, p, (size_t)(e - p));
			p = e;
			prev_ew = false;
		}
	}
	return sb_steal(&sb);
}

/* The decoded body of the part whose Content-Type starts with type. */
static char *
part_body(const char *msg, const char *type)
{
	const char *p = msg, *body, *end;
	char *ct = xasprintf("Content-Type: %s", type);

	while ((p = strstr(p, ct)) != NULL) {
		body = strstr(p, "\r\n\r\n");
		assert_non_null(body);
		body += 4;
		end = strstr(body, "\r\n--");
		if (end == NULL)
			end = body + strlen(body);
		free(ct);
		return b64_decode(body, (size_t)(end - body), NULL);
	}
	free(ct);
	return NULL;
}

static char *
build(const struct mail_message *m)
{
	char *out = NULL, *error = NULL;
	size_t len;

	if (mime_build(m, &out, &len, &error) == -1)
		fail_msg("mime_build: %s", error);
	assert_int_equal(len, strlen(out));
	return out;
}

static const char *const one_to[] = { "张三 <zhang@example.org>" };

static struct mail_message
sample_message(void)
{
	return (struct mail_message){
		.from = "政务新媒体监测 <mediawatch@example.gov.cn>",
		.to = one_to, .n_to = 1,
		.subject = "【政务新媒体预警】测试单位有2个账号超期未更新",
		.text = "第一行\n第二行：超期未更新\n",
		.html = "<p>第一行</p>\n<p>超期未更新</p>\n",
		.date = 1795600000,
	};
}

/* Runs argv with stdout to out_path (no shell); returns the exit status. */
static int
run(char *const argv[], const char *out_path)
{
	int status, fd;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1 || dup2(fd, 1) == -1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --- MIME ---------------------------------------------------------------- */

static void
mime_message_has_all_headers_crlf_and_both_parts(void **state)
{
	static const char *const required[] = { "From", "To", "Subject", "Date",
	    "Message-ID", "MIME-Version", "Auto-Submitted", "Content-Type" };
	struct mail_message m = sample_message();
	char *msg = build(&m), *v, *p;
	size_t i;

	(void)state;
	for (p = msg; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p > msg && p[-1] == '\r');
	assert_header_fields(msg, std_fields, 76);
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		v = header_get(msg, required[i]);
		assert_non_null(v);
		free(v);
	}
	v = header_get(msg, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = header_get(msg, "Content-Type");
	assert_contains(v, "multipart/alternative;");
	assert_contains(v, "boundary=\"");
	free(v);
	assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"));
	assert_non_null(strstr(msg, "Content-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"));
	assert_null(header_get(msg, "Cc"));
	free(msg);
}

static void
mime_parts_decode_back_to_the_bodies_with_crlf_line_ends(void **state)
{
	struct mail_message m = sample_message();
	char *msg, *text, *html, *long_text, *p;
	struct strbuf sb = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		sb_printf(&sb, "第%d行 政务新媒体 line %d\n", i, i);
	long_text = sb_steal(&sb);
	m.text = long_text;
	msg = build(&m);
	text = part_body(msg, "text/plain");
	html = part_body(msg, "text/html");
	for (p = long_text; *p; p++)
		if (*p == '\n')
			sb_puts(&sb, "\r\n");
		else
			sb_putc(&sb, *p);
	assert_string_equal(text, sb_str(&sb));
	assert_string_equal(html, "<p>第一行</p>\r\n<p>超期未更新</p>\r\n");
	/* base64 lines are at most 76 characters */
	for (p = msg; (p = strstr(p, "\r\n")) != NULL; p += 2)
		assert_true(strcspn(p + 2, "\r") <= 76);
	sb_free(&sb);
	free(long_text);
	free(text);
	free(html);
	free(msg);
}

/* Every line end of a body, CRLF, LF or a lone CR, is sent as CRLF. */
static void
mime_body_line_ends_of_every_kind_become_crlf(void **state)
{
	struct mail_message m = sample_message();
	char *msg, *text;

	(void)state;
	m.text = "一\r\n二\r三\n\n四\r\n";
	msg = build(&m);
	text = part_body(msg, "text/plain");
	assert_string_equal(text, "一\r\n二\r\n三\r\n\r\n四\r\n");
	free(text);
	free(msg);
}

static void
mime_text_only_message_is_single_part(void **state)
{
	struct mail_message m = sample_message();
	char *msg, *v, *text;

	(void)state;
	m.html = NULL;
	msg = build(&m);
	v = header_get(msg, "Content-Type");
	assert_string_equal(v, "text/plain; charset=UTF-8");
	free(v);
	v = header_get(msg, "Content-Transfer-Encoding");
	assert_string_equal(v, "base64");
	text = b64_decode(strstr(msg, "\r\n\r\n") + 4,
	    strlen(strstr(msg, "\r\n\r\n") + 4), NULL);
	assert_string_equal(text, "第一行\r\n第二行：超期未更新\r\n");
	assert_null(strstr(msg, "multipart"));
	free(text);
	free(v);
	free(msg);
}

static void
mime_chinese_subject_round_trips_through_rfc2047(void **state)
{
	struct mail_message m = sample_message();
	char *msg = build(&m), *v, *d;

	(void)state;
	v = header_get(msg, "Subject");
	assert_true(str_has_prefix(v, "=?UTF-8?B?"));
	d = rfc2047_decode(v);
	assert_string_equal(d, m.subject);
	free(d);
	free(v);
	free(msg);
}

static void
mime_ascii_subject_stays_plain_and_folds_at_spaces(void **state)
{
	struct mail_message m = sample_message();
	struct strbuf sb = STRBUF_INIT;
	char *msg, *v;
	int i;

	(void)state;
	for (i = 0; i < 30; i++)
		sb_printf(&sb, "%sword%d", i ? " " : "", i);
	m.subject = sb_str(&sb);
	msg = build(&m);
	assert_header_fields(msg, std_fields, 76);
	v = header_get(msg, "Subject");
	assert_string_equal(v, m.subject);
	free(v);
	free(msg);
	sb_free(&sb);
}

/* Each encoded-word ≤ 75 characters, each line ≤ 76, and each word's
 * bytes are whole UTF-8 characters on their own. */
static void
assert_encoded_words_well_formed(const char *msg)
{
	char *hdr = header_block(msg), *p = hdr, *e, *d;
	size_t n;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		e = strstr(p, "?=");
		assert_non_null(e);
		assert_true((size_t)(e + 2 - p) <= 75);
		d = b64_decode(p + 10, (size_t)(e - p - 10), &n);
		assert_true(n > 0);
		assert_true(utf8_valid(d, n));
		free(d);
		p = e + 2;
	}
	free(hdr);
}

static void
mime_long_subject_splits_into_short_words_of_whole_characters(void **state)
{
	struct mail_message m = sample_message();
	struct strbuf sb = STRBUF_INIT;
	char *msg, *v, *d;
	int i;

	(void)state;
	/* 1-, 2-, 3- and 4-byte characters, so splits fall everywhere */
	for (i = 0; i < 40; i++)
		sb_puts(&sb, i % 3 ? "政务新媒体" : "a£😀超期");
	m.subject = sb_str(&sb);
	msg = build(&m);
	assert_header_fields(msg, std_fields, 76);
	assert_encoded_words_well_formed(msg);
	v = header_get(msg, "Subject");
	d = rfc2047_decode(v);
	assert_string_equal(d, m.subject);
	free(d);
	free(v);
	free(msg);
	sb_free(&sb);
}

static void
mime_header_encode_respects_the_starting_column(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *v;
	const char *p;

	(void)state;
	v = mime_header_encode("超期未更新超期未更新超期未更新超期未更新超期未更新", 60);
	/* the first line holds 60 characters already: at most 16 more */
	assert_true(strcspn(v, "\r") <= 16);
	for (p = v; (p = strstr(p, "\r\n")) != NULL; p += 2) {
		assert_true(p[2] == ' ');
		assert_true(strcspn(p + 2, "\r") <= 76);
	}
	free(v);
	v = mime_header_encode("plain words", 9);
	assert_string_equal(v, "plain words");
	free(v);
	v = mime_header_encode("looks =?like?= a word", 9);
	assert_true(str_has_prefix(v, "=?UTF-8?B?"));
	free(v);
	/* a word too long to fold around is encoded, and so split */
	sb_puts(&sb, "https://example.org/");
	while (sb.len < 120)
		sb_putc(&sb, 'a');
	v = mime_header_encode(sb_str(&sb), 9);
	sb_free(&sb);
	assert_true(str_has_prefix(v, "=?UTF-8?B?"));
	for (p = v; *p; p += strcspn(p, "\r"), p += *p ? 2 : 0)
		assert_true(strcspn(p, "\r") <= 76);
	free(v);
}

static void
mime_crlf_in_subject_adds_no_header_line(void **state)
{
	static const char *const subjects[] = {
		"Hello\r\nBcc: victim@example.org",
		"预警\nBcc: victim@example.org",
		"x\rBcc: victim@example.org\r\n\r\nbody",
		"tab\tand\x7f del\x1b",
	};
	struct mail_message m = sample_message();
	char *msg, *v, *d;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(subjects); i++) {
		m.subject = subjects[i];
		msg = build(&m);
		assert_header_fields(msg, std_fields, 76);
		assert_null(header_get(msg, "Bcc"));
		v = header_get(msg, "Subject");
		d = rfc2047_decode(v);
		assert_false(has_control_chars(d));
		assert_non_null(strstr(d, i < 3 ? "Bcc: victim" : "tab"));
		free(d);
		free(v);
		free(msg);
	}
}

static void
mime_crlf_in_display_name_adds_no_header_line(void **state)
{
	static const char *const to[] = {
		"Evil\r\nBcc: victim@example.org <a@example.org>",
		"\"名字\nX-Injected: 1\" <b@example.org>",
	};
	struct mail_message m = sample_message();
	char *msg, *v, *d;

	(void)state;
	m.to = to;
	m.n_to = 2;
	m.from = "监测\r\nBcc: x@example.org <mw@example.org>";
	msg = build(&m);
	assert_header_fields(msg, std_fields, 76);
	assert_null(header_get(msg, "Bcc"));
	assert_null(header_get(msg, "X-Injected"));
	v = header_get(msg, "To");
	d = rfc2047_decode(v);
	assert_string_equal(d, "Evil  Bcc: victim@example.org <a@example.org>, "
	    "名字 X-Injected: 1 <b@example.org>");
	free(d);
	free(v);
	free(msg);
}

static void
mime_chinese_display_names_are_encoded_and_addresses_plain(void **state)
{
	static const char *const to[] = {
		"张三 <zhang@example.org>", "li@example.org",
		"Wang Wu <wang@example.org>", "\"O'Brien, Pat\" <pat@example.org>",
	};
	static const char *const cc[] = { "管理员 <admin@example.gov.cn>" };
	struct mail_message m = sample_message();
	char *msg, *v, *d;

	(void)state;
	m.to = to;
	m.n_to = ARRAY_SIZE(to);
	m.cc = cc;
	m.n_cc = 1;
	msg = build(&m);
	assert_header_fields(msg, std_fields, 76);
	assert_encoded_words_well_formed(msg);
	v = header_get(msg, "To");
	assert_contains(v, "<zhang@example.org>,");
	assert_contains(v, " li@example.org,");
	assert_contains(v, "Wang Wu <wang@example.org>,");
	d = rfc2047_decode(v);
	assert_string_equal(d, "张三 <zhang@example.org>, li@example.org, "
	    "Wang Wu <wang@example.org>, O'Brien, Pat <pat@example.org>");
	free(d);
	free(v);
	v = header_get(msg, "Cc");
	d = rfc2047_decode(v);
	assert_string_equal(d, "管理员 <admin@example.gov.cn>");
	free(d);
	free(v);
	v = header_get(msg, "From");
	d = rfc2047_decode(v);
	assert_string_equal(d, "政务新媒体监测 <mediawatch@example.gov.cn>");
	free(d);
	free(v);
	free(msg);
}

static void
mime_invalid_addresses_are_refused(void **state)
{
	static const char *const bad[] = {
		"a@example.org\r\nBcc: x@example.org", "a b@example.org",
		"a,b@example.org", "<a@example.org>>", "a@b@example.org",
		"@example.org", "a@", "", "   ", "-oQ/tmp@example.org",
		"名字@example.org", "Name <a@example.org\nb>", "Name <>",
		"Name <a@example.org", "a@exa\tmple.org", "a<b@example.org",
		"\"a\"@example.org", "a@[127.0.0.1]", "a;b@example.org",
	};
	struct mail_message m = sample_message();
	char *out = NULL, *error = NULL, *name, *addr;
	const char *to[1];
	size_t i, len;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		to[0] = bad[i];
		m.to = to;
		assert_int_equal(mime_build(&m, &out, &len, &error), -1);
		assert_non_null(error);
		assert_contains(error, "not a valid email address");
		free(error);
		error = NULL;
		assert_int_equal(mail_address_parse(bad[i], &name, &addr,
		    &error), -1);
		free(error);
		error = NULL;
	}
	m = sample_message();
	m.from = "bad from";
	assert_int_equal(mime_build(&m, &out, &len, &error), -1);
	free(error);
	assert_true(mail_address_valid("first.last+tag@sub.example.gov.cn"));
	assert_false(mail_address_valid("-x@example.org"));
	assert_false(mail_address_valid(NULL));
}

static void
mime_address_parse_accepts_the_mailbox_forms(void **state)
{
	static const struct { const char *in, *name, *addr; } t[] = {
		{ "a@example.org", NULL, "a@example.org" },
		{ "  a@example.org  ", NULL, "a@example.org" },
		{ "<a@example.org>", NULL, "a@example.org" },
		{ "张三 <a@example.org>", "张三", "a@example.org" },
		{ "\"Zhang, San\" <a@example.org>", "Zhang, San", "a@example.org" },
		{ "\"say \\\"hi\\\"\" <a@example.org>", "say \"hi\"", "a@example.org" },
	};
	char *name, *addr, *error = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(mail_address_parse(t[i].in, &name, &addr,
		    &error), 0);
		if (t[i].name)
			assert_string_equal(name, t[i].name);
		else
			assert_null(name);
		assert_string_equal(addr, t[i].addr);
		free(name);
		free(addr);
	}
}

static void
mime_message_id_is_given_or_random_at_the_sender_domain(void **state)
{
	struct mail_message m = sample_message();
	char *msg, *v, *v2, *error = NULL, *out;
	size_t len;

	(void)state;
	m.message_id = "outbox-42.abc@example.gov.cn";
	msg = build(&m);
	v = header_get(msg, "Message-ID");
	assert_string_equal(v, "<outbox-42.abc@example.gov.cn>");
	free(v);
	free(msg);
	m.message_id = "<outbox-43@example.gov.cn>";
	msg = build(&m);
	v = header_get(msg, "Message-ID");
	assert_string_equal(v, "<outbox-43@example.gov.cn>");
	free(v);
	free(msg);
	m.message_id = "x>\r\nBcc: a@example.org";
	assert_int_equal(mime_build(&m, &out, &len, &error), -1);
	free(error);
	m.message_id = NULL;
	msg = build(&m);
	v = header_get(msg, "Message-ID");
	free(msg);
	msg = build(&m);
	v2 = header_get(msg, "Message-ID");
	assert_true(str_has_prefix(v, "<"));
	assert_contains(v, "@example.gov.cn>");
	assert_string_not_equal(v, v2);
	free(v);
	free(v2);
	free(msg);
}

static void
mime_date_is_rfc5322_with_numeric_zone(void **state)
{
	struct mail_message m = sample_message();
	char *msg, *v;

	(void)state;
	assert_int_equal(tz_set("Asia/Shanghai"), 0);
	m.date = 1795600000;    /* 2026-11-25 09:46:40 UTC */
	msg = build(&m);
	v = header_get(msg, "Date");
	assert_string_equal(v, "Wed, 25 Nov 2026 17:46:40 +0800");
	free(v);
	free(msg);
	assert_int_equal(tz_set("America/St_Johns"), 0);
	m.date = 1;
	msg = build(&m);
	v = header_get(msg, "Date");
	assert_string_equal(v, "Wed, 31 Dec 1969 20:30:01 -0330");
	free(v);
	free(msg);
	assert_int_equal(tz_set("Asia/Shanghai"), 0);
}

static void
mime_refuses_invalid_utf8_bodies_and_missing_parts(void **state)
{
	struct mail_message m = sample_message();
	char *out = NULL, *error = NULL;
	size_t len;

	(void)state;
	m.text = "bad \xff byte";
	assert_int_equal(mime_build(&m, &out, &len, &error), -1);
	assert_contains(error, "UTF-8");
	free(error);
	m = sample_message();
	m.n_to = 0;
	assert_int_equal(mime_build(&m, &out, &len, &error), -1);
	free(error);
}

static void
mime_message_parses_with_python_email_package(void **state)
{
	static const char *const to[] = { "张三 <zhang@example.org>",
	    "li@example.org" };
	struct mail_message m = sample_message();
	char *dir = tmpdir_new(), *msgpath, *outpath, *script, *msg, *out;
	char *argv[4];

	(void)state;
	m.to = to;
	m.n_to = 2;
	m.subject = "【政务新媒体预警】超期未更新\r\nBcc: x@example.org";
	msg = build(&m);
	msgpath = xasprintf("%s/msg.eml", dir);
	outpath = xasprintf("%s/out", dir);
	spit(msgpath, msg);
	script = fixture("parse-mail.py");
	argv[0] = (char *)PYTHON;
	argv[1] = script;
	argv[2] = msgpath;
	argv[3] = NULL;
	assert_int_equal(run(argv, outpath), 0);
	out = slurp(outpath, NULL);
	assert_string_equal(out,
	    "subject=【政务新媒体预警】超期未更新  Bcc: x@example.org\n"
	    "from-name=政务新媒体监测\n"
	    "from-addr=mediawatch@example.gov.cn\n"
	    "to=zhang@example.org\n"
	    "to=li@example.org\n"
	    "type=multipart/alternative\n"
	    "part=text/plain\n"
	    "body=第一行\\n第二行：超期未更新\\n\n"
	    "part=text/html\n"
	    "body=<p>第一行</p>\\n<p>超期未更新</p>\\n\n"
	    "defects=0\n");
	free(out);
	free(script);
	free(msg);
	free(msgpath);
	free(outpath);
	rm_rf(dir);
	free(dir);
}

/* --- templates ----------------------------------------------------------- */

static char *
render(const char *tmpl, const struct tmpl_vars *v, enum tmpl_escape esc)
{
	char *out = NULL, *error = NULL;

	if (template_render(tmpl, v, esc, &out, &error) == -1)
		fail_msg("template_render: %s", error);
	return out;
}

static void
template_substitutes_names(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char *out;

	(void)state;
	tmpl_set(v, "unit_name", "某某县教育局");
	tmpl_setf(v, "days", "%d", 15);
	tmpl_set(v, "empty", NULL);
	out = render("{{unit_name}}：已 {{ days }} 天未更新[{{empty}}]", v,
	    TMPL_TEXT);
	assert_string_equal(out, "某某县教育局：已 15 天未更新[]");
	free(out);
	tmpl_set(v, "days", "16");      /* replaces */
	out = render("{{days}}{{! a comment }}", v, TMPL_TEXT);
	assert_string_equal(out, "16");
	free(out);
	tmpl_vars_free(v);
}

static void
template_sections_repeat_rows_and_see_outer_names(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new(), *row;
	char *out;
	int i;

	(void)state;
	tmpl_set(v, "unit", "U");
	for (i = 1; i <= 3; i++) {
		row = tmpl_add_row(v, "accounts");
		tmpl_setf(row, "name", "账号%d", i);
		tmpl_setf(row, "days", "%d", i * 7);
	}
	tmpl_set_list(v, "none");
	out = render("{{#accounts}}[{{unit}}:{{name}}={{days}}]{{/accounts}}"
	    "{{#none}}never{{/none}}{{^none}}(none){{/none}}"
	    "{{^accounts}}never{{/accounts}}", v, TMPL_TEXT);
	assert_string_equal(out, "[U:账号1=7][U:账号2=14][U:账号3=21](none)");
	free(out);
	tmpl_vars_free(v);
}

/* Values are the caller's text as it was when set, numbers exact to the
 * extremes, and rows and names past the first sixteen kept: the names of
 * a set and its rows share one pool. */
static void
template_values_are_copies_and_numbers_exact(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new(), *row;
	char buf[16], key[16], *out;
	int i, k;

	(void)state;
	strcpy(buf, "甲");
	tmpl_set(v, "a", buf);
	strcpy(buf, "乙");
	tmpl_set_int(v, "min", LLONG_MIN);
	tmpl_set_int(v, "max", LLONG_MAX);
	tmpl_set_int(v, "zero", 0);
	tmpl_set_int(v, "neg", -42);
	tmpl_set(v, "rows", "a value before the list");
	for (i = 0; i < 20; i++) {
		row = tmpl_add_row(v, "rows");
		for (k = 0; k < 20; k++) {
			snprintf(key, sizeof(key), "k%d", k);
			tmpl_set_int(row, key, i * 100 + k);
		}
	}
	out = render("{{a}} {{min}} {{max}} {{zero}} {{neg}}|{{#rows}}"
	    "{{k0}}.{{k19}},{{/rows}}", v, TMPL_TEXT);
	assert_string_equal(out, "甲 -9223372036854775808 9223372036854775807 0"
	    " -42|0.19,100.119,200.219,300.319,400.419,500.519,600.619,700.719,"
	    "800.819,900.919,1000.1019,1100.1119,1200.1219,1300.1319,1400.1419,"
	    "1500.1519,1600.1619,1700.1719,1800.1819,1900.1919,");
	free(out);
	tmpl_set(v, "rows", "a value again");
	out = render("{{rows}}", v, TMPL_TEXT);
	assert_string_equal(out, "a value again");
	free(out);
	tmpl_vars_free(v);
}

static void
template_value_sections_show_when_not_empty_or_zero(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char *out;

	(void)state;
	tmpl_set(v, "zero", "0");
	tmpl_set(v, "empty", "");
	tmpl_set(v, "two", "2");
	out = render("{{#zero}}a{{/zero}}{{#empty}}b{{/empty}}"
	    "{{#two}}c{{two}}{{/two}}{{^zero}}d{{/zero}}{{^two}}e{{/two}}",
	    v, TMPL_TEXT);
	assert_string_equal(out, "c2d");
	free(out);
	tmpl_vars_free(v);
}

static void
template_escapes_html_only_in_html_mode(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char *out;

	(void)state;
	tmpl_set(v, "name", "<script>alert('x')</script> & \"q\"");
	out = render("<td>{{name}}</td>", v, TMPL_HTML);
	assert_string_equal(out, "<td>&lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt; &amp; &quot;q&quot;</td>");
	free(out);
	out = render("{{name}}", v, TMPL_TEXT);
	assert_string_equal(out, "<script>alert('x')</script> & \"q\"");
	free(out);
	tmpl_vars_free(v);
}

static void
template_standalone_section_lines_leave_no_blank_lines(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new(), *row;
	char *out;

	(void)state;
	row = tmpl_add_row(v, "rows");
	tmpl_set(row, "x", "1");
	row = tmpl_add_row(v, "rows");
	tmpl_set(row, "x", "2");
	out = render("head\n  {{#rows}}  \n- {{x}}\n{{/rows}}\n{{! note }}\n"
	    "tail {{#rows}}{{x}}{{/rows}}\n", v, TMPL_TEXT);
	assert_string_equal(out, "head\n- 1\n- 2\ntail 12\n");
	free(out);
	tmpl_vars_free(v);
}

static void
template_errors_name_the_line(void **state)
{
	static const struct { const char *tmpl, *error; } t[] = {
		{ "a\nb {{nosuch}}", "template:2: unknown name {{nosuch}}" },
		{ "{{#rows}}\nx", "template:1: {{#rows}} is never closed" },
		{ "\n\n{{/rows}}", "template:3: {{/rows}} closes nothing" },
		{ "{{#rows}}{{/other}}", "template:1: {{/other}} does not close "
		    "the open section" },
		{ "x {{ bad name }}", "template:1: bad tag {{bad name}}" },
		{ "{{rows}}", "template:1: {{rows}} is a list: use "
		    "{{#name}}…{{/name}}" },
		{ "\n{{open", "template:2: {{ without }}" },
	};
	struct tmpl_vars *v = tmpl_vars_new();
	char *out = NULL, *error = NULL;
	size_t i;

	(void)state;
	tmpl_set_list(v, "rows");
	tmpl_set_list(v, "other");
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(template_render(t[i].tmpl, v, TMPL_TEXT, &out,
		    &error), -1);
		assert_string_equal(error, t[i].error);
		free(error);
		error = NULL;
	}
	tmpl_vars_free(v);
}

static void
account_row(struct tmpl_vars *v, const char *list, const char *name)
{
	struct tmpl_vars *r = tmpl_add_row(v, list);

	tmpl_set(r, "unit_name", "某某县<教育局>");
	tmpl_set(r, "platform", "微信公众号");
	tmpl_set(r, "name", name);
	tmpl_set(r, "uid", "gh_123");
	tmpl_set(r, "last_update", "2026-11-01");
	tmpl_set(r, "days", "16");
	tmpl_set(r, "days_left", "3");
	tmpl_set(r, "veto_date", "2026-11-28");
	tmpl_set(r, "problem_due", "2026-12-09");
	tmpl_set(r, "state_label", "超期未更新");
	tmpl_set(r, "feed_url", "https://rss.example.org/wechat/gh_123");
	tmpl_set(r, "failures", "5");
	tmpl_set(r, "last_success", "从未成功");
	tmpl_set(r, "last_error", "HTTP 404");
	tmpl_set(r, "problem_closed", "1");
	tmpl_set(r, "known", "1");
	tmpl_set(r, "reason", "信息源地址不存在（HTTP 404）");
	tmpl_set(r, "unverified", "1");
	tmpl_set(r, "last_seen", "从未核实");
	tmpl_set(r, "failing", "1");
}

static struct tmpl_vars *
all_vars(void)
{
	static const char *const names[] = { "now", "issuer", "unit_name",
	    "unit_code", "contact_name", "reminder", "n_accounts", "n_warning",
	    "n_stale", "n_dormant", "date", "n_fresh", "n_unverified",
	    "n_failing", "n_problems_open", "n_problems_overdue",
	    "outbox_queued", "outbox_failed", "n_stale_list", "verify_window",
	    "no_address", "calendar_warning", "n_problem_accounts",
	    "n_gaps_list", "n_failing_list", "n_bounces", "n_orders_open",
	    "n_orders_replied", "n_orders_returned", "n_orders_overdue",
	    "n_overdue_notices", "n_stale_more", "n_gaps_more",
	    "n_failing_more", "n_overdue_notices_more" };
	static const char *const lists[] = { "warning", "stale", "dormant",
	    "recovered", "failing", "gaps", "accounts" };
	struct tmpl_vars *v = tmpl_vars_new(), *b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		tmpl_set(v, names[i], "1");
	tmpl_set_list(v, "bounces");
	tmpl_set_list(v, "overdue_notices");
	tmpl_set(v, "unit_name", "某某县<教育局>");
	tmpl_set(v, "now", "2026-11-25 17:30");
	tmpl_set(v, "issuer", "电子政务中心");
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		account_row(v, lists[i], "教育 & <发布>");
	b = tmpl_add_row(v, "bounces");
	tmpl_set(b, "unit_name", "某某县<教育局>");
	tmpl_set(b, "unit_code", "JYJ");
	tmpl_set(b, "address", "jyj@example.gov.cn");
	tmpl_set(b, "reply", "550 5.1.1 <jyj@example.gov.cn>: User unknown");
	tmpl_set(b, "refused_at", "2026-11-25 08:30");
	return v;
}

static void
template_files_render_every_message(void **state)
{
	static const char *const names[] = { "unit-alert", "unit-recovery",
	    "admin-digest", "admin-gap" };
	struct tmpl_vars *v = all_vars();
	struct mail_text mt;
	char *dir = xasprintf("%s/conf/templates", srcdir()), *error = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (template_render_mail(dir, names[i], v, &mt, &error) == -1)
			fail_msg("%s: %s", names[i], error);
		assert_true(str_has_prefix(mt.subject, "【"));
		assert_null(strchr(mt.subject, '\n'));
		assert_false(str_has_prefix(mt.text, "\n"));
		assert_null(strstr(mt.text, "{{"));
		assert_null(strstr(mt.text, "\n\n\n"));
		assert_non_null(mt.html);
		assert_null(strstr(mt.html, "{{"));
		assert_contains(mt.text, "教育 & <发布>");
		assert_contains(mt.html, "教育 &amp; &lt;发布&gt;");
		assert_null(strstr(mt.html, "<发布>"));
		mail_text_free(&mt);
	}
	/* the words the supervision work uses */
	assert_int_equal(template_render_mail(dir, "unit-alert", v, &mt,
	    &error), 0);
	assert_contains(mt.subject, "某某县<教育局>");
	assert_contains(mt.text, "超期未更新");
	assert_contains(mt.text, "长期未更新");
	assert_contains(mt.text, "责任单位");
	assert_contains(mt.text, "整改");
	assert_contains(mt.text, "关停或整合");
	mail_text_free(&mt);
	/* the digest names the bouncing unit addresses with the answer */
	assert_int_equal(template_render_mail(dir, "admin-digest", v, &mt,
	    &error), 0);
	assert_contains(mt.text, "【退信的单位邮箱】");
	assert_contains(mt.text, "jyj@example.gov.cn，2026-11-25 08:30 退信："
	    "550 5.1.1 <jyj@example.gov.cn>: User unknown");
	assert_contains(mt.html, "550 5.1.1 &lt;jyj@example.gov.cn&gt;");
	mail_text_free(&mt);
	free(dir);
	tmpl_vars_free(v);
}

static void
template_file_errors_name_file_and_line(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char *dir = tmpdir_new(), *p, *error = NULL, *want;
	struct mail_text mt;

	(void)state;
	tmpl_set(v, "a", "A");
	p = xasprintf("%s/m.txt", dir);
	spit(p, "Subject: S {{a}}\n\nline 3\n{{b}}\n");
	assert_int_equal(template_render_mail(dir, "m", v, &mt, &error), -1);
	want = xasprintf("%s:4: unknown name {{b}}", p);
	assert_string_equal(error, want);
	free(want);
	free(error);
	spit(p, "no subject\n");
	assert_int_equal(template_render_mail(dir, "m", v, &mt, &error), -1);
	assert_contains(error, ":1: the first line must be");
	free(error);
	/* no .html: a text-only message */
	spit(p, "Subject: S {{a}}\nbody {{a}}\n");
	assert_int_equal(template_render_mail(dir, "m", v, &mt, &error), 0);
	assert_string_equal(mt.subject, "S A");
	assert_string_equal(mt.text, "body A\n");
	assert_null(mt.html);
	mail_text_free(&mt);
	free(p);
	rm_rf(dir);
	free(dir);
	tmpl_vars_free(v);
}

/* --- maildir ------------------------------------------------------------- */

/* The one file in dir, or NULL when there is none; fails on more. */
static char *
only_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		assert_null(found);
		found = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	return found;
}

static void
maildir_delivers_identical_file_into_new_with_at_most_0660(void **state)
{
	char *dir = tmpdir_new(), *md = xasprintf("%s/Maildir", dir);
	char *newdir = xasprintf("%s/new", md), *tmpd = xasprintf("%s/tmp", md);
	char *curd = xasprintf("%s/cur", md), *error = NULL, *f, *content;
	const char msg[] = "From: a@example.org\r\nSubject: x\r\n\r\nbody\0with nul\r\n";
	struct stat st;
	mode_t old;
	size_t len;

	(void)state;
	old = umask(0);
	if (maildir_deliver(md, msg, sizeof(msg) - 1, &error) == -1)
		fail_msg("%s", error);
	umask(old);
	f = only_file(newdir);
	assert_non_null(f);
	assert_null(only_file(tmpd));
	assert_null(only_file(curd));
	content = slurp(f, &len);
	assert_int_equal(len, sizeof(msg) - 1);
	assert_memory_equal(content, msg, len);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(stat(newdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0770);
	free(content);
	free(f);
	/* the umask narrows both */
	rm_rf(md);
	old = umask(027);
	assert_int_equal(maildir_deliver(md, msg, 5, &error), 0);
	umask(old);
	f = only_file(newdir);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stat(md, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	free(f);
	rm_rf(dir);
	free(dir);
	free(md);
	free(newdir);
	free(tmpd);
	free(curd);
}

static void
maildir_deliveries_get_distinct_names(void **state)
{
	char *dir = tmpdir_new(), *error = NULL, *p;
	DIR *d;
	struct dirent *e;
	int i, n = 0;

	(void)state;
	for (i = 0; i < 20; i++)
		assert_int_equal(maildir_deliver(dir, "x", 1, &error), 0);
	p = xasprintf("%s/new", dir);
	d = opendir(p);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			assert_null(strchr(e->d_name, ':'));
			n++;
		}
	closedir(d);
	assert_int_equal(n, 20);
	free(p);
	rm_rf(dir);
	free(dir);
}

/* A batch lands whole: each message once, byte for byte, in new/, tmp/
 * left empty; the writers share the messages between them. */
static void
maildir_batch_delivers_each_message_once(void **state)
{
	struct maildir_message m[37];
	char *dir = tmpdir_new(), *body[37], *p, *f, *got;
	DIR *d;
	struct dirent *e;
	int i, n = 0, seen[37] = { 0 };

	(void)state;
	for (i = 0; i < 37; i++) {
		body[i] = xasprintf("Subject: %d\r\n\r\nmessage %d\r\n", i, i);
		m[i] = (struct maildir_message){ .data = body[i],
		    .len = strlen(body[i]) };
	}
	maildir_deliver_all(dir, m, 37);
	for (i = 0; i < 37; i++) {
		assert_int_equal(m[i].rc, 0);
		assert_null(m[i].error);
	}
	p = xasprintf("%s/new", dir);
	d = opendir(p);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		f = xasprintf("%s/%s", p, e->d_name);
		got = slurp(f, NULL);
		free(f);
		assert_int_equal(sscanf(got, "Subject: %d", &i), 1);
		assert_in_range(i, 0, 36);
		assert_string_equal(got, body[i]);
		seen[i]++;
		n++;
		free(got);
	}
	closedir(d);
	assert_int_equal(n, 37);
	for (i = 0; i < 37; i++)
		assert_int_equal(seen[i], 1);
	free(p);
	p = xasprintf("%s/tmp", dir);
	assert_null(only_file(p));
	free(p);
	for (i = 0; i < 37; i++)
		free(body[i]);
	rm_rf(dir);
	free(dir);
}

/* An unusable Maildir fails every message of the batch, each with the
 * reason. */
static void
maildir_batch_fails_every_message_on_an_unusable_path(void **state)
{
	struct maildir_message m[3];
	char *dir = tmpdir_new(), *file = xasprintf("%s/file", dir);
	int i;

	(void)state;
	spit(file, "x");
	for (i = 0; i < 3; i++)
		m[i] = (struct maildir_message){ .data = "x", .len = 1 };
	maildir_deliver_all(file, m, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(m[i].rc, -1);
		assert_contains(m[i].error, "is not a directory");
		free(m[i].error);
	}
	rm_rf(dir);
	free(dir);
	free(file);
}

static void
maildir_reports_an_unusable_path(void **state)
{
	char *dir = tmpdir_new(), *file = xasprintf("%s/file", dir);
	char *error = NULL, *deep = xasprintf("%s/no/such/Maildir", dir);

	(void)state;
	spit(file, "x");
	assert_int_equal(maildir_deliver(file, "x", 1, &error), -1);
	assert_contains(error, "is not a directory");
	free(error);
	assert_int_equal(maildir_deliver(deep, "x", 1, &error), -1);
	assert_contains(error, "cannot create");
	free(error);
	rm_rf(dir);
	free(dir);
	free(file);
	free(deep);
}

/* --- sendmail ------------------------------------------------------------ */

static void
sendmail_passes_arguments_literally_and_message_on_stdin(void **state)
{
	static const char *const rcpts[] = { "$(touch x)@example.org",
	    "`touch y`;z@example.org", "plain@example.org" };
	char *dir = tmpdir_new(), *prog = fixture("fake-sendmail.sh");
	char *error = NULL, *p, *argv, *in, *fds, *want, cwd[4096];
	const char msg[] = "Subject: t\r\n\r\n.\r\nline after a dot\r\n";
	size_t len;
	int fd;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	setenv("FAKE_SENDMAIL_DIR", dir, 1);
	unsetenv("FAKE_SENDMAIL_EXIT");
	/* a descriptor the child must not inherit */
	fd = open("/dev/null", O_RDONLY);
	assert_int_equal(dup2(fd, 57), 57);
	if (sendmail_deliver(prog, "mw@example.org", rcpts, 3, msg,
	    sizeof(msg) - 1, &error) == -1)
		fail_msg("%s", error);
	close(57);
	close(fd);
	assert_int_equal(chdir(cwd), 0);
	p = xasprintf("%s/argv", dir);
	argv = slurp(p, NULL);
	free(p);
	want = xasprintf("%s\n-i\n-f\nmw@example.org\n--\n"
	    "$(touch x)@example.org\n`touch y`;z@example.org\n"
	    "plain@example.org\n", prog);
	assert_string_equal(argv, want);
	p = xasprintf("%s/stdin", dir);
	in = slurp(p, &len);
	free(p);
	assert_int_equal(len, sizeof(msg) - 1);
	assert_memory_equal(in, msg, len);
	p = xasprintf("%s/x", dir);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	p = xasprintf("%s/y", dir);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	p = xasprintf("%s/fds", dir);
	fds = slurp(p, NULL);
	free(p);
	assert_null(strstr(fds, "\n57\n"));
	free(fds);
	free(want);
	free(argv);
	free(in);
	free(prog);
	rm_rf(dir);
	free(dir);
}

static void
sendmail_nonzero_exit_is_an_error_with_the_status(void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	char *dir = tmpdir_new(), *prog = fixture("fake-sendmail.sh");
	char *error = NULL;

	(void)state;
	setenv("FAKE_SENDMAIL_DIR", dir, 1);
	setenv("FAKE_SENDMAIL_EXIT", "75", 1);
	assert_int_equal(sendmail_deliver(prog, "mw@example.org", rcpts, 1,
	    "x\r\n", 3, &error), -1);
	assert_contains(error, "exited with status 75");
	free(error);
	unsetenv("FAKE_SENDMAIL_EXIT");
	free(prog);
	rm_rf(dir);
	free(dir);
}

static void
sendmail_refuses_option_like_and_control_addresses(void **state)
{
	static const char *const bad[] = { "-oQ/tmp/x", "a@example.org\n",
	    "" };
	char *prog = fixture("fake-sendmail.sh"), *error = NULL;
	const char *r[1];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r[0] = bad[i];
		assert_int_equal(sendmail_deliver(prog, "mw@example.org", r, 1,
		    "x", 1, &error), -1);
		free(error);
		assert_int_equal(sendmail_deliver(prog, bad[i], (const char *[])
		    { "a@example.org" }, 1, "x", 1, &error), -1);
		free(error);
	}
	r[0] = "a@example.org";
	assert_int_equal(sendmail_deliver("fake-sendmail.sh", "mw@example.org",
	    r, 1, "x", 1, &error), -1);
	assert_contains(error, "absolute");
	free(error);
	assert_int_equal(sendmail_deliver(prog, "mw@example.org", r, 0, "x", 1,
	    &error), -1);
	free(error);
	free(prog);
}

static void
sendmail_missing_program_is_reported(void **state)
{
	const char *r[] = { "a@example.org" };
	char *error = NULL;

	(void)state;
	assert_int_equal(sendmail_deliver("/nonexistent/sendmail",
	    "mw@example.org", r, 1, "x", 1, &error), -1);
	assert_contains(error, "cannot run /nonexistent/sendmail");
	free(error);
}

/* --- SMTP against aiosmtpd on loopback ----------------------------------- */

struct smtpd {
	pid_t   pid;
	int     port;
	char   *dir;        /* where the server stores messages */
	char   *url;
};

/* Reads the server's "ready" line, waiting at most 30 s in all. */
static bool
smtpd_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[16];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf) - 1 && poll(&pfd, 1, 30000) == 1) {
		if ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (strchr(buf, '\n'))
			return strcmp(buf, "ready\n") == 0;
	}
	return false;
}

/* Binds a loopback port, hands the listening socket to the Python server
 * (with the options opts, NULL-terminated) and waits for its "ready"
 * line: no port race and no sleeping.  The server dies with the test
 * (PR_SET_PDEATHSIG), even one that crashes. */
static struct smtpd *
smtpd_start(const char *const *opts)
{
	struct smtpd *s = xcalloc(1, sizeof(*s));
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	char *script = fixture("smtp-server.py");
	int lfd, out[2];
	bool ready;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	s->port = ntohs(sin.sin_port);
	s->dir = tmpdir_new();
	s->url = xasprintf("smtp://127.0.0.1:%d", s->port);
	assert_int_equal(pipe(out), 0);
	if ((s->pid = fork()) == 0) {
		char *argv[16] = { (char *)PYTHON, script, (char *)"3", s->dir };
		int i;

		for (i = 0; opts[i] && i < 10; i++)
			argv[4 + i] = (char *)opts[i];
		close(out[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
		    dup2(out[1], 1) == -1 || dup2(lfd, 3) == -1)
			_exit(126);
		execv(PYTHON, argv);
		_exit(127);
	}
	assert_true(s->pid > 0);
	close(lfd);
	close(out[1]);
	ready = smtpd_ready(out[0]);
	close(out[0]);
	free(script);
	if (!ready) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		fail_msg("the test SMTP server did not start");
	}
	return s;
}

static void
smtpd_stop(struct smtpd *s)
{
	if (s == NULL)
		return;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	rm_rf(s->dir);
	free(s->dir);
	free(s->url);
	free(s);
}

static int
smtpd_setup_plain(void **state)
{
	*state = smtpd_start((const char *const[]){ "--reject", "refuse",
	    "--defer", "busy", NULL });
	return 0;
}

/* AUTH offered without TLS: a client with a login must not use it. */
static int
smtpd_setup_auth_plain(void **state)
{
	*state = smtpd_start((const char *const[]){ "--auth",
	    "alert:s3cret 密码", NULL });
	return 0;
}

static int
smtpd_setup_auth_tls(void **state)
{
	*state = smtpd_start((const char *const[]){ "--tls", "--auth",
	    "alert:s3cret 密码", NULL });
	return 0;
}

static int
smtpd_setup_tls_no_auth(void **state)
{
	*state = smtpd_start((const char *const[]){ "--tls", "--no-auth-offer",
	    NULL });
	return 0;
}

static int
smtpd_teardown(void **state)
{
	smtpd_stop(*state);
	return 0;
}

/* Whether the server stored message n (1, 2, …). */
static bool
smtpd_has_message(const struct smtpd *s, int n)
{
	char *p = xasprintf("%s/%d.eml", s->dir, n);
	bool there = access(p, F_OK) == 0;

	free(p);
	return there;
}

/* The server's AUTH log ("MECHANISM LOGIN" lines), NULL when none came. */
static char *
smtpd_auth_log(const struct smtpd *s)
{
	char *p = xasprintf("%s/auth.log", s->dir), *log = slurp(p, NULL);

	free(p);
	return log;
}

/* A mail config for the TLS server: STARTTLS required, its CA pinned, and
 * a login whose password is in a file of the server's folder. */
static struct mail_config
tls_login_config(const struct smtpd *s, const char *password)
{
	struct mail_config cfg = { 0 };

	cfg.url = xasprintf("smtp+starttls://127.0.0.1:%d", s->port);
	cfg.ca_file = xasprintf("%s/ca.crt", s->dir);
	cfg.username = (char *)"alert";
	cfg.password_file = xasprintf("%s/pw", s->dir);
	spit(cfg.password_file, password);
	return cfg;
}

static void
tls_login_config_free(struct mail_config *cfg)
{
	free(cfg->url);
	free(cfg->ca_file);
	free(cfg->password_file);
}

static void
smtp_send_delivers_the_exact_message_to_every_recipient(void **state)
{
	static const char *const rcpts[] = { "zhang@example.org",
	    "admin@example.gov.cn" };
	struct smtpd *s = *state;
	struct mail_config cfg = { .url = s->url };
	struct mail_message m = sample_message();
	struct smtp_outcome o;
	char *msg, *error = NULL, *p, *got, *env;
	size_t len, glen;

	m.text = ".leading dot\n.\nlast line\n";
	assert_int_equal(mime_build(&m, &msg, &len, &error), 0);
	if (smtp_send(&cfg, "mediawatch@example.gov.cn", rcpts, 2, msg, len,
	    &o, &error) == -1)
		fail_msg("%s", error);
	assert_int_equal(o.n, 2);
	assert_true(o.rcpts[0].delivered && o.rcpts[1].delivered);
	assert_int_equal(o.rcpts[1].code, 250);
	smtp_outcome_free(&o);
	p = xasprintf("%s/1.eml", s->dir);
	got = slurp(p, &glen);
	free(p);
	assert_non_null(got);
	/* aiosmtpd undoes the dot-stuffing; the bytes come back the same */
	assert_int_equal(glen, len);
	assert_memory_equal(got, msg, len);
	p = xasprintf("%s/1.env", s->dir);
	env = slurp(p, NULL);
	free(p);
	assert_string_equal(env, "mediawatch@example.gov.cn\n"
	    "zhang@example.org\nadmin@example.gov.cn\n");
	free(env);
	free(got);
	free(msg);
}

static void
smtp_refused_recipient_is_reported_and_the_others_get_the_message(
    void **state)
{
	static const char *const rcpts[] = { "refuse-me@example.org",
	    "ok@example.org", "busy@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = { .url = s->url };
	struct smtp_outcome o;
	char *error = NULL, *p, *env;

	if (smtp_send(&cfg, "mw@example.org", rcpts, 3,
	    "Subject: x\r\n\r\nx\r\n", 17, &o, &error) == -1)
		fail_msg("%s", error);
	assert_int_equal(o.n, 3);
	assert_false(o.rcpts[0].delivered);
	assert_int_equal(o.rcpts[0].code, 550);
	assert_contains(o.rcpts[0].reply, "recipient refused by the test server");
	assert_true(o.rcpts[1].delivered);
	assert_int_equal(o.rcpts[1].code, 250);
	assert_false(o.rcpts[2].delivered);
	assert_int_equal(o.rcpts[2].code, 451);
	assert_contains(o.rcpts[2].reply, "mailbox busy");
	smtp_outcome_free(&o);
	p = xasprintf("%s/1.env", s->dir);
	env = slurp(p, NULL);
	free(p);
	assert_string_equal(env, "mw@example.org\nok@example.org\n");
	free(env);
}

static void
smtp_every_recipient_refused_fails_with_the_server_text(void **state)
{
	static const char *const rcpts[] = { "refuse-a@example.org",
	    "refuse-b@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = { .url = s->url };
	struct smtp_outcome o;
	char *error = NULL;

	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 2,
	    "Subject: x\r\n\r\nx\r\n", 17, &o, &error), -1);
	assert_non_null(error);
	assert_contains(error, "550");
	assert_contains(error, "recipient refused by the test server");
	assert_int_equal(o.rcpts[0].code, 550);
	assert_int_equal(o.rcpts[1].code, 550);
	assert_false(o.rcpts[0].delivered || o.rcpts[1].delivered);
	assert_false(o.aborted);
	smtp_outcome_free(&o);
	free(error);
	assert_false(smtpd_has_message(s, 1));
}

static void
smtp_easy_handle_reports_per_recipient_codes_and_frees_cleanly(void **state)
{
	static const char *const rcpts[] = { "refuse@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = { .url = s->url };
	struct smtp_job *job = NULL;
	struct smtp_outcome o;
	char *error = NULL;
	CURLcode rc;
	CURL *easy;

	easy = smtp_easy_new(&cfg, "mw@example.org", rcpts, 1, "x\r\n", 3,
	    &job, &error);
	assert_non_null(easy);
	assert_non_null(job);
	rc = curl_easy_perform(easy);
	assert_int_not_equal(rc, CURLE_OK);
	assert_int_equal(smtp_job_result(job, easy, rc, &o, &error), -1);
	assert_int_equal(o.rcpts[0].code, 550);
	smtp_outcome_free(&o);
	free(error);
	/* the job may go first: the handle no longer points into it */
	smtp_job_free(job);
	curl_easy_cleanup(easy);
}

static void
smtp_starttls_required_fails_when_not_offered(void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = { 0 };
	struct smtp_outcome o;
	char *error = NULL;

	cfg.url = xasprintf("smtp+starttls://127.0.0.1:%d", s->port);
	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 1,
	    "x\r\n", 3, &o, &error), -1);
	assert_non_null(error);
	smtp_outcome_free(&o);
	free(error);
	assert_false(smtpd_has_message(s, 1));
	free(cfg.url);
}

/* Even through smtp:// (which the configuration refuses with a login),
 * the library never offers the password to a server without STARTTLS. */
static void
smtp_login_never_goes_out_without_tls(void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = { .url = s->url };
	struct smtp_outcome o;
	char *dir = tmpdir_new(), *p, *error = NULL;

	p = xasprintf("%s/pw", dir);
	spit(p, "s3cret 密码\n");
	cfg.username = (char *)"alert";
	cfg.password_file = p;
	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 1,
	    "x\r\n", 3, &o, &error), -1);
	assert_non_null(error);
	smtp_outcome_free(&o);
	free(error);
	assert_null(smtpd_auth_log(s));
	assert_false(smtpd_has_message(s, 1));
	free(p);
	rm_rf(dir);
	free(dir);
}

static void
smtp_auth_after_starttls_reads_the_password_from_credentials_directory(
    void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = tls_login_config(s, "unused\n");
	struct smtp_outcome o;
	char *creds = tmpdir_new(), *p, *error = NULL, *log;

	p = xasprintf("%s/smtp-password", creds);
	spit(p, "s3cret 密码\n");
	free(p);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	free(cfg.password_file);
	cfg.password_file = xstrdup("smtp-password");
	if (smtp_send(&cfg, "mw@example.org", rcpts, 1, "Subject: a\r\n\r\nx\r\n",
	    17, &o, &error) == -1)
		fail_msg("%s", error);
	unsetenv("CREDENTIALS_DIRECTORY");
	smtp_outcome_free(&o);
	assert_true(smtpd_has_message(s, 1));
	log = smtpd_auth_log(s);
	assert_non_null(log);
	assert_contains(log, " alert\n");
	free(log);
	tls_login_config_free(&cfg);
	rm_rf(creds);
	free(creds);
}

static void
smtp_wrong_password_fails_with_the_server_text(void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = tls_login_config(s, "wrong\n");
	struct smtp_outcome o;
	char *error = NULL;

	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 1, "x\r\n",
	    3, &o, &error), -1);
	assert_contains(error, "535");
	assert_null(strstr(error, "wrong"));
	smtp_outcome_free(&o);
	free(error);
	free(cfg.password_file);
	cfg.password_file = xstrdup("/nonexistent/pw");
	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 1, "x\r\n",
	    3, &o, &error), -1);
	assert_contains(error, "/nonexistent/pw");
	free(error);
	tls_login_config_free(&cfg);
	assert_false(smtpd_has_message(s, 1));
}

static void
smtp_certificate_from_another_ca_is_refused(void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = tls_login_config(s, "s3cret 密码\n");
	struct smtp_outcome o;
	char *error = NULL;

	/* the system's CAs, which never signed the test server */
	free(cfg.ca_file);
	cfg.ca_file = xstrdup("/etc/ssl/certs/ca-certificates.crt");
	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 1, "x\r\n",
	    3, &o, &error), -1);
	assert_non_null(error);
	smtp_outcome_free(&o);
	free(error);
	tls_login_config_free(&cfg);
	assert_null(smtpd_auth_log(s));
	assert_false(smtpd_has_message(s, 1));
}

static void
smtp_login_with_no_auth_offered_sends_nothing(void **state)
{
	static const char *const rcpts[] = { "a@example.org" };
	struct smtpd *s = *state;
	struct mail_config cfg = tls_login_config(s, "s3cret 密码\n");
	struct smtp_outcome o;
	char *error = NULL;

	assert_int_equal(smtp_send(&cfg, "mw@example.org", rcpts, 1, "x\r\n",
	    3, &o, &error), -1);
	assert_non_null(error);
	assert_contains(error, "offers no AUTH");
	assert_false(o.aborted);
	smtp_outcome_free(&o);
	free(error);
	tls_login_config_free(&cfg);
	assert_false(smtpd_has_message(s, 1));
	/* the same server takes the message from a client without a login */
	cfg = (struct mail_config){ 0 };
	cfg.url = xasprintf("smtp+starttls://127.0.0.1:%d", s->port);
	cfg.ca_file = xasprintf("%s/ca.crt", s->dir);
	if (smtp_send(&cfg, "mw@example.org", rcpts, 1, "x\r\n", 3, &o,
	    &error) == -1)
		fail_msg("%s", error);
	smtp_outcome_free(&o);
	free(cfg.url);
	free(cfg.ca_file);
	assert_true(smtpd_has_message(s, 1));
}

static void
smtp_refuses_bad_envelopes_and_urls_before_connecting(void **state)
{
	static const char *const bad[] = { "a@example.org>\r\nRSET",
	    "Name <a@example.org>", "-x@example.org" };
	struct mail_config cfg = { .url = (char *)"smtp://127.0.0.1:1" };
	struct smtp_job *job = NULL;
	char *error = NULL;
	const char *r[1] = { "ok@example.org" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_null(smtp_easy_new(&cfg, "mw@example.org", &bad[i], 1,
		    "x", 1, &job, &error));
		free(error);
		assert_null(smtp_easy_new(&cfg, bad[i], r, 1, "x", 1, &job,
		    &error));
		free(error);
	}
	cfg.url = (char *)"http://127.0.0.1/";
	assert_null(smtp_easy_new(&cfg, "mw@example.org", r, 1, "x", 1, &job,
	    &error));
	assert_contains(error, "smtp://");
	free(error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mime_message_has_all_headers_crlf_and_both_parts),
		cmocka_unit_test(mime_parts_decode_back_to_the_bodies_with_crlf_line_ends),
		cmocka_unit_test(mime_body_line_ends_of_every_kind_become_crlf),
		cmocka_unit_test(mime_text_only_message_is_single_part),
		cmocka_unit_test(mime_chinese_subject_round_trips_through_rfc2047),
		cmocka_unit_test(mime_ascii_subject_stays_plain_and_folds_at_spaces),
		cmocka_unit_test(mime_long_subject_splits_into_short_words_of_whole_characters),
		cmocka_unit_test(mime_header_encode_respects_the_starting_column),
		cmocka_unit_test(mime_crlf_in_subject_adds_no_header_line),
		cmocka_unit_test(mime_crlf_in_display_name_adds_no_header_line),
		cmocka_unit_test(mime_chinese_display_names_are_encoded_and_addresses_plain),
		cmocka_unit_test(mime_invalid_addresses_are_refused),
		cmocka_unit_test(mime_address_parse_accepts_the_mailbox_forms),
		cmocka_unit_test(mime_message_id_is_given_or_random_at_the_sender_domain),
		cmocka_unit_test(mime_date_is_rfc5322_with_numeric_zone),
		cmocka_unit_test(mime_refuses_invalid_utf8_bodies_and_missing_parts),
		cmocka_unit_test(mime_message_parses_with_python_email_package),
		cmocka_unit_test(template_substitutes_names),
		cmocka_unit_test(template_sections_repeat_rows_and_see_outer_names),
		cmocka_unit_test(template_values_are_copies_and_numbers_exact),
		cmocka_unit_test(template_value_sections_show_when_not_empty_or_zero),
		cmocka_unit_test(template_escapes_html_only_in_html_mode),
		cmocka_unit_test(template_standalone_section_lines_leave_no_blank_lines),
		cmocka_unit_test(template_errors_name_the_line),
		cmocka_unit_test(template_files_render_every_message),
		cmocka_unit_test(template_file_errors_name_file_and_line),
		cmocka_unit_test(maildir_delivers_identical_file_into_new_with_at_most_0660),
		cmocka_unit_test(maildir_deliveries_get_distinct_names),
		cmocka_unit_test(maildir_batch_delivers_each_message_once),
		cmocka_unit_test(maildir_batch_fails_every_message_on_an_unusable_path),
		cmocka_unit_test(maildir_reports_an_unusable_path),
		cmocka_unit_test(sendmail_passes_arguments_literally_and_message_on_stdin),
		cmocka_unit_test(sendmail_nonzero_exit_is_an_error_with_the_status),
		cmocka_unit_test(sendmail_refuses_option_like_and_control_addresses),
		cmocka_unit_test(sendmail_missing_program_is_reported),
		cmocka_unit_test_setup_teardown(smtp_send_delivers_the_exact_message_to_every_recipient,
		    smtpd_setup_plain, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_refused_recipient_is_reported_and_the_others_get_the_message,
		    smtpd_setup_plain, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_every_recipient_refused_fails_with_the_server_text,
		    smtpd_setup_plain, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_easy_handle_reports_per_recipient_codes_and_frees_cleanly,
		    smtpd_setup_plain, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_starttls_required_fails_when_not_offered,
		    smtpd_setup_plain, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_login_never_goes_out_without_tls,
		    smtpd_setup_auth_plain, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_auth_after_starttls_reads_the_password_from_credentials_directory,
		    smtpd_setup_auth_tls, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_wrong_password_fails_with_the_server_text,
		    smtpd_setup_auth_tls, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_certificate_from_another_ca_is_refused,
		    smtpd_setup_auth_tls, smtpd_teardown),
		cmocka_unit_test_setup_teardown(smtp_login_with_no_auth_offered_sends_nothing,
		    smtpd_setup_tls_no_auth, smtpd_teardown),
		cmocka_unit_test(smtp_refuses_bad_envelopes_and_urls_before_connecting),
	};

	if (tz_set("Asia/Shanghai") == -1)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
