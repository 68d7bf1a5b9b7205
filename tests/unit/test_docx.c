/* test_docx.c — the 公文 .docx writer: package, layout values, escaping,
 * refusals and atomic output.  Documents are read back with libzip and
 * libxml2's XPath, the same libraries a reader of the format would use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <zip.h>

#include "base/util.h"
#include "paperwork/docx.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

#define assert_contains(hay, needle) do {				\
	if ((hay) == NULL || strstr((hay), (needle)) == NULL)		\
		fail_msg("\"%s\" does not contain \"%s\"",		\
		    (hay) ? (hay) : "(null)", (needle));		\
} while (0)

/* ---- a sample notice ---- */

static const struct gongwen_para body[] = {
	{ GONGWEN_TEXT, "经监测，截至2026年12月1日，贵单位账号存在以下问题。", NULL },
	{ GONGWEN_H1, "一、存在问题", NULL },
	{ GONGWEN_H2, "（一）限期整改。", "请于2026年12月16日前完成整改。" },
};

static const char *const header[] = { "序号", "平台", "账号名称", "问题",
    "最后更新", "整改时限" };
static const char *const cells[] = {
	"1", "抖音", "武平文旅", "超期未更新", "2026年11月10日", "2026年12月16日",
	"2", "今日头条", "武平文旅", "长期未更新", "2026年8月26日", "2026年12月16日",
};
static const struct gongwen_table problems = {
	.n_cols = 6, .header = header, .n_rows = 2, .cells = cells,
	.align = "ccclcc",
};
static const struct gongwen_attachment attachment = {
	.title = "政务新媒体账号问题清单", .table = &problems,
};

static struct gongwen
sample(void)
{
	return (struct gongwen){
		.issuer_mark = "武平县电子政务中心文件",
		.serial = "武政新通〔2026〕3号",
		.title = "关于县文化和旅游局政务新媒体账号存在问题的通报",
		.addressee = "县文化和旅游局",
		.body = body, .n_body = ARRAY_SIZE(body),
		.attachments = &attachment, .n_attachments = 1,
		.signature = "武平县电子政务中心",
		.date = "2026-12-02",
		.sealed = true,
		.copy_to = "县委网信办，县政府办公室",
		.printer = "武平县电子政务中心",
		.print_date = "2026-12-03",
		.created = 1796173200,
	};
}

/* ---- reading a document back ---- */

struct docx {
	char     *data;
	size_t    len;
};

static void
render(const struct gongwen *gw, struct docx *out)
{
	char *error = NULL;

	if (gongwen_docx(gw, &out->data, &out->len, &error) == -1)
		fail_msg("gongwen_docx: %s", error);
	assert_null(error);
	assert_true(out->len > 0);
}

/* The bytes of one part, NUL-terminated; NULL when the package lacks it. */
static char *
part(const struct docx *d, const char *name)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_file_t *f;
	zip_stat_t st;
	char *buf = NULL;

	zip_error_init(&ze);
	src = zip_source_buffer_create(d->data, d->len, 0, &ze);
	assert_non_null(src);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL)
		fail_msg("not a zip archive: %s", zip_error_strerror(&ze));
	if (zip_stat(za, name, 0, &st) == 0 && (f = zip_fopen(za, name, 0))) {
		buf = xmalloc(st.size + 1);
		assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
		buf[st.size] = '\0';
		zip_fclose(f);
	}
	zip_close(za);
	zip_error_fini(&ze);
	return buf;
}

/* The string value of an XPath expression (prefix w) over a part. */
static char *
xpath(const struct docx *d, const char *name, const char *expr)
{
	char *xml = part(d, name), *value;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;

	if (xml == NULL)
		fail_msg("%s: no such part", name);
	doc = xmlReadMemory(xml, (int)strlen(xml), name, NULL, XML_PARSE_NONET);
	if (doc == NULL)
		fail_msg("%s: not well-formed XML", name);
	ctx = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"w", (const xmlChar *)W_NS);
	obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	assert_non_null(obj);
	value = (char *)xmlXPathCastToString(obj);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	return value;
}

