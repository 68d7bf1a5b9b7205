/* secret.c — argon2id passwords, random tokens, SHA-256. */
#include <argon2.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "access/secret.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/util.h"

/* OWASP's argon2id minimum (19 MiB, 2 passes): about 50 ms a login on
 * the 2-core machine, far too slow for guessing at scale. */
#define ARGON_T        2
#define ARGON_M_KIB    19456
#define ARGON_P        1
#define ARGON_SALT     16
#define ARGON_HASH     32
#define PASSWORD_MIN   8
#define PASSWORD_MAX   256

const char *
password_check(const char *pw)
{
	size_t len = pw ? strlen(pw) : 0;

	if (len < PASSWORD_MIN)
		return N_("must have at least 8 characters");
	if (len > PASSWORD_MAX)
		return N_("must have at most 256 bytes");
	if (!utf8_valid(pw, len) || has_control_chars(pw))
		return N_("must be UTF-8 text without control characters");
	return NULL;
}

static int
random_bytes(unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = getrandom(buf + got, n - got, 0)) == -1) {
			log_warn("getrandom");
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

char *
password_hash(const char *pw)
{
	unsigned char salt[ARGON_SALT];
	size_t len = argon2_encodedlen(ARGON_T, ARGON_M_KIB, ARGON_P, ARGON_SALT,
	    ARGON_HASH, Argon2_id);
	char *encoded = xmalloc(len);
	int rc;

	if (random_bytes(salt, sizeof(salt)) == -1) {
		free(encoded);
		return NULL;
	}
	rc = argon2id_hash_encoded(ARGON_T, ARGON_M_KIB, ARGON_P, pw, strlen(pw),
	    salt, sizeof(salt), ARGON_HASH, encoded, len);
	if (rc != ARGON2_OK) {
		log_warnx(N_("argon2id: %s"), argon2_error_message(rc));
		free(encoded);
		return NULL;
	}
	return encoded;
}

/* The hash of a random password nobody knows, made once, for logins with
 * unknown names. */
static char *decoy_hash;
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void
decoy_make(void)
{
	char pw[TOKEN_HEX];

	if (token_new(pw) == 0)
		decoy_hash = password_hash(pw);
}

bool
password_verify(const char *encoded, const char *pw)
{
	int rc;

	if (pw == NULL || strlen(pw) > PASSWORD_MAX)
		return false;
	if (encoded == NULL) {
		pthread_once(&decoy_once, decoy_make);
		if (decoy_hash != NULL)
			argon2id_verify(decoy_hash, pw, strlen(pw));
		return false;
	}
	rc = argon2id_verify(encoded, pw, strlen(pw));
	return rc == ARGON2_OK;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int
token_new(char *out)
{
	unsigned char b[32];

	if (random_bytes(b, sizeof(b)) == -1)
		return -1;
	hex(b, sizeof(b), out);
	return 0;
}

void
token_hash(const char *s, char *out)
{
	unsigned char digest[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), digest) != 0)
		fatalx("SHA-256 is not available");
	hex(digest, sizeof(digest), out);
}

bool
token_equal(const char *a, const char *b)
{
	size_t i, la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}
