/* web.h — mediawatch-web, the console: an HTTP server (libmicrohttpd) over
 * the library and the database, serving server-rendered pages.
 *
 * mediawatch-web.c is only main(): it loads the configuration, opens the
 * database, starts the server on the sockets systemd passed (socket
 * activation) or on web.listen, and waits for SIGTERM. */
#ifndef MW_WEB_H
#define MW_WEB_H

#include <sqlite3.h>

#include "config/config.h"

struct web;

/* The program: options, configuration, serving until SIGTERM. */
int         web_main(int argc, char **argv);

/* The server over cfg and db (both borrowed; db is used by one thread at a
 * time).  NULL after logging when it cannot start: no socket, a TLS
 * certificate that cannot be read, … */
struct web *web_start(const struct config *cfg, sqlite3 *db);
/* Stops accepting, finishes the requests in progress, frees w. */
void        web_stop(struct web *w);
/* "http://127.0.0.1:8080", for the log line at start. */
const char *web_address(const struct web *w);

#endif
