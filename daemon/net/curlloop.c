/* curlloop.c — libcurl's multi socket interface driven by sd-event.
 *
 * curl tells us which sockets it wants watched (socket callback) and when it
 * next needs a kick without socket activity (timer callback); sd-event
 * tells us when either happens and we hand that back to
 * curl_multi_socket_action().  Finished transfers are collected with
 * curl_multi_info_read() after every such call. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "net/curlloop.h"
#include <sys/socket.h>

#include "base/log.h"
#include "base/util.h"

/* One easy handle in flight. */
struct transfer {
	CURL               *easy;
	curlloop_done_fn    done;
	void               *userdata;
	struct transfer    *prev, *next;
};

/* One socket curl asked us to watch. */
struct watch {
	curl_socket_t       fd;
	sd_event_source    *io;
	struct watch       *prev, *next;
};

/* sd-event's default timer slack is 250 ms, which would delay every step
 * curl schedules (the start of each transfer, DNS, retries) by that much. */
#define TIMER_ACCURACY_USEC 1000

/* Finished easy handles kept for the next transfers: making and freeing
 * one per transfer was about 3 % of a first poll cycle's loop. */
#define SPARE_MAX 256

struct curlloop {
	sd_event           *event;
	CURLM              *multi;
	sd_event_source    *timer;      /* curl's single timeout, NULL until first use */
	struct transfer    *transfers;  /* in flight, for curlloop_free */
	struct watch       *watches;    /* sockets, for curlloop_free */
	size_t              active;
	bool                closing;    /* curlloop_free is running */
	CURL               *spare[SPARE_MAX]; /* finished handles, reset */
	size_t              n_spare;
};

static void	curlloop_collect(struct curlloop *);

int
curlloop_setopt_check(CURLcode rc, const char *option)
{
	if (rc == CURLE_OK)
		return 0;
	log_warnx("curl_easy_setopt %s: %s", option, curl_easy_strerror(rc));
	return -1;
}

static int
multi_setopt_check(CURLMcode rc, const char *option)
{
	if (rc == CURLM_OK)
		return 0;
	log_warnx("curl_multi_setopt %s: %s", option, curl_multi_strerror(rc));
	return -1;
}

