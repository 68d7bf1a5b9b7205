/* wordlist.h — lists of known wrong forms and of phrases allowed anyway.
 *
 * A word list is UTF-8 text, one entry a line:
 *
 *	wrong<TAB>correct<TAB>severity<TAB>note
 *
 * severity is "serious" (official names, policy terms: a veto item) or
 * "typo"; the note may be left out.  Blank lines and lines starting with '#'
 * are skipped; a UTF-8 byte order mark is ignored.  An allowlist has one
 * phrase a line: a correct phrase that contains a wrong form, for instance
 * a proper name.  Wrong forms and phrases are stored normalised (textnorm.h,
 * without HTML), the way the text they are matched against will be.
 *
 * Several lists load into one struct wordlist.  Loading is all or nothing:
 * on the first bad line — wrong number of fields, empty wrong form or
 * correction, unknown severity, invalid UTF-8, a correction containing its
 * own wrong form, a wrong form already listed with another correction — the
 * set is left as it was and *error gets "FILE:LINE: message".  A wrong form
 * listed again with the same correction is skipped: the first entry stands.
 *
 * Ownership: the struct wordlist owns every string in it; *error is
 * malloc'd and the caller frees it.  Library code never prints. */
#ifndef MW_WORDLIST_H
#define MW_WORDLIST_H

#include <stddef.h>

enum wl_severity {
	WL_TYPO,                        /* goes into the next notice */
	WL_SERIOUS,                     /* alerts the unit at once */
};

struct wordentry {
	char             *wrong;        /* normalised; never empty */
	char             *correct;      /* as written, trimmed */
	char             *note;         /* "" when the list gives none */
	enum wl_severity  severity;
	const char       *file;         /* list it came from (owned by the set) */
	size_t            line;
};

struct wordlist {
	struct wordentry *entries;
	size_t            nentries;
	size_t            capentries;
	char            **allow;        /* normalised allowed phrases */
	size_t            nallow;
	size_t            capallow;
	char            **files;        /* names of the lists loaded */
	size_t            nfiles;
};

struct wordlist *wordlist_new(void);
void    wordlist_free(struct wordlist *wl);

/* Each returns 0, or -1 with *error set and wl unchanged.  name is the
 * file name used in messages. */
int     wordlist_load(struct wordlist *wl, const char *path, char **error);
int     wordlist_load_allow(struct wordlist *wl, const char *path,
	    char **error);
int     wordlist_parse(struct wordlist *wl, const char *name, const char *buf,
	    size_t len, char **error);
int     wordlist_parse_allow(struct wordlist *wl, const char *name,
	    const char *buf, size_t len, char **error);

const char *wl_severity_name(enum wl_severity sev);   /* "serious", "typo" */

#endif
