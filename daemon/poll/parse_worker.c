/* parse_worker.c — one thread reading feed bodies for the event loop.
 *
 * Two lists under one mutex: the jobs to read (the thread waits on a
 * condition for them) and the jobs read (the loop is woken by an eventfd
 * for them).  The eventfd is written only when the read list was empty:
 * the loop reads the eventfd before it takes the whole list, so a job
 * added after that take finds the list empty and writes again. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "base/log.h"
#include "base/util.h"
#include "poll/parse_worker.h"

struct job_list {
	struct parse_job *head, *tail;
};

/* A feed the loop is done with, waiting for the thread to free it. */
struct spent {
	struct feed   feed;
	struct spent *next;
};

struct parse_worker {
	sd_event         *event;
	sd_event_source  *wakeup;      /* the eventfd */
	int               efd;
	parse_done_fn     done;
	pthread_t         thread;
	pthread_mutex_t   lock;        /* the lists and quit */
	pthread_cond_t    more;        /* a job to read, or quit */
	pthread_mutex_t   reading;     /* held while a body is read */
	struct job_list   todo, read;
	struct spent     *spent;       /* feeds to free */
	bool              quit;
};

static void
list_push(struct job_list *l, struct parse_job *job)
{
	job->next = NULL;
	if (l->tail)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
}

static struct parse_job *
list_take(struct job_list *l)
{
	struct parse_job *head = l->head;

	l->head = l->tail = NULL;
	return head;
}

static void
job_read(struct parse_worker *w, struct parse_job *job)
{
	pthread_mutex_lock(&w->reading);
	job->rc = feed_parse(job->body, job->len, job->charset, &job->feed,
	    &job->error);
	pthread_mutex_unlock(&w->reading);
}

static void
wake_loop(struct parse_worker *w)
{
	uint64_t one = 1;

	/* only EAGAIN can happen (the counter full): the loop is woken then */
	while (write(w->efd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

static void
spent_free(struct spent *s)
{
	struct spent *next;

	for (; s; s = next) {
		next = s->next;
		feed_free(&s->feed);
		free(s);
	}
}

static void *
worker_main(void *arg)
{
	struct parse_worker *w = arg;
	struct parse_job *job;
	struct spent *spent;
	bool was_empty;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->quit && w->todo.head == NULL && w->spent == NULL)
			pthread_cond_wait(&w->more, &w->lock);
		if (w->quit)
			break;
		if (w->spent != NULL) {
			spent = w->spent;
			w->spent = NULL;
			pthread_mutex_unlock(&w->lock);
			spent_free(spent);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		job = w->todo.head;
		if ((w->todo.head = job->next) == NULL)
			w->todo.tail = NULL;
		pthread_mutex_unlock(&w->lock);
		job_read(w, job);
		pthread_mutex_lock(&w->lock);
		was_empty = w->read.head == NULL;
		list_push(&w->read, job);
		if (was_empty)
			wake_loop(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void
deliver(struct parse_worker *w, struct parse_job *job)
{
	struct parse_job *next;

	for (; job; job = next) {
		next = job->next;
		job->next = NULL;
		job->last = next == NULL;
		w->done(job);
	}
}

static int
on_wakeup(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct parse_worker *w = userdata;
	struct parse_job *job;
	uint64_t n;

	while (read(w->efd, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	pthread_mutex_lock(&w->lock);
	job = list_take(&w->read);
	pthread_mutex_unlock(&w->lock);
	deliver(w, job);
	return 0;
}

/* The thread takes no signal: they are the event loop's (signalfd). */
static int
thread_start(struct parse_worker *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("cannot start the feed reading thread: %s",
		    strerror(rc));
		return -1;
	}
	return 0;
}

struct parse_worker *
parse_worker_new(sd_event *event, parse_done_fn done)
{
	struct parse_worker *w = xcalloc(1, sizeof(*w));
	int r;

	w->done = done;
	w->efd = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->reading, NULL);
	pthread_cond_init(&w->more, NULL);
	/* libxml2 sets up its globals once, before any thread uses it */
	xmlInitParser();
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_warn("eventfd");
		goto fail;
	}
	if ((r = sd_event_add_io(event, &w->wakeup, w->efd, EPOLLIN, on_wakeup,
	    w)) < 0) {
		log_warnx("sd_event_add_io: %s", strerror(-r));
		goto fail;
	}
	(void)sd_event_source_set_description(w->wakeup, "feeds-read");
	if (thread_start(w) == -1)
		goto fail;
	w->event = sd_event_ref(event);
	return w;
fail:
	sd_event_source_disable_unref(w->wakeup);
	if (w->efd != -1)
		close(w->efd);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->reading);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return NULL;
}

void
parse_worker_submit(struct parse_worker *w, struct parse_job *job)
{
	job->cancelled = false;
	job->rc = -1;
	memset(&job->feed, 0, sizeof(job->feed));
	job->error = NULL;
	pthread_mutex_lock(&w->lock);
	list_push(&w->todo, job);
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

void
parse_worker_discard(struct parse_worker *w, struct feed *feed)
{
	struct spent *s = xmalloc(sizeof(*s));

	s->feed = *feed;
	memset(feed, 0, sizeof(*feed));
	pthread_mutex_lock(&w->lock);
	s->next = w->spent;
	w->spent = s;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

double
parse_worker_cpu_seconds(const struct parse_worker *w)
{
	struct timespec ts;
	clockid_t clock;

	if (pthread_getcpuclockid(w->thread, &clock) != 0 ||
	    clock_gettime(clock, &ts) == -1)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
parse_worker_pause(struct parse_worker *w)
{
	pthread_mutex_lock(&w->reading);
}

void
parse_worker_resume(struct parse_worker *w)
{
	pthread_mutex_unlock(&w->reading);
}

void
parse_worker_free(struct parse_worker *w)
{
	struct parse_job *read, *todo, *job;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	read = list_take(&w->read);
	todo = list_take(&w->todo);
	for (job = todo; job; job = job->next)
		job->cancelled = true;
	deliver(w, read);
	deliver(w, todo);
	spent_free(w->spent);
	sd_event_source_disable_unref(w->wakeup);
	close(w->efd);
	sd_event_unref(w->event);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->reading);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
