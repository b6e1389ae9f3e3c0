/*
 * fake_fsevents.c - see fake_fsevents.h: a few Core Foundation objects
 * (strings, arrays, dictionaries, numbers, reference counted), FSEvents
 * streams that deliver what the test posts, and a serial dispatch queue
 * made of one mutex.
 */
#undef malloc /* the service's memory is not the sweep's (test_core.c) */
#undef calloc
#undef realloc
#undef close  /* fake_close() is defined here, over the real one */
#define _DEFAULT_SOURCE 1

#include <CoreServices/CoreServices.h>
#include <dispatch/dispatch.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bsd/fake_kevent.h"
#include "fake_fsevents.h"

/* Every file of the tests is built with close() renamed to this: the
 * scripted kevent() must forget a descriptor's registrations when it
 * closes, as a kernel does. */
int
fake_close(int fd)
{
	fake_forget(fd);
	return close(fd);
}

/* ---- Core Foundation ---------------------------------------------------- */

enum { T_STRING = 1, T_ARRAY, T_DICT, T_NUMBER };

struct cf {
	CFTypeID type;
	long refs;     /* < 0: a constant, never freed */
	char *s;       /* string */
	const void **v; /* array */
	CFIndex n;
	const void *path, *fileid; /* dictionary */
	int64_t num;
};

static long live;
const CFArrayCallBacks kCFTypeArrayCallBacks = { 0, NULL, NULL, NULL, NULL };

static struct cf *
cf_new(CFTypeID type)
{
	struct cf *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->type = type;
	c->refs = 1;
	live++;
	return c;
}

static const void *
retain(const void *p)
{
	struct cf *c = (struct cf *)p;
	if (c->refs > 0)
		c->refs++;
	return p;
}

void
CFRelease(CFTypeRef p)
{
	struct cf *c = (struct cf *)p;
	if (!c || c->refs < 0 || --c->refs > 0)
		return;
	for (CFIndex i = 0; i < c->n; i++)
		CFRelease(c->v[i]);
	if (c->path)
		CFRelease(c->path);
	if (c->fileid)
		CFRelease(c->fileid);
	free(c->v);
	free(c->s);
	free(c);
	live--;
}

long
fake_cf_live(void)
{
	return live;
}

CFTypeID CFGetTypeID(CFTypeRef p) { return ((const struct cf *)p)->type; }
CFTypeID CFDictionaryGetTypeID(void) { return T_DICT; }
CFTypeID CFStringGetTypeID(void) { return T_STRING; }

CFStringRef
__CFStringMakeConstantString(const char *s)
{
	static struct cf k[8];
	static size_t nk;
	for (size_t i = 0; i < nk; i++)
		if (!strcmp(k[i].s, s))
			return (CFStringRef)&k[i];
	if (nk == 8)
		abort();
	k[nk].type = T_STRING;
	k[nk].refs = -1;
	k[nk].s = (char *)s;
	return (CFStringRef)&k[nk++];
}

CFStringRef
CFStringCreateWithFileSystemRepresentation(CFAllocatorRef a, const char *s)
{
	struct cf *c = cf_new(T_STRING);
	(void)a;
	if (!(c->s = strdup(s)))
		abort();
	return (CFStringRef)c;
}

CFIndex
CFStringGetMaximumSizeOfFileSystemRepresentation(CFStringRef s)
{
	return (CFIndex)(3 * strlen(((const struct cf *)s)->s) + 1);
}

Boolean
CFStringGetFileSystemRepresentation(CFStringRef s, char *buf, CFIndex max)
{
	const char *p = ((const struct cf *)s)->s;
	if ((CFIndex)strlen(p) >= max)
		return 0;
	strcpy(buf, p);
	return 1;
}

CFArrayRef
CFArrayCreate(CFAllocatorRef a, const void **values, CFIndex n,
	      const CFArrayCallBacks *cb)
{
	struct cf *c = cf_new(T_ARRAY);
	(void)a;
	if (cb != &kCFTypeArrayCallBacks)
		abort(); /* the fake keeps CF objects only */
	if (!(c->v = calloc((size_t)n + 1, sizeof *c->v)))
		abort();
	for (CFIndex i = 0; i < n; i++)
		c->v[i] = retain(values[i]);
	c->n = n;
	return (CFArrayRef)c;
}

