/* fuzz.h — what every libFuzzer target in tests/fuzz/ shares.
 *
 * Each target is one fuzz_<name>.c defining LLVMFuzzerTestOneInput(); mk/fuzz.mk
 * builds and runs them.  MW_SRCDIR is the source tree, for targets that load
 * a fixed file (a word list, the example configuration) once at start. */
#ifndef MW_FUZZ_H
#define MW_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The library logs its refusals, which fuzzing produces by the million; a
 * verbosity below LOG_EMERG silences even fatal().  FUZZ_VERBOSE=1 in the
 * environment lets them through, to see what one input does.  Dates without
 * a zone are read in the project's default zone, as the programs do. */
static inline void
fuzz_setup(void)
{
	const char *verbose = getenv("FUZZ_VERBOSE");

	log_init("fuzz", LOG_TARGET_PLAIN, verbose && *verbose == '1' ? 2 : -100);
	if (tz_set("Asia/Shanghai") == -1)
		tz_set("UTC");
}

/* The input as a NUL-terminated string (it may hold NULs itself). */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A broken promise of a header: report it like a crash, with a message that
 * says which one. */
#define FUZZ_ASSERT(cond, what) do {                                      \
	if (!(cond)) {                                                    \
		fprintf(stderr, "fuzz: contract broken: %s (%s:%d)\n",    \
		    (what), __FILE__, __LINE__);                          \
		abort();                                                  \
	}                                                                 \
} while (0)

#endif
