/* smtp_workers.c — SMTP submissions on worker threads (see the header). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "mail/smtp_workers.h"

struct submission {
	CURL               *easy;
	void               *userdata;
	CURLcode            result;
	struct submission  *next;
};

/* A FIFO of submissions. */
struct queue {
	struct submission  *head, *tail;
};

struct worker {
	struct smtp_workers *w;
	pthread_t            thread;
	bool                 started;
	CURLSH              *share;         /* its connection cache */
};

struct smtp_workers {
	sd_event_source     *io;            /* readable eventfd: outcomes */
	int                  efd;
	smtp_done_fn         done;
	pthread_mutex_t      lock;
	pthread_cond_t       wake;
	struct queue         todo;          /* under lock */
	struct queue         finished;      /* under lock */
	atomic_bool          stop;
	size_t               pending;       /* the loop's own count */
	struct worker       *workers;
	size_t               n;
};

static void
queue_push(struct queue *q, struct submission *s)
{
	s->next = NULL;
	if (q->tail)
		q->tail->next = s;
	else
		q->head = s;
	q->tail = s;
}

static struct submission *
queue_pop(struct queue *q)
{
	struct submission *s = q->head;

	if (s && (q->head = s->next) == NULL)
		q->tail = NULL;
	return s;
}

/* curl calls this at least once a second, also while it waits for the
 * server's answer: a stop cuts the submission off. */
static int
on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct smtp_workers *w = userp;

	return atomic_load(&w->stop) ? 1 : 0;
}

static void
perform(struct worker *wk, struct submission *s)
{
	CURL *easy = s->easy;

	if (curl_easy_setopt(easy, CURLOPT_SHARE, wk->share) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress) !=
	    CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, wk->w) != CURLE_OK)
		s->result = CURLE_FAILED_INIT;
	else
		s->result = curl_easy_perform(easy);
	/* the cache stays with this thread: the loop may now clean the
	 * handle up without touching it */
	curl_easy_setopt(easy, CURLOPT_SHARE, NULL);
	curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 1L);
}

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	struct smtp_workers *w = wk->w;
	struct submission *s;
	uint64_t one = 1;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!atomic_load(&w->stop) && w->todo.head == NULL)
			pthread_cond_wait(&w->wake, &w->lock);
		s = atomic_load(&w->stop) ? NULL : queue_pop(&w->todo);
		pthread_mutex_unlock(&w->lock);
		if (s == NULL)
			break;
		perform(wk, s);
		pthread_mutex_lock(&w->lock);
		queue_push(&w->finished, s);
		pthread_mutex_unlock(&w->lock);
		if (write(w->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
			log_warnx("smtp workers: eventfd: %s", strerror(errno));
	}
	/* closing the cached connections says QUIT: here, not in the loop */
	curl_share_cleanup(wk->share);
	wk->share = NULL;
	return NULL;
}

static void
report(struct smtp_workers *w, struct submission *s)
{
	w->pending--;
	w->done(s->easy, s->result, s->userdata);
	curl_easy_cleanup(s->easy);
	free(s);
}

/* Reports the finished submissions, in the loop. */
static void
collect(struct smtp_workers *w)
{
	struct submission *s;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		s = queue_pop(&w->finished);
		pthread_mutex_unlock(&w->lock);
		if (s == NULL)
			return;
		report(w, s);
	}
}

static int
on_finished(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct smtp_workers *w = userdata;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) == -1 && errno != EAGAIN)
		log_warnx("smtp workers: eventfd: %s", strerror(errno));
	collect(w);
	return 0;
}

static int
worker_start(struct smtp_workers *w, struct worker *wk)
{
	int r;

	wk->w = w;
	if ((wk->share = curl_share_init()) == NULL ||
	    curl_share_setopt(wk->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
		log_warnx("smtp workers: cannot set up a connection cache");
		return -1;
	}
	if ((r = pthread_create(&wk->thread, NULL, worker_main, wk)) != 0) {
		log_warnx("smtp workers: pthread_create: %s", strerror(r));
		return -1;
	}
	wk->started = true;
	return 0;
}

struct smtp_workers *
smtp_workers_new(sd_event *event, size_t n, smtp_done_fn done)
{
	struct smtp_workers *w = xcalloc(1, sizeof(*w));
	size_t i;

	w->done = done;
	w->efd = -1;
	w->n = n ? n : 1;
	w->workers = xcalloc(w->n, sizeof(*w->workers));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	atomic_init(&w->stop, false);
	if ((w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warnx("smtp workers: eventfd: %s", strerror(errno));
		goto fail;
	}
	if (sd_event_add_io(event, &w->io, w->efd, EPOLLIN, on_finished,
	    w) < 0) {
		log_warnx("smtp workers: cannot watch the eventfd");
		goto fail;
	}
	(void)sd_event_source_set_description(w->io, "smtp-workers");
	for (i = 0; i < w->n; i++)
		if (worker_start(w, &w->workers[i]) == -1)
			goto fail;
	return w;
fail:
	smtp_workers_free(w);
	return NULL;
}

void
smtp_workers_add(struct smtp_workers *w, CURL *easy, void *userdata)
{
	struct submission *s = xcalloc(1, sizeof(*s));

	s->easy = easy;
	s->userdata = userdata;
	w->pending++;
	pthread_mutex_lock(&w->lock);
	queue_push(&w->todo, s);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

size_t
smtp_workers_pending(const struct smtp_workers *w)
{
	return w ? w->pending : 0;
}

void
smtp_workers_free(struct smtp_workers *w)
{
	struct submission *s;
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stop, true);
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->n; i++) {
		if (w->workers[i].started)
			pthread_join(w->workers[i].thread, NULL);
		else if (w->workers[i].share)
			curl_share_cleanup(w->workers[i].share);
	}
	collect(w);                     /* the finished ones as they ended */
	while ((s = queue_pop(&w->todo)) != NULL) {
		s->result = CURLE_ABORTED_BY_CALLBACK;   /* never started */
		report(w, s);
	}
	sd_event_source_disable_unref(w->io);
	if (w->efd != -1)
		close(w->efd);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->workers);
	free(w);
}
