/* fuzz_filetype.c — filetype_check() over any bytes: the evidence units
 * upload is hostile input, read before anything else looks at it. */
#include "base/filetype.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	enum filetype t = filetype_check(data, size, &why);

	FUZZ_ASSERT((t == FILETYPE_UNKNOWN) == (why != NULL),
	    "a refusal comes with a reason, a type without one");
	return 0;
}
