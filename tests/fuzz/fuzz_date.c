/* fuzz_date.c — date_parse() over any text, and the stricter readers of
 * dates and durations that take command-line and configuration values. */
#include <time.h>

#include "fuzz.h"
#include "poll/dateparse.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	long long seconds;
	time_t t;

	date_parse(s, &t);
	local_time_parse(s, &t);
	iso_date_valid(s);
	duration_parse(s, &seconds);
	free(s);
	return 0;
}
