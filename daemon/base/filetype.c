/* filetype.c — PDF, JPEG and PNG recognised by their structure. */
#define _GNU_SOURCE		/* memmem */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/filetype.h"

static const char *const mimes[] = { NULL, "application/pdf", "image/jpeg",
	"image/png" };
static const char *const exts[] = { NULL, "pdf", "jpg", "png" };

const char *
filetype_mime(enum filetype t)
{
	return (unsigned)t < 4 ? mimes[t] : NULL;
}

const char *
filetype_ext(enum filetype t)
{
	return (unsigned)t < 4 ? exts[t] : NULL;
}

enum filetype
filetype_of_mime(const char *mime)
{
	int t;

	for (t = FILETYPE_PDF; mime && t <= FILETYPE_PNG; t++)
		if (strcmp(mimes[t], mime) == 0)
			return (enum filetype)t;
	return FILETYPE_UNKNOWN;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Only bytes a format allows after its end: none but NULs (padding some
 * writers add). */
static bool
only_padding(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* ---- PNG ---- */

static uint32_t
crc32_of(const uint32_t *table, const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;

	for (i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void
crc32_table(uint32_t *table)
{
	uint32_t c;
	int n, k;

	for (n = 0; n < 256; n++) {
		c = (uint32_t)n;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[n] = c;
	}
}

static bool
chunk_type_ok(const unsigned char *t)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
			return false;
	return true;
}

static const char *
png_header(const unsigned char *chunk, uint32_t n)
{
	uint32_t w, h;

	if (memcmp(chunk + 4, "IHDR", 4) != 0 || n != 13)
		return "PNG: the first chunk is not its header (IHDR)";
	w = be32(chunk + 8);
	h = be32(chunk + 12);
	if (w == 0 || h == 0)
		return "PNG: the picture has no width or height";
	if (w > FILETYPE_PIXELS || h > FILETYPE_PIXELS)
		return "PNG: the picture is larger than 20000 pixels a side";
	return NULL;
}

/* Signature, then chunks (length, type, data, CRC) from IHDR to IEND. */
static const char *
png_check(const unsigned char *d, size_t len)
{
	uint32_t table[256], n;
	size_t pos = 8;
	bool first = true, data = false;
	const char *why;

	crc32_table(table);
	for (;;) {
		if (len - pos < 12)
			return "PNG: the file ends before its end chunk (IEND)";
		n = be32(d + pos);
		if (n > len - pos - 12)
			return "PNG: a chunk is declared longer than the file";
		if (!chunk_type_ok(d + pos + 4))
			return "PNG: a chunk has an invalid type";
		if (crc32_of(table, d + pos + 4, n + 4) != be32(d + pos + 8 + n))
			return "PNG: a chunk is damaged (its CRC does not match)";
		if (first && (why = png_header(d + pos, n)) != NULL)
			return why;
		first = false;
		data |= memcmp(d + pos + 4, "IDAT", 4) == 0;
		if (memcmp(d + pos + 4, "IEND", 4) == 0)
			break;
		pos += 12 + (size_t)n;
	}
	pos += 12 + (size_t)n;
	if (!data)
		return "PNG: the file has no picture data (IDAT)";
	return only_padding(d + pos, len - pos) ? NULL :
	    "PNG: there is data after the end of the picture";
}

/* ---- JPEG ---- */

static bool
is_sof(unsigned m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static bool
is_rst(unsigned m)
{
	return m >= 0xd0 && m <= 0xd7;
}

/* The entropy-coded data after a scan header, to the next marker: a 0xFF
 * there is followed by 0x00 (a stuffed byte), a restart marker or fill. */
static size_t
skip_scan(const unsigned char *d, size_t len, size_t pos)
{
	while (pos + 1 < len) {
		if (d[pos] != 0xff)
			pos++;
		else if (d[pos + 1] == 0x00 || is_rst(d[pos + 1]))
			pos += 2;
		else if (d[pos + 1] == 0xff)
			pos++;
		else
			return pos;
	}
	return len;
}

static const char *
jpeg_frame(const unsigned char *seg, unsigned n)
{
	unsigned h, w;

	if (n < 8)
		return "JPEG: the frame header is too short";
	h = be16(seg + 3);
	w = be16(seg + 5);
	if (h == 0 || w == 0)
		return "JPEG: the picture has no width or height";
	if (h > FILETYPE_PIXELS || w > FILETYPE_PIXELS)
		return "JPEG: the picture is larger than 20000 pixels a side";
	return NULL;
}

/* SOI, then segments (marker, length, data) with a frame header and at
 * least one scan, to EOI. */
static const char *
jpeg_check(const unsigned char *d, size_t len)
{
	size_t pos = 2;
	bool frame = false, scan = false;
	unsigned m, n;
	const char *why;

	for (;;) {
		if (pos + 2 > len)
			return "JPEG: the file ends before its end marker (EOI)";
		if (d[pos] != 0xff)
			return "JPEG: a segment does not start with a marker";
		while (pos + 2 < len && d[pos + 1] == 0xff)
			pos++;                  /* fill bytes before a marker */
		m = d[pos + 1];
		pos += 2;
		if (m == 0xd9)
			break;
		if (m == 0xd8 || m == 0x00)
			return "JPEG: an invalid marker inside the file";
		if (m == 0x01 || is_rst(m))
			continue;
		if (len - pos < 2 || (n = be16(d + pos)) < 2 || n > len - pos)
			return "JPEG: a segment is declared longer than the file";
		if (is_sof(m)) {
			if ((why = jpeg_frame(d + pos, n)) != NULL)
				return why;
			frame = true;
		}
		pos += n;
		if (m == 0xda) {
			if (!frame)
				return "JPEG: a scan comes before the frame header";
			scan = true;
			pos = skip_scan(d, len, pos);
		}
	}
	if (!frame || !scan)
		return "JPEG: the file has no picture (no frame or scan)";
	return only_padding(d + pos, len - pos) ? NULL :
	    "JPEG: there is data after the end of the picture";
}

/* ---- PDF ---- */

static bool
pdf_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
	    c == '\0';
}

static bool
pdf_delim(unsigned char c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' ||
	    c == ']' || c == '{' || c == '}' || c == '/' || c == '%';
}

/* The last occurrence of s (length n) in d[from, to), or (size_t)-1. */
static size_t
find_last(const unsigned char *d, size_t from, size_t to, const char *s,
    size_t n)
{
	size_t i;

	for (i = to; i >= from + n; i--)
		if (memcmp(d + i - n, s, n) == 0)
			return i - n;
	return (size_t)-1;
}

/* A decimal number of at most 15 digits at d[*pos], moved past. */
static bool
pdf_number(const unsigned char *d, size_t len, size_t *pos, long long *v)
{
	size_t start = *pos;

	*v = 0;
	while (*pos < len && d[*pos] >= '0' && d[*pos] <= '9' &&
	    *pos - start < 15)
		*v = *v * 10 + (d[(*pos)++] - '0');
	return *pos > start && (*pos == len || d[*pos] < '0' || d[*pos] > '9');
}

static size_t
skip_space(const unsigned char *d, size_t len, size_t pos)
{
	while (pos < len && pdf_space(d[pos]))
		pos++;
	return pos;
}

/* "startxref N" before "%%EOF" at the end, N pointing at a cross-reference
 * table ("xref") or stream ("N G obj").  *end is where %%EOF starts. */
static const char *
pdf_tail(const unsigned char *d, size_t len, size_t *end)
{
	size_t eof, sx, pos, from = len > 2048 ? len - 2048 : 0;
	long long off, n;

	if ((eof = find_last(d, from, len, "%%EOF", 5)) == (size_t)-1)
		return "PDF: the file does not end with %%EOF (incomplete?)";
	if (skip_space(d, len, eof + 5) != len)
		return "PDF: there is data after its end (%%EOF)";
	if ((sx = find_last(d, from, eof, "startxref", 9)) == (size_t)-1)
		return "PDF: the file has no startxref";
	pos = skip_space(d, eof, sx + 9);
	if (!pdf_number(d, eof, &pos, &off) || (size_t)off >= sx)
		return "PDF: startxref points outside the file";
	pos = (size_t)off;
	if (sx - pos >= 4 && memcmp(d + pos, "xref", 4) == 0) {
		*end = eof;
		return NULL;
	}
	if (!pdf_number(d, sx, &pos, &n) || (pos = skip_space(d, sx, pos),
	    !pdf_number(d, sx, &pos, &n)) || (pos = skip_space(d, sx, pos),
	    sx - pos < 3) || memcmp(d + pos, "obj", 3) != 0)
		return "PDF: startxref does not point at a cross-reference";
	*end = eof;
	return NULL;
}

struct pdf_walk {
	const unsigned char *d;
	size_t               len, pos;
	int                  depth;       /* open dictionaries and arrays */
	bool                 in_obj;
	long                 objects;
	/* the /Length of the object's dictionary: -1 unknown or indirect */
	long long            length;
	int                  length_state;   /* 0, 1 after /Length, 2 after its number */
};

static const char *
pdf_literal(struct pdf_walk *w)
{
	int open = 1;

	for (w->pos++; w->pos < w->len; w->pos++) {
		if (w->d[w->pos] == '\\')
			w->pos++;
		else if (w->d[w->pos] == '(')
			open++;
		else if (w->d[w->pos] == ')' && --open == 0) {
			w->pos++;
			return NULL;
		}
	}
	return "PDF: a string is not closed";
}

static const char *
pdf_hex(struct pdf_walk *w)
{
	unsigned char c;

	for (w->pos++; w->pos < w->len; w->pos++) {
		c = w->d[w->pos];
		if (c == '>') {
			w->pos++;
			return NULL;
		}
		if (!pdf_space(c) && !((c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return "PDF: a hexadecimal string holds other characters "
			    "(is it HTML?)";
	}
	return "PDF: a hexadecimal string is not closed";
}

static const char *
pdf_open(struct pdf_walk *w, size_t n)
{
	if (++w->depth > FILETYPE_DEPTH)
		return "PDF: dictionaries or arrays are nested too deeply";
	w->pos += n;
	return NULL;
}

static const char *
pdf_close(struct pdf_walk *w, size_t n)
{
	if (--w->depth < 0)
		return "PDF: a dictionary or array is closed that was not open";
	w->pos += n;
	return NULL;
}

/* A stream's data: its declared /Length when it is a number, else up to
 * the next "endstream". */
static const char *
pdf_stream(struct pdf_walk *w)
{
	const unsigned char *end;
	size_t start;

	if (!w->in_obj || w->depth != 0)
		return "PDF: a stream outside an object";
	if (w->pos < w->len && w->d[w->pos] == '\r')
		w->pos++;
	if (w->pos >= w->len || w->d[w->pos] != '\n')
		return "PDF: a stream keyword without its line end";
	start = ++w->pos;
	if (w->length >= 0) {
		if ((unsigned long long)w->length > w->len - start)
			return "PDF: a stream is declared longer than the file";
		w->pos = skip_space(w->d, w->len, start + (size_t)w->length);
		if (w->len - w->pos >= 9 && memcmp(w->d + w->pos, "endstream", 9) == 0) {
			w->pos += 9;
			return NULL;
		}
	}
	end = memmem(w->d + start, w->len - start, "endstream", 9);
	if (end == NULL)
		return "PDF: a stream has no end (endstream)";
	w->pos = (size_t)(end - w->d) + 9;
	return NULL;
}

/* Keeps the direct number after /Length at the object's top level; a
 * reference ("/Length 12 0 R") leaves it unknown, and a number of more
 * digits than any file has bytes is kept as the largest. */
static void
pdf_track_length(struct pdf_walk *w, const unsigned char *tok, size_t n)
{
	size_t digits = 0;

	while (digits < n && tok[digits] >= '0' && tok[digits] <= '9')
		digits++;
	if (w->length_state == 1 && digits == n && n > 0) {
		w->length = 0;
		for (digits = 0; digits < n && w->length < LLONG_MAX / 10; digits++)
			w->length = w->length * 10 + (tok[digits] - '0');
		if (digits < n)
			w->length = LLONG_MAX;
		w->length_state = 2;
	} else if (w->length_state == 2 && digits == n && n > 0) {
		w->length = -1;           /* "N G R": an indirect length */
		w->length_state = 0;
	} else
		w->length_state = 0;
}

static const char *
pdf_keyword(struct pdf_walk *w, const unsigned char *tok, size_t n)
{
	if (n == 3 && memcmp(tok, "obj", 3) == 0) {
		if (w->in_obj)
			return "PDF: an object starts inside another";
		w->in_obj = true;
		w->objects++;
		w->length = -1;
	} else if (n == 6 && memcmp(tok, "endobj", 6) == 0) {
		if (!w->in_obj || w->depth != 0)
			return "PDF: an object ends that was not open or whole";
		w->in_obj = false;
	} else if (n == 6 && memcmp(tok, "stream", 6) == 0)
		return pdf_stream(w);
	else if (n == 9 && memcmp(tok, "endstream", 9) == 0)
		return "PDF: a stream ends that did not start";
	else
		pdf_track_length(w, tok, n);
	return NULL;
}

static const char *
pdf_name(struct pdf_walk *w)
{
	size_t start = ++w->pos;

	while (w->pos < w->len && !pdf_space(w->d[w->pos]) &&
	    !pdf_delim(w->d[w->pos]))
		w->pos++;
	w->length_state = w->in_obj && w->depth == 1 && w->pos - start == 6 &&
	    memcmp(w->d + start, "Length", 6) == 0 ? 1 : 0;
	return NULL;
}

static const char *
pdf_token(struct pdf_walk *w)
{
	const unsigned char *d = w->d;
	size_t start;

	switch (d[w->pos]) {
	case '%':
		while (w->pos < w->len && d[w->pos] != '\n' && d[w->pos] != '\r')
			w->pos++;
		return NULL;
	case '(':
		return pdf_literal(w);
	case '<':
		if (w->pos + 1 < w->len && d[w->pos + 1] == '<')
			return pdf_open(w, 2);
		return pdf_hex(w);
	case '>':
		if (w->pos + 1 < w->len && d[w->pos + 1] == '>')
			return pdf_close(w, 2);
		return "PDF: a stray '>'";
	case '[':
		return pdf_open(w, 1);
	case ']':
		return pdf_close(w, 1);
	case '/':
		return pdf_name(w);
	case ')': case '{': case '}':
		return "PDF: a stray delimiter";
	}
	start = w->pos;
	while (w->pos < w->len && !pdf_space(d[w->pos]) && !pdf_delim(d[w->pos]))
		w->pos++;
	return pdf_keyword(w, d + start, w->pos - start);
}

/* Header, tail, then every token of the body once, streams skipped by
 * their length. */
static const char *
pdf_check(const unsigned char *d, size_t len)
{
	struct pdf_walk w = { .d = d, .pos = 5, .length = -1 };
	const char *why;

	if (len < 8 || d[5] < '1' || d[5] > '2' || d[6] != '.' ||
	    d[7] < '0' || d[7] > '9')
		return "PDF: the header has no version (%PDF-1.x)";
	if ((why = pdf_tail(d, len, &w.len)) != NULL)
		return why;
	while ((w.pos = skip_space(d, w.len, w.pos)) < w.len)
		if ((why = pdf_token(&w)) != NULL)
			return why;
	if (w.in_obj || w.depth != 0)
		return "PDF: the last object is not closed";
	if (w.objects == 0)
		return "PDF: the file has no objects";
	return NULL;
}

/* ---- which ---- */

static bool
looks_like_markup(const unsigned char *d, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' ||
	    d[i] == '\n'))
		i++;
	return i < len && d[i] == '<';
}

enum filetype
filetype_check(const unsigned char *data, size_t len, const char **why)
{
	static const unsigned char png_sig[] = { 0x89, 'P', 'N', 'G', '\r',
	    '\n', 0x1a, '\n' };

	*why = NULL;
	if (len >= 8 && memcmp(data, png_sig, 8) == 0)
		*why = png_check(data, len);
	else if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		*why = jpeg_check(data, len);
	else if (len >= 5 && memcmp(data, "%PDF-", 5) == 0)
		*why = pdf_check(data, len);
	else {
		*why = len == 0 ? "the file is empty" : looks_like_markup(data, len) ?
		    "is HTML or XML, not a PDF, JPEG or PNG file" :
		    "is not a PDF, JPEG or PNG file";
		return FILETYPE_UNKNOWN;
	}
	if (*why != NULL)
		return FILETYPE_UNKNOWN;
	return data[0] == 0x89 ? FILETYPE_PNG : data[0] == 0xff ? FILETYPE_JPEG :
	    FILETYPE_PDF;
}