static void
assert_xpath(const struct docx *d, const char *name, const char *expr,
    const char *want)
{
	char *got = xpath(d, name, expr);

	if (strcmp(got, want) != 0)
		fail_msg("%s: %s is \"%s\", expected \"%s\"", name, expr, got,
		    want);
	xmlFree(got);
}

/* The text of the first paragraph of a style. */
static char *
styled_text(const struct docx *d, const char *style)
{
	char expr[160];

	snprintf(expr, sizeof(expr), "string(//w:p[w:pPr/w:pStyle/@w:val='%s'])",
	    style);
	return xpath(d, "word/document.xml", expr);
}

static void
assert_styled(const struct docx *d, const char *style, const char *want)
{
	char *got = styled_text(d, style);

	if (strcmp(got, want) != 0)
		fail_msg("%s paragraph is \"%s\", expected \"%s\"", style, got,
		    want);
	xmlFree(got);
}

/* ---- temporary folders ---- */

static char *
tmpdir_new(void)
{
	char *t = xstrdup("/tmp/mw-test-docx.XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static size_t
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
tmpdir_free(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *path;

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

/* ---- tests ---- */

static void
dates_are_written_without_leading_zeros(void **state)
{
	char buf[GONGWEN_DATE_SIZE];

	(void)state;
	assert_int_equal(gongwen_date("2026-12-02", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2026年12月2日");
	assert_int_equal(gongwen_date("2027-01-31", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2027年1月31日");
	assert_int_equal(gongwen_date("2028-02-29", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2028年2月29日");
	assert_int_equal(gongwen_date("2026-02-29", buf, sizeof(buf)), -1);
	assert_int_equal(gongwen_date("2026-1-2", buf, sizeof(buf)), -1);
	assert_int_equal(gongwen_date("2026-12-02x", buf, sizeof(buf)), -1);
	assert_int_equal(gongwen_date("", buf, sizeof(buf)), -1);
	assert_int_equal(gongwen_date(NULL, buf, sizeof(buf)), -1);
	assert_int_equal(gongwen_date("2026-12-02", buf, 10), -1);
}

static void
sample_is_written_to_a_folder_as_a_complete_package(void **state)
{
	static const char *const names[] = { "[Content_Types].xml",
	    "_rels/.rels", "docProps/core.xml", "docProps/app.xml",
	    "word/document.xml", "word/styles.xml", "word/settings.xml",
	    "word/fontTable.xml", "word/footer1.xml", "word/footer2.xml",
	    "word/_rels/document.xml.rels" };
	struct gongwen gw = sample();
	char *dir = tmpdir_new(), *path = xasprintf("%s/notice.docx", dir);
	char *error = NULL, *xml;
	struct strbuf sb = STRBUF_INIT;
	struct docx d;
	FILE *f;
	size_t i;

	(void)state;
	assert_int_equal(gongwen_docx_write(&gw, path, &error), 0);
	assert_null(error);
	assert_int_equal(entries(dir), 1);          /* no temporary left */
	f = fopen(path, "rb");
	assert_non_null(f);
	for (int c; (c = fgetc(f)) != EOF;)
		sb_putc(&sb, (char)c);
	fclose(f);
	d.len = sb.len;
	d.data = sb_steal(&sb);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if ((xml = part(&d, names[i])) == NULL)
			fail_msg("%s is missing", names[i]);
		free(xml);
	}
	assert_xpath(&d, "word/_rels/document.xml.rels",
	    "string(//*[@Id='rIdFooterEven']/@Target)", "footer2.xml");
	free(d.data);
	free(path);
	tmpdir_free(dir);
}

static void
header_title_and_addressee_are_in_their_styles(void **state)
{
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	render(&gw, &d);
	assert_styled(&d, "GwMark", "武平县电子政务中心文件");
	assert_styled(&d, "GwSerial", "武政新通〔2026〕3号");
	assert_styled(&d, "GwTitle", gw.title);
	assert_styled(&d, "GwAddressee", "县文化和旅游局：");
	assert_styled(&d, "GwHeading1", "一、存在问题");
	assert_styled(&d, "GwHeading2", "（一）限期整改。请于2026年12月16日前完成整改。");
	assert_styled(&d, "GwAttachNote", "附件：政务新媒体账号问题清单");
	assert_styled(&d, "GwSignature", "武平县电子政务中心");
	assert_styled(&d, "GwDate", "2026年12月2日");
	assert_styled(&d, "GwAttachLabel", "附件");
	assert_styled(&d, "GwAttachTitle", "政务新媒体账号问题清单");
	/* the run-on text keeps the body face */
	assert_xpath(&d, "word/document.xml", "string(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwHeading2']/w:r[2]/w:rPr/w:rStyle/@w:val)", "GwBodyChar");
	/* the separator is the serial's red bottom border */
	assert_xpath(&d, "word/styles.xml", "string(//w:style[@w:styleId="
	    "'GwSerial']/w:pPr/w:pBdr/w:bottom/@w:color)", "FF0000");
	assert_xpath(&d, "word/styles.xml", "string(//w:style[@w:styleId="
	    "'GwMark']/w:rPr/w:color/@w:val)", "FF0000");
	free(d.data);
}

static void
page_follows_the_standard(void **state)
{
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	render(&gw, &d);
	/* A4, 37 mm top, 35 bottom, 28 left, 26 right, in twips */
	assert_xpath(&d, "word/document.xml", "concat(//w:pgSz/@w:w, 'x', "
	    "//w:pgSz/@w:h)", "11906x16838");
	assert_xpath(&d, "word/document.xml", "concat(//w:pgMar/@w:top, ' ', "
	    "//w:pgMar/@w:bottom, ' ', //w:pgMar/@w:left, ' ', "
	    "//w:pgMar/@w:right)", "2098 1984 1588 1474");
	/* 22 lines: 225 mm / 22 = 28.95 pt, exact, on the line grid */
	assert_xpath(&d, "word/document.xml", "string(//w:docGrid/@w:linePitch)",
	    "579");
	assert_xpath(&d, "word/styles.xml", "concat(//w:style[@w:styleId="
	    "'Normal']/w:pPr/w:spacing/@w:line, ' ', //w:style[@w:styleId="
	    "'Normal']/w:pPr/w:spacing/@w:lineRule)", "579 exact");
	/* 3号 body in 仿宋_GB2312, 2号 title in 方正小标宋简体 */
	assert_xpath(&d, "word/styles.xml", "concat(//w:style[@w:styleId="
	    "'Normal']/w:rPr/w:sz/@w:val, ' ', //w:style[@w:styleId='Normal']"
	    "/w:rPr/w:rFonts/@w:eastAsia)", "32 仿宋_GB2312");
	assert_xpath(&d, "word/styles.xml", "concat(//w:style[@w:styleId="
	    "'GwTitle']/w:rPr/w:sz/@w:val, ' ', //w:style[@w:styleId='GwTitle']"
	    "/w:rPr/w:rFonts/@w:eastAsia)", "44 方正小标宋简体");
	assert_xpath(&d, "word/styles.xml", "string(//w:style[@w:styleId="
	    "'GwHeading1']/w:rPr/w:rFonts/@w:eastAsia)", "黑体");
	assert_xpath(&d, "word/styles.xml", "string(//w:style[@w:styleId="
	    "'GwHeading2']/w:rPr/w:rFonts/@w:eastAsia)", "楷体_GB2312");
	/* page numbers outside: odd right, even left, on different footers */
	assert_xpath(&d, "word/settings.xml", "count(//w:evenAndOddHeaders)", "1");
	assert_xpath(&d, "word/footer1.xml", "concat(//w:jc/@w:val, '|', "
	    "(//w:t)[1], '|', normalize-space(//w:instrText), '|', (//w:t)[3])",
	    "right|— |PAGE| —");
	assert_xpath(&d, "word/footer2.xml", "string(//w:jc/@w:val)", "left");
	free(d.data);
}

static void
table_has_a_repeated_header_row_and_every_row(void **state)
{
	struct gongwen gw = sample();
	struct docx d;
	char *widths;

	(void)state;
	render(&gw, &d);
	assert_xpath(&d, "word/document.xml", "count((//w:tbl)[1]/w:tr)", "3");
	assert_xpath(&d, "word/document.xml",
	    "count((//w:tbl)[1]/w:tr[1]/w:trPr/w:tblHeader)", "1");
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[1]/w:tr[3]/w:tc[2])", "今日头条");
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[1]/w:tr[2]/w:tc[1]//w:jc/@w:val)", "center");
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[1]/w:tr[2]/w:tc[4]//w:jc/@w:val)", "left");
	/* the columns fill the 156 mm text block exactly */
	widths = xpath(&d, "word/document.xml",
	    "sum((//w:tbl)[1]/w:tblGrid/w:gridCol/@w:w)");
	assert_string_equal(widths, "8844");
	xmlFree(widths);
	free(d.data);
}

static void
imprint_floats_at_the_foot_between_rules(void **state)
{
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	render(&gw, &d);
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[2]//w:tblpPr/@w:tblpYSpec)", "bottom");
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[2]/w:tr[1])", "抄送：县委网信办，县政府办公室。");
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[2]/w:tr[2])", "武平县电子政务中心2026年12月3日印发");
	assert_xpath(&d, "word/document.xml",
	    "count((//w:tbl)[2]/w:tr[2]//w:r/w:tab)", "1");
	assert_xpath(&d, "word/document.xml", "concat((//w:tbl)[2]//w:tblBorders/"
	    "w:top/@w:sz, ' ', (//w:tbl)[2]//w:tblBorders/w:insideH/@w:sz, ' ', "
	    "(//w:tbl)[2]//w:tblBorders/w:bottom/@w:sz)", "8 6 8");
	free(d.data);
}

static void
signature_is_placed_for_a_seal_or_without_one(void **state)
{
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	/* sealed: the date 4 characters from the right; the signature
	 * (9 characters) centred over the date (6.5 characters) */
	render(&gw, &d);
	assert_xpath(&d, "word/document.xml", "string(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwDate']/w:pPr/w:ind/@w:right)", "1280");
	assert_xpath(&d, "word/document.xml", "string(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwSignature']/w:pPr/w:ind/@w:right)", "880");
	free(d.data);
	/* unsealed: the signature 2 from the right, the date starting 2
	 * characters right of the signature's first */
	gw.sealed = false;
	render(&gw, &d);
	assert_xpath(&d, "word/document.xml", "string(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwSignature']/w:pPr/w:ind/@w:right)", "640");
	assert_xpath(&d, "word/document.xml", "string(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwDate']/w:pPr/w:ind/@w:right)", "800");
	free(d.data);
}

static void
markup_in_text_is_escaped(void **state)
{
	struct gongwen gw = sample();
	struct docx d;
	char *xml;

	(void)state;
	gw.title = "关于<w:b/>&amp;\"测试\"的通报";
	gw.addressee = "]]></w:t></w:r></w:p><w:p>";
	render(&gw, &d);
	assert_styled(&d, "GwTitle", gw.title);
	assert_styled(&d, "GwAddressee", "]]></w:t></w:r></w:p><w:p>：");
	xml = part(&d, "word/document.xml");
	assert_contains(xml, "关于&lt;w:b/&gt;&amp;amp;");
	assert_null(strstr(xml, "<w:b/>"));
	free(xml);
	free(d.data);
}

static void
control_characters_are_dropped_and_newlines_break(void **state)
{
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	gw.title = "关于\x01账号\x7f问题\xc2\x85的\t通报\n（第二行）";
	render(&gw, &d);
	assert_styled(&d, "GwTitle", "关于账号问题的通报（第二行）");
	assert_xpath(&d, "word/document.xml", "count(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwTitle']//w:br)", "1");
	free(d.data);
}

static void
assert_refused(struct gongwen *gw, const char *want)
{
	char *error = NULL, *data = (char *)"untouched";
	size_t len = 99;

	assert_int_equal(gongwen_docx(gw, &data, &len, &error), -1);
	assert_null(data);
	assert_non_null(error);
	assert_contains(error, want);
	free(error);
}

static void
bad_descriptions_are_refused_naming_the_field(void **state)
{
	struct gongwen_para bad_body[] = {
		{ GONGWEN_TEXT, "好", NULL }, { GONGWEN_TEXT, "坏\xff", NULL },
	};
	struct gongwen_table table = problems;
	struct gongwen_attachment att = attachment;
	struct gongwen_fonts fonts = { .body = "仿宋\x01" };
	const char *bad_cells[12];
	struct gongwen gw;

	(void)state;
	gw = sample();
	gw.title = NULL;
	assert_refused(&gw, "title: required");
	gw = sample();
	gw.body = bad_body;
	gw.n_body = 2;
	assert_refused(&gw, "body[1]: invalid UTF-8");
	gw = sample();
	gw.serial = "武政新通〔2026\xe3\x80";
	assert_refused(&gw, "serial: invalid UTF-8");
	gw = sample();
	gw.date = "2026-13-01";
	assert_refused(&gw, "date: '2026-13-01' is not a date");
	gw = sample();
	gw.fonts = &fonts;
	assert_refused(&gw, "fonts.body");

	memcpy(bad_cells, cells, sizeof(bad_cells));
	bad_cells[9] = "\xc0\xae";                 /* an overlong '.' */
	table.cells = bad_cells;
	att.table = &table;
	gw = sample();
	gw.attachments = &att;
	assert_refused(&gw, "attachments[0].table.cells[1][3]: invalid UTF-8");
	table = problems;
	table.align = "ccxlcc";
	assert_refused(&gw, "attachments[0].table.align[2]");
	table = problems;
	table.n_cols = 0;
	assert_refused(&gw, "a table needs columns");
	att = attachment;
	att.title = "";
	assert_refused(&gw, "attachments[0].title: required");
}

static void
same_description_gives_the_same_bytes(void **state)
{
	struct gongwen gw = sample();
	struct docx a, b;

	(void)state;
	render(&gw, &a);
	render(&gw, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	free(a.data);
	free(b.data);
}

static void
refused_document_leaves_the_old_file(void **state)
{
	struct gongwen gw = sample();
	char *dir = tmpdir_new(), *path = xasprintf("%s/notice.docx", dir);
	char *error = NULL, buf[16] = "";
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	fputs("old", f);
	fclose(f);
	gw.addressee = "\xed\xa0\x80";            /* a UTF-16 surrogate */
	assert_int_equal(gongwen_docx_write(&gw, path, &error), -1);
	assert_contains(error, "addressee: invalid UTF-8");
	free(error);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old");
	assert_int_equal(entries(dir), 1);
	free(path);
	tmpdir_free(dir);
}

static void
unwritable_folder_is_an_error_naming_the_path(void **state)
{
	struct gongwen gw = sample();
	char *error = NULL;

	(void)state;
	assert_int_equal(gongwen_docx_write(&gw, "/nonexistent-mw/notice.docx",
	    &error), -1);
	assert_contains(error, "/nonexistent-mw/notice.docx");
	free(error);
	assert_int_equal(gongwen_docx_write(&gw, "", &error), -1);
	free(error);
}

static void
fonts_are_configurable_and_listed(void **state)
{
	struct gongwen_fonts fonts = { .body = "FangSong", .title = "\"SimSun\"" };
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	gw.fonts = &fonts;
	render(&gw, &d);
	assert_xpath(&d, "word/styles.xml", "concat(//w:style[@w:styleId="
	    "'Normal']/w:rPr/w:rFonts/@w:eastAsia, ' ', //w:style[@w:styleId="
	    "'Normal']/w:rPr/w:rFonts/@w:ascii)", "FangSong FangSong");
	assert_xpath(&d, "word/styles.xml", "string(//w:style[@w:styleId="
	    "'GwTitle']/w:rPr/w:rFonts/@w:eastAsia)", "\"SimSun\"");
	/* unset members keep the defaults */
	assert_xpath(&d, "word/styles.xml", "string(//w:style[@w:styleId="
	    "'GwHeading1']/w:rPr/w:rFonts/@w:eastAsia)", "黑体");
	assert_xpath(&d, "word/fontTable.xml", "count(//w:font[@w:name="
	    "'FangSong'])", "1");
	assert_xpath(&d, "word/fontTable.xml", "string(//w:font[@w:name="
	    "'楷体_GB2312']/w:altName/@w:val)", "楷体");
	free(d.data);
}

static void
optional_parts_are_left_out(void **state)
{
	struct gongwen gw = { .title = "关于开展政务新媒体自查的通知" };
	struct docx d;

	(void)state;
	render(&gw, &d);
	assert_xpath(&d, "word/document.xml", "count(//w:tbl)", "0");
	assert_xpath(&d, "word/document.xml", "count(//w:pStyle[@w:val="
	    "'GwMark' or @w:val='GwSerial' or @w:val='GwSignature'])", "0");
	assert_styled(&d, "GwTitle", "关于开展政务新媒体自查的通知");
	free(d.data);
	/* a preview: the header and its red rule, but no number */
	gw.issuer_mark = "武平县电子政务中心文件";
	render(&gw, &d);
	assert_xpath(&d, "word/document.xml", "count(//w:pStyle[@w:val="
	    "'GwSerial'])", "1");
	assert_styled(&d, "GwSerial", "");
	free(d.data);
}

static void
several_attachments_are_numbered_and_paged(void **state)
{
	static const unsigned widths[] = { 1, 1, 2, 4, 2, 2 };
	struct gongwen_table wide = problems;
	struct gongwen_attachment atts[3] = {
		{ .title = "问题清单", .table = &wide },
		{ .title = "另行报送的账号备案表" },         /* listed only */
		{ .title = "整改情况报告模板", .body = body, .n_body = 1 },
	};
	struct gongwen gw = sample();
	struct docx d;

	(void)state;
	wide.widths = widths;
	gw.attachments = atts;
	gw.n_attachments = 3;
	render(&gw, &d);
	/* 附件：1.… then 2.… and 3.… under the 1, wrapped names aligned
	 * with their first character */
	assert_xpath(&d, "word/document.xml", "concat(string(//w:p[w:pPr/"
	    "w:pStyle/@w:val='GwAttachNote'][1]), '|', string(//w:p[w:pPr/"
	    "w:pStyle/@w:val='GwAttachNote'][3]))",
	    "附件：1.问题清单|3.整改情况报告模板");
	assert_xpath(&d, "word/document.xml", "concat(//w:p[w:pPr/w:pStyle/"
	    "@w:val='GwAttachNote'][1]/w:pPr/w:ind/@w:left, ' ', //w:p[w:pPr/"
	    "w:pStyle/@w:val='GwAttachNote'][1]/w:pPr/w:ind/@w:hanging, ' ', "
	    "//w:p[w:pPr/w:pStyle/@w:val='GwAttachNote'][2]/w:pPr/w:ind/"
	    "@w:hanging)", "1920 1280 320");
	/* pages only for the attachments with content */
	assert_xpath(&d, "word/document.xml", "concat(count(//w:pageBreakBefore),"
	    " ' ', string(//w:p[w:pPr/w:pStyle/@w:val='GwAttachLabel'][2]))",
	    "2 附件3");
	/* the caller's proportions: 1/12 of 8844 twips */
	assert_xpath(&d, "word/document.xml",
	    "string((//w:tbl)[1]/w:tblGrid/w:gridCol[1]/@w:w)", "737");
	free(d.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_are_written_without_leading_zeros),
		cmocka_unit_test(sample_is_written_to_a_folder_as_a_complete_package),
		cmocka_unit_test(header_title_and_addressee_are_in_their_styles),
		cmocka_unit_test(page_follows_the_standard),
		cmocka_unit_test(table_has_a_repeated_header_row_and_every_row),
		cmocka_unit_test(imprint_floats_at_the_foot_between_rules),
		cmocka_unit_test(signature_is_placed_for_a_seal_or_without_one),
		cmocka_unit_test(markup_in_text_is_escaped),
		cmocka_unit_test(control_characters_are_dropped_and_newlines_break),
		cmocka_unit_test(bad_descriptions_are_refused_naming_the_field),
		cmocka_unit_test(same_description_gives_the_same_bytes),
		cmocka_unit_test(refused_document_leaves_the_old_file),
		cmocka_unit_test(unwritable_folder_is_an_error_naming_the_path),
		cmocka_unit_test(fonts_are_configurable_and_listed),
		cmocka_unit_test(optional_parts_are_left_out),
		cmocka_unit_test(several_attachments_are_numbered_and_paged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
