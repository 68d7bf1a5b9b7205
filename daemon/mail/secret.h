/* secret.h — passwords, robot addresses and signing secrets, read from
 * files at each use.
 *
 * A configured name without a slash is a systemd credential
 * ($CREDENTIALS_DIRECTORY/NAME, LoadCredential=), anything else a path
 * (config_password_path()).  The caller wipes the secret (explicit_bzero)
 * and frees it as soon as it has passed it on; it is never logged: errors
 * name the file, never its contents. */
#ifndef MW_SECRET_H
#define MW_SECRET_H

#define SECRET_MAX 4096

/* The file's contents, one trailing line end removed.  what names the
 * secret in errors ("the SMTP password").  Returns 0, or -1 with *error
 * (caller frees). */
int  secret_read(const char *file, const char *what, char **secret,
         char **error);
/* Wipes and frees s; NULL is fine. */
void secret_free(char *s);

#endif
