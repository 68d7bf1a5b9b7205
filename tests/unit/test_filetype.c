/* test_filetype.c — PDF, JPEG and PNG told from their content: real files
 * (made by Chromium: printed to PDF, a canvas as JPEG and PNG) pass;
 * HTML under a PDF's name, damaged, truncated, padded and hostile files
 * are refused with a reason, and the walk stays linear. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/filetype.h"
#include "base/util.h"

static struct strbuf
fixture(const char *name)
{
	const char *src = getenv("MEDIAWATCH_SRCDIR");
	struct strbuf sb = STRBUF_INIT;
	char *path = xasprintf("%s/tests/fixtures/attachments/%s",
	    src ? src : ".", name);

	assert_int_equal(read_whole_file(path, 16 * 1024 * 1024, &sb), 0);
	free(path);
	return sb;
}

static enum filetype
check(const void *data, size_t len, const char **why)
{
	return filetype_check(data, len, why);
}

/* The reason a refused text gives; fails when it is accepted. */
static const char *
refused(const char *text)
{
	const char *why = NULL;

	assert_int_equal(check(text, strlen(text), &why), FILETYPE_UNKNOWN);
	assert_non_null(why);
	return why;
}

static void
real_files_pass(void **state)
{
	static const struct { const char *name; enum filetype t; } files[] = {
		{ "reply.pdf", FILETYPE_PDF }, { "seal.jpg", FILETYPE_JPEG },
		{ "seal.png", FILETYPE_PNG },
	};
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		struct strbuf sb = fixture(files[i].name);

		assert_int_equal(check(sb.buf, sb.len, &why), files[i].t);
		assert_null(why);
		sb_free(&sb);
	}
	assert_string_equal(filetype_mime(FILETYPE_PDF), "application/pdf");
	assert_string_equal(filetype_ext(FILETYPE_JPEG), "jpg");
	assert_int_equal(filetype_of_mime("image/png"), FILETYPE_PNG);
	assert_int_equal(filetype_of_mime("text/html"), FILETYPE_UNKNOWN);
}

/* A PDF of the given objects ("1 0 obj … endobj" texts), with its
 * cross-reference table and trailer, offsets counted. */