#define MULTI_SETOPT(m, opt, val) \
	multi_setopt_check(curl_multi_setopt((m), (opt), (val)), #opt)

/* curl may drive several transfers on one call; any of them may be done. */
static void
curlloop_kick(struct curlloop *loop, curl_socket_t fd, int action)
{
	CURLMcode rc;
	int running;

	rc = curl_multi_socket_action(loop->multi, fd, action, &running);
	if (rc != CURLM_OK)
		log_warnx("curl_multi_socket_action: %s", curl_multi_strerror(rc));
	curlloop_collect(loop);
}

static int
on_io(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct curlloop *loop = arg;
	int action = 0;

	if (revents & EPOLLIN)
		action |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		action |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		action |= CURL_CSELECT_ERR;
	curlloop_kick(loop, fd, action);
	return 0;
}

static int
on_timer(sd_event_source *src, uint64_t usec, void *arg)
{
	curlloop_kick(arg, CURL_SOCKET_TIMEOUT, 0);
	return 0;
}

static uint32_t
poll_to_epoll(int what)
{
	switch (what) {
	case CURL_POLL_IN:
		return EPOLLIN;
	case CURL_POLL_OUT:
		return EPOLLOUT;
	case CURL_POLL_INOUT:
		return EPOLLIN | EPOLLOUT;
	default:
		return 0;
	}
}

static void
watch_free(struct curlloop *loop, struct watch *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		loop->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	curl_multi_assign(loop->multi, w->fd, NULL);
	sd_event_source_unref(w->io);
	free(w);
}

static struct watch *
watch_new(struct curlloop *loop, curl_socket_t fd, uint32_t events)
{
	struct watch *w;
	int r;

	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	r = sd_event_add_io(loop->event, &w->io, fd, events, on_io, loop);
	if (r < 0) {
		log_warnx("sd_event_add_io fd %d: %s", fd, strerror(-r));
		free(w);
		return NULL;
	}
	(void)sd_event_source_set_description(w->io, "curl-io");
	w->next = loop->watches;
	if (w->next)
		w->next->prev = w;
	loop->watches = w;
	curl_multi_assign(loop->multi, fd, w);
	return w;
}

/* CURLMOPT_SOCKETFUNCTION: curl's wishes for one socket. */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct curlloop *loop = arg;
	struct watch *w = sockp;
	int r;

	if (what == CURL_POLL_REMOVE) {
		if (w)
			watch_free(loop, w);
		return 0;
	}
	if (w == NULL)
		return watch_new(loop, fd, poll_to_epoll(what)) ? 0 : -1;
	r = sd_event_source_set_io_events(w->io, poll_to_epoll(what));
	if (r < 0) {
		log_warnx("sd_event_source_set_io_events fd %d: %s", fd,
		    strerror(-r));
		return -1;
	}
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: curl wants a kick in timeout_ms (-1: never). */
static int
on_timeout_change(CURLM *multi, long timeout_ms, void *arg)
{
	struct curlloop *loop = arg;
	uint64_t now, when;
	int r;

	if (timeout_ms < 0) {
		if (loop->timer)
			(void)sd_event_source_set_enabled(loop->timer,
			    SD_EVENT_OFF);
		return 0;
	}
	if ((r = sd_event_now(loop->event, CLOCK_MONOTONIC, &now)) < 0)
		goto fail;
	when = now + (uint64_t)timeout_ms * 1000;
	if (loop->timer == NULL) {
		r = sd_event_add_time(loop->event, &loop->timer,
		    CLOCK_MONOTONIC, when, TIMER_ACCURACY_USEC, on_timer, loop);
		if (r < 0)
			goto fail;
		(void)sd_event_source_set_description(loop->timer,
		    "curl-timer");
		return 0;
	}
	if ((r = sd_event_source_set_time(loop->timer, when)) < 0 ||
	    (r = sd_event_source_set_enabled(loop->timer,
	    SD_EVENT_ONESHOT)) < 0)
		goto fail;
	return 0;
fail:
	log_warnx("curl timer: %s", strerror(-r));
	return -1;
}

static void
transfer_unlink(struct curlloop *loop, struct transfer *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		loop->transfers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	loop->active--;
}

/* The handle leaves the multi before done runs, so curl is finished with
 * everything the owner hung on it (error buffer, header lists) and done may
 * free those; after done returns the handle is reset for a later transfer,
 * or cleaned up. */
static void
transfer_finish(struct curlloop *loop, struct transfer *t, CURLcode result)
{
	if (loop->closing)
		result = CURLE_ABORTED_BY_CALLBACK;   /* whatever curl says */
	transfer_unlink(loop, t);
	curl_multi_remove_handle(loop->multi, t->easy);
	t->done(t->easy, result, t->userdata);
	if (!loop->closing && loop->n_spare < SPARE_MAX) {
		/* every option back to its default; the multi keeps the
		 * connections */
		curl_easy_reset(t->easy);
		loop->spare[loop->n_spare++] = t->easy;
	} else
		curl_easy_cleanup(t->easy);
	free(t);
}

CURL *
curlloop_easy(struct curlloop *loop)
{
	if (loop->n_spare > 0)
		return loop->spare[--loop->n_spare];
	return curl_easy_init();
}

static void
curlloop_collect(struct curlloop *loop)
{
	struct transfer *t;
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(loop->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		t = NULL;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&t) != CURLE_OK || t == NULL)
			fatalx("curlloop: finished handle without transfer");
		transfer_finish(loop, t, msg->data.result);
	}
}

