/* curlloop.h — libcurl's multi socket interface driven by an sd-event loop.
 *
 * One curlloop per process.  Transfers (HTTP fetches, SMTP submissions) are
 * easy handles added with curlloop_add(); when one finishes, its done
 * callback runs from the event loop and the handle is then reset and kept
 * for a later transfer (curlloop_easy()), or cleaned up.  No threads, no
 * polling: curl's sockets become sd-event I/O
 * sources and its timeout one sd-event timer (the pattern of systemd's
 * src/import/curl-util.c). */
#ifndef MW_CURLLOOP_H
#define MW_CURLLOOP_H

#include <curl/curl.h>
#include <systemd/sd-event.h>

struct curlloop;

/* Runs from the event loop once the transfer has left the multi handle:
 * curl_easy_getinfo() still works and curl no longer touches anything the
 * owner hung on the handle, so done may free it.  After done returns the
 * curlloop resets easy for a later transfer or cleans it up.  done may
 * start new transfers, but must not call
 * curlloop_free(). */
typedef void (*curlloop_done_fn)(CURL *easy, CURLcode result, void *userdata);

/* max_total / max_host: connection limits (0 = unlimited).  Takes a
 * reference on event and one on curl_global_init(); NULL (logged) on
 * failure. */
struct curlloop *curlloop_new(sd_event *event, long max_total, long max_host);
/* A handle for a new transfer, every option at its default: one a finished
 * transfer left, else a new one (NULL when curl cannot make one). */
CURL  *curlloop_easy(struct curlloop *loop);
/* Takes ownership of easy.  Returns -1 (easy cleaned up, done not called)
 * when curl refuses it or the loop is being freed.  done never runs from
 * inside curlloop_add().  The curlloop owns CURLOPT_PRIVATE. */
int    curlloop_add(struct curlloop *loop, CURL *easy, curlloop_done_fn done,
           void *userdata);
size_t curlloop_active(const struct curlloop *loop);
/* Ends every transfer still running: each done callback runs with
 * CURLE_ABORTED_BY_CALLBACK, then everything is freed. */
void   curlloop_free(struct curlloop *loop);

/* Every curl_easy_setopt() is checked: EASY_SETOPT() logs a failure naming
 * the option and evaluates to -1, else 0. */
#define EASY_SETOPT(easy, opt, val) \
	curlloop_setopt_check(curl_easy_setopt((easy), (opt), (val)), #opt)
int    curlloop_setopt_check(CURLcode rc, const char *option);

#endif