static char *
make_pdf(const char *const *objects, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t offsets[16], i, xref;

	sb_puts(&sb, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
	for (i = 0; i < n; i++) {
		offsets[i] = sb.len;
		sb_puts(&sb, objects[i]);
	}
	xref = sb.len;
	sb_printf(&sb, "xref\n0 %zu\n0000000000 65535 f \n", n + 1);
	for (i = 0; i < n; i++)
		sb_printf(&sb, "%010zu 00000 n \n", offsets[i]);
	sb_printf(&sb, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n"
	    "%%%%EOF\n", n + 1, xref);
	return sb_steal(&sb);
}

static const char *const minimal[] = {
	"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
	"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
	"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
	" /Contents 4 0 R >>\nendobj\n",
	"4 0 obj\n<< /Length 21 >>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream\n"
	"endobj\n",
};

static void
a_minimal_pdf_passes(void **state)
{
	char *pdf = make_pdf(minimal, ARRAY_SIZE(minimal));
	const char *why;

	assert_int_equal(check(pdf, strlen(pdf), &why), FILETYPE_PDF);
	free(pdf);
}

static void
html_is_not_a_pdf(void **state)
{
	char *pdf;

	assert_non_null(strstr(refused("<!DOCTYPE html><html><body><script>"
	    "alert(1)</script></body></html>"), "HTML"));
	assert_non_null(strstr(refused("\xEF\xBB\xBF  <html>x</html>"), "HTML"));
	/* the signature alone is not enough */
	refused("%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n");
	refused("%PDF-1.7\n<body onload=alert(1)>\nstartxref\n9\n%%EOF\n");
	/* a whole PDF with a page appended after its end */
	pdf = make_pdf(minimal, ARRAY_SIZE(minimal));
	pdf = xrealloc(pdf, strlen(pdf) + 64);
	strcat(pdf, "<html><script>alert(1)</script></html>");
	assert_non_null(strstr(refused(pdf), "after its end"));
	free(pdf);
	assert_string_equal(refused(""), "the file is empty");
	assert_non_null(strstr(refused("PK\x03\x04 a zip file"), "not a PDF"));
}

static void
damaged_pdfs_are_refused(void **state)
{
	struct strbuf sb = fixture("reply.pdf");
	const char *why;
	char *pdf;

	/* cut in half: no end, no trailer */
	assert_int_equal(check(sb.buf, sb.len / 2, &why), FILETYPE_UNKNOWN);
	assert_non_null(why);
	sb_free(&sb);
	/* an object that never ends, a stream without endstream */
	pdf = make_pdf((const char *const []){ "1 0 obj\n<< /A 1 >>\n" }, 1);
	assert_non_null(strstr(refused(pdf), "not closed"));
	free(pdf);
	pdf = make_pdf((const char *const []){ "1 0 obj\n<< /Length 2 0 R >>\n"
	    "stream\nabc\nendobj\n" }, 1);
	assert_non_null(strstr(refused(pdf), "no end"));
	free(pdf);
	/* startxref pointing elsewhere */
	refused("%PDF-1.4\n1 0 obj\n<< >>\nendobj\nstartxref\n999999\n%%EOF\n");
	refused("%PDF-1.4\n1 0 obj\n<< >>\nendobj\nstartxref\n0\n%%EOF\n");
	refused("%PDF-x.4\n1 0 obj\n<< >>\nendobj\n");
}

/* A zip bomb's cousins: lengths far beyond the file, nesting without
 * end.  Each is refused, and a 10 MB one within a second: nothing is
 * decompressed, allocated or visited twice. */
static void
hostile_pdfs_stay_bounded(void **state)
{
	static const char *const lengths[] = { "999999999999",
	    "999999999999999999999999999999", "10485760" };
	struct strbuf sb = STRBUF_INIT;
	const char *why;
	char *obj, *pdf;
	clock_t started;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lengths); i++) {
		obj = xasprintf("1 0 obj\n<< /Length %s /Filter /FlateDecode >>\n"
		    "stream\nx\x9c\x03\x01\nendstream\nendobj\n", lengths[i]);
		pdf = make_pdf((const char *const *)&obj, 1);
		assert_non_null(strstr(refused(pdf), "declared longer"));
		free(pdf);
		free(obj);
	}
	obj = xasprintf("1 0 obj\n%s\nendobj\n", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	pdf = make_pdf((const char *const *)&obj, 1);
	assert_non_null(strstr(refused(pdf), "nested too deeply"));
	free(pdf);
	free(obj);
	/* 10 MB of nesting, of strings opened, of streams' starts */
	for (i = 0; i < 3; i++) {
		const char *unit = i == 0 ? "<<" : i == 1 ? "(" : "stream\n";
		size_t k;

		sb_reset(&sb);
		sb_puts(&sb, "%PDF-1.4\n1 0 obj\n");
		for (k = 0; sb.len < 10 * 1024 * 1024; k++)
			sb_puts(&sb, unit);
		sb_puts(&sb, "\nendobj\nstartxref\n9\n%%EOF\n");
		started = clock();
		assert_int_equal(check(sb.buf, sb.len, &why), FILETYPE_UNKNOWN);
		assert_true((double)(clock() - started) / CLOCKS_PER_SEC < 1.0);
	}
	sb_free(&sb);
}

/* n bytes of zeros, deflated. */
static struct strbuf
deflated_zeros(size_t n)
{
	static unsigned char zeros[1024 * 1024];
	unsigned char out[65536];
	struct strbuf z = STRBUF_INIT;
	z_stream zs = { 0 };
	size_t i;

	assert_int_equal(deflateInit(&zs, 9), Z_OK);
	for (i = 0; i < n / sizeof(zeros); i++) {
		zs.next_in = zeros;
		zs.avail_in = sizeof(zeros);
		do {
			zs.next_out = out;
			zs.avail_out = sizeof(out);
			deflate(&zs, i + 1 == n / sizeof(zeros) ? Z_FINISH :
			    Z_NO_FLUSH);
			sb_append(&z, (const char *)out, sizeof(out) - zs.avail_out);
		} while (zs.avail_out == 0);
	}
	deflateEnd(&zs);
	return z;
}