struct curlloop *
curlloop_new(sd_event *event, long max_total, long max_host)
{
	struct curlloop *loop;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("curl_global_init failed");
		return NULL;
	}
	loop = xcalloc(1, sizeof(*loop));
	loop->event = sd_event_ref(event);
	if ((loop->multi = curl_multi_init()) == NULL) {
		log_warnx("curl_multi_init failed");
		goto fail;
	}
	if (MULTI_SETOPT(loop->multi, CURLMOPT_SOCKETFUNCTION, on_socket) ||
	    MULTI_SETOPT(loop->multi, CURLMOPT_SOCKETDATA, loop) ||
	    MULTI_SETOPT(loop->multi, CURLMOPT_TIMERFUNCTION,
	    on_timeout_change) ||
	    MULTI_SETOPT(loop->multi, CURLMOPT_TIMERDATA, loop) ||
	    MULTI_SETOPT(loop->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    max_total) ||
	    MULTI_SETOPT(loop->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_host) ||
	    MULTI_SETOPT(loop->multi, CURLMOPT_MAXCONNECTS, max_total))
		goto fail;
	return loop;
fail:
	if (loop->multi)
		curl_multi_cleanup(loop->multi);
	sd_event_unref(loop->event);
	free(loop);
	curl_global_cleanup();
	return NULL;
}

int
curlloop_add(struct curlloop *loop, CURL *easy, curlloop_done_fn done,
    void *userdata)
{
	struct transfer *t;
	CURLMcode rc;

	if (loop->closing) {
		log_warnx("curlloop: transfer added during shutdown");
		curl_easy_cleanup(easy);
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	t->easy = easy;
	t->done = done;
	t->userdata = userdata;
	if (EASY_SETOPT(easy, CURLOPT_PRIVATE, t) == -1)
		goto fail;
	if ((rc = curl_multi_add_handle(loop->multi, easy)) != CURLM_OK) {
		log_warnx("curl_multi_add_handle: %s", curl_multi_strerror(rc));
		goto fail;
	}
	t->next = loop->transfers;
	if (t->next)
		t->next->prev = t;
	loop->transfers = t;
	loop->active++;
	return 0;
fail:
	curl_easy_cleanup(easy);
	free(t);
	return -1;
}

size_t
curlloop_active(const struct curlloop *loop)
{
	return loop->active;
}

/* Removing a running transfer makes libcurl finish it as if it had
 * succeeded: for SMTP that means sending the end of the message and
 * waiting for the server's answer, which may never come, and a server may
 * then accept a cut message.  So the sockets are shut first and curl is
 * told: every transfer on them fails by itself, and is collected (as
 * aborted) before anything is removed. */
static void
fail_connections(struct curlloop *loop)
{
	curl_socket_t *fds;
	struct watch *w;
	size_t n = 0, i;
	int running;

	for (w = loop->watches; w; w = w->next)
		n++;
	fds = xcalloc(n + 1, sizeof(*fds));
	for (w = loop->watches, n = 0; w; w = w->next)
		fds[n++] = w->fd;
	for (i = 0; i < n; i++)
		shutdown(fds[i], SHUT_RDWR);
	for (i = 0; i < n; i++)
		curl_multi_socket_action(loop->multi, fds[i],
		    CURL_CSELECT_IN | CURL_CSELECT_OUT, &running);
	free(fds);
	curlloop_collect(loop);
}

void
curlloop_free(struct curlloop *loop)
{
	struct watch *w;

	if (loop == NULL)
		return;
	loop->closing = true;
	fail_connections(loop);
	while (loop->transfers)
		transfer_finish(loop, loop->transfers,
		    CURLE_ABORTED_BY_CALLBACK);
	while (loop->n_spare > 0)
		curl_easy_cleanup(loop->spare[--loop->n_spare]);
	/* Closing cached connections may still call on_socket, so the
	 * watches outlive the multi handle. */
	curl_multi_cleanup(loop->multi);
	while ((w = loop->watches) != NULL) {
		loop->watches = w->next;
		sd_event_source_unref(w->io);
		free(w);
	}
	sd_event_source_unref(loop->timer);
	sd_event_unref(loop->event);
	free(loop);
	curl_global_cleanup();
}