CFIndex CFArrayGetCount(CFArrayRef a) { return ((const struct cf *)a)->n; }

const void *
CFArrayGetValueAtIndex(CFArrayRef a, CFIndex i)
{
	const struct cf *c = (const struct cf *)a;
	if (i < 0 || i >= c->n)
		abort();
	return c->v[i];
}

const void *
CFDictionaryGetValue(CFDictionaryRef d, const void *key)
{
	const struct cf *c = (const struct cf *)d, *k = key;
	if (!strcmp(k->s, "path"))
		return c->path;
	if (!strcmp(k->s, "fileID"))
		return c->fileid;
	return NULL;
}

Boolean
CFNumberGetValue(CFNumberRef n, CFNumberType type, void *out)
{
	if (type != kCFNumberSInt64Type)
		return 0;
	memcpy(out, &((const struct cf *)n)->num, sizeof(int64_t));
	return 1;
}

/* ---- the dispatch queue ------------------------------------------------- */

struct dispatch_queue_s {
	pthread_mutex_t mu; /* held while a block runs: one at a time */
};

dispatch_queue_t
dispatch_queue_create(const char *label, dispatch_queue_attr_t attr)
{
	dispatch_queue_t q = calloc(1, sizeof *q);
	(void)label;
	(void)attr;
	if (q)
		pthread_mutex_init(&q->mu, NULL);
	return q;
}

void
dispatch_sync_f(dispatch_queue_t q, void *ctx, dispatch_function_t work)
{
	pthread_mutex_lock(&q->mu);
	work(ctx);
	pthread_mutex_unlock(&q->mu);
}

void
dispatch_release(dispatch_queue_t q)
{
	pthread_mutex_destroy(&q->mu);
	free(q);
}

/* ---- streams ------------------------------------------------------------ */

struct __FSEventStream {
	FSEventStreamCallback cb;
	void *info;
	char *path;
	FSEventStreamCreateFlags flags;
	dispatch_queue_t q;
	int started;
	struct __FSEventStream *next;
};

static struct __FSEventStream *streams;
static uint64_t now_id = 1000;
static uint32_t last_flags;
static double last_latency;
static uint64_t last_since;
static char last_path[PATH_MAX];
int fake_fse_start_fails;
int fake_fse_no_extended;

FSEventStreamEventId FSEventsGetCurrentEventId(void) { return now_id; }
uint64_t fake_fse_now(void) { return now_id; }

FSEventStreamRef
FSEventStreamCreate(CFAllocatorRef a, FSEventStreamCallback cb,
		    FSEventStreamContext *ctx, CFArrayRef paths,
		    FSEventStreamEventId since, CFTimeInterval latency,
		    FSEventStreamCreateFlags flags)
{
	struct __FSEventStream *s;
	(void)a;
	if (fake_fse_no_extended &&
	    (flags & kFSEventStreamCreateFlagUseExtendedData))
		return NULL;
	s = calloc(1, sizeof *s);
	if (!s || CFArrayGetCount(paths) != 1 ||
	    !(s->path = strdup(((const struct cf *)CFArrayGetValueAtIndex(
					paths, 0))->s)))
		abort();
	s->cb = cb;
	s->info = ctx->info;
	s->flags = flags;
	s->next = streams;
	streams = s;
	last_flags = flags;
	last_latency = latency;
	last_since = since;
	snprintf(last_path, sizeof last_path, "%s", s->path);
	return s;
}

void
FSEventStreamSetDispatchQueue(FSEventStreamRef s, dispatch_queue_t q)
{
	s->q = q;
}

Boolean
FSEventStreamStart(FSEventStreamRef s)
{
	if (!s->q) /* scheduled nowhere: the real one refuses too */
		return 0;
	if (fake_fse_start_fails) {
		fake_fse_start_fails = 0;
		return 0;
	}
	s->started = 1;
	return 1;
}