/* A real bomb: 64 MB of zeros deflated into one well-formed stream.  It
 * passes, at once: streams are skipped by their length, never inflated. */
static void
a_deflate_bomb_is_never_inflated(void **state)
{
	struct strbuf z = deflated_zeros(64u * 1024 * 1024), pdf = STRBUF_INIT;
	const char *why;
	clock_t started;
	size_t xref;

	assert_true(z.len < 256 * 1024);
	sb_puts(&pdf, "%PDF-1.4\n");
	sb_printf(&pdf, "1 0 obj\n<< /Length %zu /Filter /FlateDecode >>\n"
	    "stream\n", z.len);
	sb_append(&pdf, z.buf, z.len);
	sb_puts(&pdf, "\nendstream\nendobj\n");
	xref = pdf.len;
	sb_printf(&pdf, "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
	    "trailer\n<< /Size 2 >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	started = clock();
	assert_int_equal(check(pdf.buf, pdf.len, &why), FILETYPE_PDF);
	assert_true((double)(clock() - started) / CLOCKS_PER_SEC < 0.5);
	sb_free(&pdf);
	sb_free(&z);
}

static void
damaged_pictures_are_refused(void **state)
{
	struct strbuf png = fixture("seal.png"), jpg = fixture("seal.jpg");
	const char *why;

	assert_int_equal(check(png.buf, png.len - 1, &why), FILETYPE_UNKNOWN);
	assert_int_equal(check(jpg.buf, jpg.len - 2, &why), FILETYPE_UNKNOWN);
	assert_non_null(strstr(why, "end marker"));
	/* a byte changed inside a chunk: its CRC fails */
	png.buf[20] ^= 0x55;
	assert_int_equal(check(png.buf, png.len, &why), FILETYPE_UNKNOWN);
	assert_non_null(strstr(why, "CRC"));
	png.buf[20] ^= 0x55;
	/* HTML after the end of a real picture */
	sb_puts(&png, "<html><script>alert(1)</script></html>");
	sb_puts(&jpg, "<html><script>alert(1)</script></html>");
	assert_int_equal(check(png.buf, png.len, &why), FILETYPE_UNKNOWN);
	assert_non_null(strstr(why, "after the end"));
	assert_int_equal(check(jpg.buf, jpg.len, &why), FILETYPE_UNKNOWN);
	assert_non_null(strstr(why, "after the end"));
	sb_free(&png);
	sb_free(&jpg);
	/* a chunk declared past the end; a header claiming 2^31 pixels */
	assert_non_null(strstr(refused("\x89PNG\r\n\x1a\n\x7f\xff\xff\xff"
	    "IHDRxxxxxxxxxxxxxxxxx"), "longer than the file"));
	assert_non_null(strstr(refused("\xff\xd8\xff\xe0\xff\xffJFIF"),
	    "longer than the file"));
}

static void
huge_pictures_are_refused(void **state)
{
	/* an IHDR of 2^31-1 × 1 pixels with a good CRC, as a decompression
	 * bomb's header would be */
	unsigned char png[33] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	    0, 0, 0, 13, 'I', 'H', 'D', 'R', 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1,
	    8, 2, 0, 0, 0 };
	uLong crc = crc32(0L, png + 12, 17);
	const char *why;

	png[29] = (unsigned char)(crc >> 24);
	png[30] = (unsigned char)(crc >> 16);
	png[31] = (unsigned char)(crc >> 8);
	png[32] = (unsigned char)crc;
	assert_int_equal(check(png, sizeof(png), &why), FILETYPE_UNKNOWN);
	assert_non_null(strstr(why, "20000 pixels"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_files_pass),
		cmocka_unit_test(a_minimal_pdf_passes),
		cmocka_unit_test(html_is_not_a_pdf),
		cmocka_unit_test(damaged_pdfs_are_refused),
		cmocka_unit_test(hostile_pdfs_stay_bounded),
		cmocka_unit_test(a_deflate_bomb_is_never_inflated),
		cmocka_unit_test(damaged_pictures_are_refused),
		cmocka_unit_test(huge_pictures_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
