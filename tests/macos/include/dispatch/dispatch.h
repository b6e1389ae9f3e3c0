/*
 * A stand-in for macOS's <dispatch/dispatch.h>, so that
 * src/watch_fsevents.c compiles on Linux (make check-macos): only the
 * few declarations it uses, written from Apple's documentation of
 * Grand Central Dispatch (dispatch_queue_create, dispatch_sync_f,
 * dispatch_release).  tests/macos/fake_fsevents.c implements them.
 *
 * Simplified: in C, Apple's dispatch_object_t is a transparent union of
 * the object pointer types; here it is the queue type, the only object
 * the backend releases.
 */
#ifndef FAKE_DISPATCH_H
#define FAKE_DISPATCH_H

typedef struct dispatch_queue_s *dispatch_queue_t;
typedef struct dispatch_queue_attr_s *dispatch_queue_attr_t;
typedef void (*dispatch_function_t)(void *context);

/* a serial queue: blocks run one at a time, in order */
#define DISPATCH_QUEUE_SERIAL ((dispatch_queue_attr_t)0)

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr);
/* Runs WORK(CONTEXT) on QUEUE and returns when it has run: on a serial
 * queue, after everything submitted before it. */
void dispatch_sync_f(dispatch_queue_t queue, void *context,
		     dispatch_function_t work);
void dispatch_release(dispatch_queue_t object);

#endif