void FSEventStreamStop(FSEventStreamRef s) { s->started = 0; }
void FSEventStreamInvalidate(FSEventStreamRef s) { s->q = NULL; }

void
FSEventStreamRelease(FSEventStreamRef s)
{
	for (struct __FSEventStream **p = &streams; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	free(s->path);
	free(s);
}

size_t
fake_fse_streams(void)
{
	size_t n = 0;
	for (struct __FSEventStream *s = streams; s; s = s->next)
		n++;
	return n;
}

size_t
fake_fse_started(void)
{
	size_t n = 0;
	for (struct __FSEventStream *s = streams; s; s = s->next)
		n += s->started;
	return n;
}

uint32_t fake_fse_last_flags(void) { return last_flags; }
double fake_fse_last_latency(void) { return last_latency; }
uint64_t fake_fse_last_since(void) { return last_since; }
const char *fake_fse_last_path(void) { return last_path; }

uint64_t
fake_ino(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* ---- delivery ----------------------------------------------------------- */

struct call {
	struct __FSEventStream *s;
	size_t n;
	CFArrayRef paths;
	FSEventStreamEventFlags *flags;
	FSEventStreamEventId *ids;
};

static void *
deliver(void *arg)
{
	struct call *c = arg;
	pthread_mutex_lock(&c->s->q->mu);
	c->s->cb(c->s, c->s->info, c->n, (void *)c->paths, c->flags, c->ids);
	pthread_mutex_unlock(&c->s->q->mu);
	return NULL;
}

static int
covers(const struct __FSEventStream *s, const char *path)
{
	size_t l = strlen(s->path);
	return !strncmp(s->path, path, l) && (!path[l] || path[l] == '/');
}

int
fake_fse_post(const struct fake_ev *ev, size_t n)
{
	char cwd[PATH_MAX], (*abs)[PATH_MAX + 256];
	const void **items;
	struct call c;
	int got = 0;
	if (!n || !getcwd(cwd, sizeof cwd) ||
	    !(abs = calloc(n, sizeof *abs)) ||
	    !(items = calloc(n, sizeof *items)) ||
	    !(c.flags = calloc(n, sizeof *c.flags)) ||
	    !(c.ids = calloc(n, sizeof *c.ids)))
		abort();
	for (size_t i = 0; i < n; i++) {
		if (ev[i].path[0] == '/')
			snprintf(abs[i], sizeof abs[i], "%s", ev[i].path);
		else
			snprintf(abs[i], sizeof abs[i], "%s/%s", cwd, ev[i].path);
		c.flags[i] = ev[i].flags;
		c.ids[i] = ev[i].id ? ev[i].id : ++now_id;
	}
	for (struct __FSEventStream *s = streams; s; s = s->next) {
		pthread_t t;
		if (!s->started || !covers(s, abs[0]))
			continue;
		for (size_t i = 0; i < n; i++) {
			struct cf *str = (struct cf *)
				CFStringCreateWithFileSystemRepresentation(
					NULL, abs[i]);
			uint64_t ino = ev[i].ino ? ev[i].ino : fake_ino(abs[i]);
			if (!(s->flags & kFSEventStreamCreateFlagUseExtendedData)) {
				items[i] = str;
				continue;
			}
			struct cf *d = cf_new(T_DICT);
			d->path = str;
			if (ino) {
				struct cf *num = cf_new(T_NUMBER);
				num->num = (int64_t)ino;
				d->fileid = num;
			}
			items[i] = d;
		}
		c.s = s;
		c.n = n;
		c.paths = CFArrayCreate(NULL, items, (CFIndex)n,
					&kCFTypeArrayCallBacks);
		for (size_t i = 0; i < n; i++)
			CFRelease(items[i]);
		/* on the queue's own thread, as the service would */
		if (pthread_create(&t, NULL, deliver, &c) != 0 ||
		    pthread_join(t, NULL) != 0)
			abort();
		CFRelease(c.paths);
		got++;
	}
	free(abs);
	free(items);
	free(c.flags);
	free(c.ids);
	return got;
}
