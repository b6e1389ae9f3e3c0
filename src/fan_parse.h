/*
 * fan_parse.h - what fanotify reads (events reported with directory file
 * handles and names: FAN_REPORT_DFID_NAME_TARGET) turned into fw_raw
 * records.  Portable code with no Linux header, so the parsing is tested
 * on hand-made buffers (tests/unit/test_fan_parse.c) and fuzzed
 * (tests/fuzz/fuzz_fan_parse.c); watch_fanotify.c checks at compile time
 * that the layout below is the kernel's.
 *
 * A directory is known by its key: the bytes of an info record from the
 * filesystem id to the end of the file handle (fsid, handle_bytes,
 * handle_type, f_handle), which is also how watch_fanotify.c files the
 * directories it was asked to watch.  Only events in such a directory,
 * or about one, become records: the rest of the filesystem is dropped
 * here, before any path is made.
 */
#ifndef FWATCH_FAN_PARSE_H
#define FWATCH_FAN_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "strmap.h"

/* The kernel's event bits (linux/fanotify.h) that matter here. */
#define FP_ACCESS        0x00000001u
#define FP_MODIFY        0x00000002u
#define FP_ATTRIB        0x00000004u
#define FP_CLOSE_WRITE   0x00000008u
#define FP_CLOSE_NOWRITE 0x00000010u
#define FP_OPEN          0x00000020u
#define FP_CREATE        0x00000100u
#define FP_DELETE        0x00000200u
#define FP_Q_OVERFLOW    0x00004000u
#define FP_RENAME        0x10000000u
#define FP_ONDIR         0x40000000u

/* struct fanotify_event_metadata: its size and version */
#define FP_META_LEN 24
#define FP_META_VERSION 3

/* fanotify_event_info_header.info_type */
#define FP_INFO_FID 1
#define FP_INFO_DFID_NAME 2
#define FP_INFO_DFID 3
#define FP_INFO_OLD_DFID_NAME 10
#define FP_INFO_NEW_DFID_NAME 12
/* a fid record: header (4), fsid (8), then struct file_handle:
 * handle_bytes (4), handle_type (4), f_handle[handle_bytes] */
#define FP_FID_HEAD 4
#define FP_KEY_HEAD 16 /* fsid and the handle's two words */

/* One fid info record: the key that names its object, and the entry
 * name after it, if the record has one. */
struct fp_fid {
	const unsigned char *key; /* NULL: no such record */
	size_t klen;
	const char *name;         /* NUL-terminated, or NULL */
	size_t nlen;
};

/* One event as the kernel queued it: DIR is the directory (DFID_NAME or
 * DFID) and the entry's name; OLD and NEW a rename's two sides; CHILD
 * the object itself (FID: a created, deleted or renamed entry). */
struct fp_event {
	uint32_t len;
	uint64_t mask;
	struct fp_fid dir, old, new, child;
};

/* The event at P, at most LEN bytes, into EV.  -1 if malformed (every
 * length is checked against what holds it). */
int fp_event_at(const unsigned char *p, size_t len, struct fp_event *ev);

/* The watch id of the directory whose key is KEY (LEN bytes), or -1. */
typedef int (*fp_lookup_fn)(void *ctx, const void *key, size_t len);
/* Directory ID was removed: its last record (BE_IGNORED) is out, and
 * the id must not be handed out again for this key. */
typedef void (*fp_gone_fn)(void *ctx, int id);

/* Where a directory an event names is watched: on watch ID, where
 * PRE (PRELEN bytes, not NUL-terminated) is its path below the watched
 * directory, "" for that directory itself. */
struct fp_place {
	int id;
	const char *pre;
	size_t prelen;
};
#define FP_PLACES 2 /* its own watch, and a subtree watch above it */
#define FP_SIDE_DIR 0 /* fp_event.dir */
#define FP_SIDE_OLD 1 /* fp_event.old */
#define FP_SIDE_NEW 2 /* fp_event.new */
/*
 * Where the directory KEY (LEN bytes), side SIDE of event EV of the
 * batch, is watched: at most FP_PLACES places into OUT, their number;
 * -1 if that cannot be known (it may be one of ours: the records are
 * then lost, and said to be by an overflow record).
 */
typedef int (*fp_places_fn)(void *ctx, size_t ev, int side, const void *key,
			    size_t len, struct fp_place *out);

/* The events of one read, in the order the kernel queued them. */
struct fp_batch {
	struct fp_event *ev;
	size_t n, cap;
	int malformed; /* the buffer ended with a malformed event */
};

struct fp_out {
	struct fw_raw *recs; /* names point into the buffer parsed, or into
			      * names */
	size_t *noff;        /* (where each record's name is in names) */
	size_t n, cap, capoff;
	struct buf names;    /* names made of a place's path and a name */
	struct fp_batch evs; /* fp_parse()'s split of the buffer */
	uint32_t cookie;     /* the last rename cookie handed out */
	size_t dropped;      /* events about no known directory */
	size_t malformed;    /* buffers that were cut short */
	size_t unplaced;     /* reads with events no one could place */
	int lost;            /* set by the caller before fp_translate():
			      * events of ours were lost before this read
			      * (watch_fanotify.c learnt it now); an
			      * overflow record ends the read */
};

/*
 * Append the records of the events in BUF (LEN bytes, as read(2) gave
 * them).  Names point into BUF, which must stay as it is while they are
 * used.  A malformed event ends the buffer with an overflow record (the
 * core rescans).  -1 (ENOMEM) if memory ran out: the records appended
 * are then incomplete.
 */
int fp_parse(struct fp_out *o, const void *buf, size_t len,
	     fp_lookup_fn lookup, fp_gone_fn gone, void *ctx);

/* Split BUF (LEN bytes, as read(2) gave them) into B's events, which
 * point into BUF.  A malformed event ends it (B->malformed).  -1
 * (ENOMEM). */
int fp_split(struct fp_batch *b, const void *buf, size_t len);

/* Append the records of B's events: with PLACES, where each is watched
 * (watch_fanotify.c's subtree watches); without, LOOKUP's id for the
 * directory itself.  LOOKUP also finds a watched directory that was
 * deleted or moved (its own records).  -1 (ENOMEM). */
int fp_translate(struct fp_out *o, const struct fp_batch *b,
		 fp_lookup_fn lookup, fp_places_fn places, fp_gone_fn gone,
		 void *ctx);

/* Forget the records (keeping the memory). */
void fp_reset(struct fp_out *o);
void fp_free(struct fp_out *o);

#endif
