/* test_ledger.c — the forms a ledger spreadsheet's values take: Excel
 * serial days in both date systems, dates as people write them, headings,
 * statuses, column names and the formula guard of the export.
 *
 * Whole workbooks are read in tests/integration/test_ledger.py, written by
 * openpyxl, LibreOffice and by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sheet.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "base/xlsx_read.h"
#include "registry/ledger_forms.h"

static void
assert_serial(double serial, bool date1904, const char *want)
{
	char buf[32];

	if (want == NULL) {
		assert_int_equal(xlsx_serial_date(serial, date1904, buf,
		    sizeof(buf)), -1);
		return;
	}
	assert_int_equal(xlsx_serial_date(serial, date1904, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void
serial_days_count_from_1900_with_its_phantom_leap_day(void **state)
{
	(void)state;
	assert_serial(1, false, "1900-01-01");
	assert_serial(59, false, "1900-02-28");
	assert_serial(60, false, NULL);          /* 1900-02-29 never was */
	assert_serial(61, false, "1900-03-01");
	assert_serial(43529, false, "2019-03-05");
	assert_serial(43529.5, false, "2019-03-05 12:00:00");
	assert_serial(43529.99999999, false, "2019-03-06");  /* rounds up */
	assert_serial(2958465, false, "9999-12-31");
	assert_serial(2958466, false, NULL);
	assert_serial(0, false, NULL);
	assert_serial(-1, false, NULL);
}

static void
serial_days_count_from_1904_when_the_workbook_says_so(void **state)
{
	(void)state;
	assert_serial(0, true, "1904-01-01");
	assert_serial(42067, true, "2019-03-05");
	assert_serial(60, true, "1904-03-01");
	assert_serial(2957003, true, "9999-12-31");
}

static void
assert_date(const char *text, enum cell_kind kind, bool date1904,
    const char *want)
{
	char out[11];
	const char *why = ledger_date_parse(text, kind, date1904, out);

	if (want == NULL) {
		assert_non_null(why);
		return;
	}
	if (why)
		fail_msg("'%s': %s", text, why);
	assert_string_equal(out, want);
}

static void
dates_are_read_as_people_write_them(void **state)
{
	(void)state;
	assert_date("2019-03-05", CELL_TEXT, false, "2019-03-05");
	assert_date("2019-3-5", CELL_TEXT, false, "2019-03-05");
	assert_date("2019/3/5", CELL_TEXT, false, "2019-03-05");
	assert_date("2019/03/05 0:00", CELL_TEXT, false, "2019-03-05");
	assert_date("2019.3.5", CELL_TEXT, false, "2019-03-05");
	assert_date("2019年3月5日", CELL_TEXT, false, "2019-03-05");
	assert_date("2019年03月05号", CELL_TEXT, false, "2019-03-05");
	assert_date("20190305", CELL_TEXT, false, "2019-03-05");
	assert_date("43529", CELL_TEXT, false, "2019-03-05");
	assert_date("43529", CELL_NUMBER, false, "2019-03-05");
	assert_date("42067", CELL_NUMBER, true, "2019-03-05");
	/* a CSV's number is always 1900-based: CSV has no date system */
	assert_date("43529", CELL_TEXT, true, "2019-03-05");
	assert_date("2019-03-05 08:30:00", CELL_DATE, false, "2019-03-05");
	/* refused */
	assert_date("2019-02-29", CELL_TEXT, false, NULL);
	assert_date("2019/13/5", CELL_TEXT, false, NULL);
	assert_date("2019年3月", CELL_TEXT, false, NULL);
	assert_date("2019-3/5", CELL_TEXT, false, NULL);
	assert_date("三月五日", CELL_TEXT, false, NULL);
	assert_date("20190230", CELL_TEXT, false, NULL);
	assert_date("60", CELL_NUMBER, false, NULL);
	assert_date("2019-03-05x", CELL_TEXT, false, NULL);
	assert_date("-43529", CELL_TEXT, false, NULL);
}

static void
headings_in_chinese_or_english_name_the_fields(void **state)
{
	(void)state;
	assert_int_equal(ledger_field_of_heading("单位代码"), LF_UNIT_CODE);
	assert_int_equal(ledger_field_of_heading("unit_code"), LF_UNIT_CODE);
	assert_int_equal(ledger_field_of_heading("Unit_Code"), LF_UNIT_CODE);
	assert_int_equal(ledger_field_of_heading("责任单位"), LF_UNIT_NAME);
	assert_int_equal(ledger_field_of_heading(" 平台 "), LF_PLATFORM);
	assert_int_equal(ledger_field_of_heading("*账号名称"), LF_NAME);
	assert_int_equal(ledger_field_of_heading("账号名称＊"), LF_NAME);
	assert_int_equal(ledger_field_of_heading("账号ID"), LF_UID);
	assert_int_equal(ledger_field_of_heading("账号id"), LF_UID);
	assert_int_equal(ledger_field_of_heading("开设时间"), LF_OPENED);
	assert_int_equal(ledger_field_of_heading("序号"), LF_SEQ);
	assert_int_equal(ledger_field_of_heading("备注"), LF_NOTES);
	assert_int_equal(ledger_field_of_heading("状态"), LF_STATUS);
	assert_int_equal(ledger_field_of_heading("颜色"), -1);
	assert_int_equal(ledger_field_of_heading(""), -1);
}

