/* secret.h — passwords and tokens of the console's logins.
 *
 * Passwords are hashed with argon2id (libargon2) in its encoded form, which
 * carries its own salt and cost, so the cost can rise later without
 * breaking old hashes.  Tokens come from the kernel's random source and are
 * stored only as their SHA-256 (GnuTLS). */
#ifndef MW_SECRET_H
#define MW_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_HEX 65                 /* 256 bits as hex, with the NUL */

/* NULL when pw is an acceptable password, else why not (English). */
const char *password_check(const char *pw);
/* The encoded argon2id hash of pw (caller frees); NULL on failure (logged). */
char *password_hash(const char *pw);
/* Whether pw matches encoded.  With encoded NULL (no such user) it does the
 * same work against a fixed hash and returns false, so a login for an
 * unknown name takes as long as one for a known name. */
bool  password_verify(const char *encoded, const char *pw);

/* 32 random bytes as 64 hex digits into out (TOKEN_HEX bytes); -1 when the
 * kernel gives no randomness (logged). */
int   token_new(char *out);
/* The SHA-256 of s as 64 hex digits into out (TOKEN_HEX bytes). */
void  token_hash(const char *s, char *out);
/* Compares two strings in time that depends only on their lengths. */
bool  token_equal(const char *a, const char *b);

#endif