static void
status_words_map_to_the_four_statuses_and_back(void **state)
{
	static const char *const statuses[] = { "active", "suspended", "closed",
	    "merged" };
	size_t i;

	(void)state;
	assert_string_equal(ledger_status_parse("在用"), "active");
	assert_string_equal(ledger_status_parse("暂停"), "suspended");
	assert_string_equal(ledger_status_parse("关停"), "closed");
	assert_string_equal(ledger_status_parse("注销"), "closed");
	assert_string_equal(ledger_status_parse("整合"), "merged");
	assert_string_equal(ledger_status_parse("Active"), "active");
	assert_null(ledger_status_parse("停摆"));
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		assert_string_equal(ledger_status_parse(
		    ledger_status_word(statuses[i])), statuses[i]);
}

static void
assert_guard(const char *text, bool always, const char *guarded)
{
	char *g = sheet_guard(text, always), *back = sheet_unguard(g);

	assert_string_equal(g, guarded);
	assert_string_equal(back, text);
	free(g);
	free(back);
}

static void
formula_guard_is_undone_exactly(void **state)
{
	(void)state;
	assert_guard("=HYPERLINK(\"http://x\")", true, "'=HYPERLINK(\"http://x\")");
	assert_guard("+86 0599", true, "'+86 0599");
	assert_guard("-", true, "'-");
	assert_guard("@某某", true, "'@某某");
	assert_guard("'=1", true, "''=1");
	assert_guard("''-1", true, "'''-1");
	assert_guard("'quoted", true, "'quoted");
	assert_guard("武夷山发布", true, "武夷山发布");
	assert_guard("", true, "");
	/* cells that are text already (.xlsx) keep their first character */
	assert_guard("=1+1", false, "=1+1");
	assert_guard("'=1", false, "''=1");
	assert_guard("-", false, "-");
}

static void
cell_values_are_trimmed_and_unguarded(void **state)
{
	char *v;

	(void)state;
	v = ledger_cell_value("\u3000 武夷山发布\u00a0 ");
	assert_string_equal(v, "武夷山发布");
	free(v);
	v = ledger_cell_value(" '=SUM(A1) ");
	assert_string_equal(v, "=SUM(A1)");
	free(v);
}

static void
columns_are_named_as_the_file_shows_them(void **state)
{
	struct sheet xlsx = { .letters = true }, csv = { .letters = false };
	char buf[12];

	(void)state;
	assert_string_equal(sheet_column_name(&xlsx, 0, buf), "A");
	assert_string_equal(sheet_column_name(&xlsx, 25, buf), "Z");
	assert_string_equal(sheet_column_name(&xlsx, 26, buf), "AA");
	assert_string_equal(sheet_column_name(&xlsx, 16383, buf), "XFD");
	assert_string_equal(sheet_column_name(&csv, 2, buf), "3");
}

static void
not_a_workbook_is_refused_with_a_reason(void **state)
{
	struct sheet s;
	char *error = NULL;

	(void)state;
	assert_false(xlsx_is_zip("a,b\n", 4));
	assert_true(xlsx_is_zip("PK\003\004rest", 8));
	assert_int_equal(xlsx_read("PK\003\004garbage", 11, NULL, &s, &error), -1);
	assert_non_null(strstr(error, "not an .xlsx workbook"));
	free(error);
}

static int
setup_zone(void **state)
{
	(void)state;
	return tz_set("Asia/Shanghai");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serial_days_count_from_1900_with_its_phantom_leap_day),
		cmocka_unit_test(serial_days_count_from_1904_when_the_workbook_says_so),
		cmocka_unit_test(dates_are_read_as_people_write_them),
		cmocka_unit_test(headings_in_chinese_or_english_name_the_fields),
		cmocka_unit_test(status_words_map_to_the_four_statuses_and_back),
		cmocka_unit_test(formula_guard_is_undone_exactly),
		cmocka_unit_test(cell_values_are_trimmed_and_unguarded),
		cmocka_unit_test(columns_are_named_as_the_file_shows_them),
		cmocka_unit_test(not_a_workbook_is_refused_with_a_reason),
	};

	return cmocka_run_group_tests(tests, setup_zone, NULL);
}
