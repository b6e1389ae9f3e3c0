/*
 * A stand-in for macOS's <CoreServices/CoreServices.h>, so that
 * src/watch_fsevents.c can be compiled and tested on Linux (make
 * check-macos).  Declarations only, and only what the backend uses:
 * written from Apple's documentation of the File System Events API
 * (FSEvents.h: the stream's types, create flags, event flags with their
 * documented values, the callback's signature, the stream's life) and of
 * the few Core Foundation calls that read a callback's CF-typed paths.
 * tests/macos/fake_fsevents.c implements the functions.
 *
 * The flag values are Apple's (they are part of the documented API and
 * of every binary built against it); the CF types are opaque here, as
 * they are to a client there.
 */
#ifndef FAKE_CORESERVICES_H
#define FAKE_CORESERVICES_H

#include <stddef.h>
#include <stdint.h>

#include <dispatch/dispatch.h>

/* ---- Core Foundation (the little FSEvents needs) ------------------------ */

typedef unsigned char Boolean;
typedef uint32_t UInt32;
typedef uint64_t UInt64;
typedef signed long CFIndex;
typedef unsigned long CFTypeID;
typedef double CFTimeInterval;
typedef uint32_t CFStringEncoding;
typedef const void *CFTypeRef;
typedef const struct __CFAllocator *CFAllocatorRef;
typedef const struct __CFString *CFStringRef;
typedef const struct __CFArray *CFArrayRef;
typedef const struct __CFDictionary *CFDictionaryRef;
typedef const struct __CFNumber *CFNumberRef;
typedef CFIndex CFNumberType;

typedef const void *(*CFAllocatorRetainCallBack)(const void *info);
typedef void (*CFAllocatorReleaseCallBack)(const void *info);
typedef CFStringRef (*CFAllocatorCopyDescriptionCallBack)(const void *info);

typedef struct {
	CFIndex version;
	const void *(*retain)(CFAllocatorRef allocator, const void *value);
	void (*release)(CFAllocatorRef allocator, const void *value);
	CFStringRef (*copyDescription)(const void *value);
	Boolean (*equal)(const void *value1, const void *value2);
} CFArrayCallBacks;

extern const CFArrayCallBacks kCFTypeArrayCallBacks;

#define kCFNumberSInt64Type ((CFNumberType)4)
#define kCFStringEncodingUTF8 ((CFStringEncoding)0x08000100)

CFStringRef __CFStringMakeConstantString(const char *cStr);
#define CFSTR(cStr) __CFStringMakeConstantString("" cStr "")

void CFRelease(CFTypeRef cf);
CFTypeID CFGetTypeID(CFTypeRef cf);
CFTypeID CFDictionaryGetTypeID(void);
CFTypeID CFStringGetTypeID(void);
CFArrayRef CFArrayCreate(CFAllocatorRef allocator, const void **values,
			 CFIndex numValues, const CFArrayCallBacks *callBacks);
CFIndex CFArrayGetCount(CFArrayRef theArray);
const void *CFArrayGetValueAtIndex(CFArrayRef theArray, CFIndex idx);
const void *CFDictionaryGetValue(CFDictionaryRef theDict, const void *key);
CFStringRef CFStringCreateWithFileSystemRepresentation(CFAllocatorRef alloc,
						       const char *buffer);
Boolean CFStringGetFileSystemRepresentation(CFStringRef string, char *buffer,
					    CFIndex maxBufLen);
CFIndex CFStringGetMaximumSizeOfFileSystemRepresentation(CFStringRef string);
Boolean CFNumberGetValue(CFNumberRef number, CFNumberType theType,
			 void *valuePtr);

/* ---- FSEvents ----------------------------------------------------------- */

typedef UInt32 FSEventStreamCreateFlags;
typedef UInt32 FSEventStreamEventFlags;
typedef UInt64 FSEventStreamEventId;
typedef struct __FSEventStream *FSEventStreamRef;
typedef const struct __FSEventStream *ConstFSEventStreamRef;

#define kFSEventStreamEventIdSinceNow ((FSEventStreamEventId)0xFFFFFFFFFFFFFFFFULL)

enum {
	kFSEventStreamCreateFlagNone = 0x00000000,
	kFSEventStreamCreateFlagUseCFTypes = 0x00000001,
	kFSEventStreamCreateFlagNoDefer = 0x00000002,
	kFSEventStreamCreateFlagWatchRoot = 0x00000004,
	kFSEventStreamCreateFlagIgnoreSelf = 0x00000008,
	kFSEventStreamCreateFlagFileEvents = 0x00000010,
	kFSEventStreamCreateFlagMarkSelf = 0x00000020,
	kFSEventStreamCreateFlagUseExtendedData = 0x00000040,
	kFSEventStreamCreateFlagFullHistory = 0x00000080
};

enum {
	kFSEventStreamEventFlagNone = 0x00000000,
	kFSEventStreamEventFlagMustScanSubDirs = 0x00000001,
	kFSEventStreamEventFlagUserDropped = 0x00000002,
	kFSEventStreamEventFlagKernelDropped = 0x00000004,
	kFSEventStreamEventFlagEventIdsWrapped = 0x00000008,
	kFSEventStreamEventFlagHistoryDone = 0x00000010,
	kFSEventStreamEventFlagRootChanged = 0x00000020,
	kFSEventStreamEventFlagMount = 0x00000040,
	kFSEventStreamEventFlagUnmount = 0x00000080,
	kFSEventStreamEventFlagItemCreated = 0x00000100,
	kFSEventStreamEventFlagItemRemoved = 0x00000200,
	kFSEventStreamEventFlagItemInodeMetaMod = 0x00000400,
	kFSEventStreamEventFlagItemRenamed = 0x00000800,
	kFSEventStreamEventFlagItemModified = 0x00001000,
	kFSEventStreamEventFlagItemFinderInfoMod = 0x00002000,
	kFSEventStreamEventFlagItemChangeOwner = 0x00004000,
	kFSEventStreamEventFlagItemXattrMod = 0x00008000,
	kFSEventStreamEventFlagItemIsFile = 0x00010000,
	kFSEventStreamEventFlagItemIsDir = 0x00020000,
	kFSEventStreamEventFlagItemIsSymlink = 0x00040000,
	kFSEventStreamEventFlagOwnEvent = 0x00080000,
	kFSEventStreamEventFlagItemIsHardlink = 0x00100000,
	kFSEventStreamEventFlagItemIsLastHardlink = 0x00200000,
	kFSEventStreamEventFlagItemCloned = 0x00400000
};

/* With kFSEventStreamCreateFlagUseExtendedData, each path of a callback
 * is a dictionary holding these keys (macOS 10.13 and later). */
#define kFSEventStreamEventExtendedDataPathKey CFSTR("path")
#define kFSEventStreamEventExtendedFileIDKey CFSTR("fileID")

typedef struct FSEventStreamContext {
	CFIndex version; /* 0 */
	void *info;      /* handed to the callback */
	CFAllocatorRetainCallBack retain;
	CFAllocatorReleaseCallBack release;
	CFAllocatorCopyDescriptionCallBack copyDescription;
} FSEventStreamContext;

typedef void (*FSEventStreamCallback)(
	ConstFSEventStreamRef streamRef, void *clientCallBackInfo,
	size_t numEvents, void *eventPaths,
	const FSEventStreamEventFlags eventFlags[],
	const FSEventStreamEventId eventIds[]);

FSEventStreamRef FSEventStreamCreate(CFAllocatorRef allocator,
				     FSEventStreamCallback callback,
				     FSEventStreamContext *context,
				     CFArrayRef pathsToWatch,
				     FSEventStreamEventId sinceWhen,
				     CFTimeInterval latency,
				     FSEventStreamCreateFlags flags);
FSEventStreamEventId FSEventsGetCurrentEventId(void);
void FSEventStreamSetDispatchQueue(FSEventStreamRef streamRef,
				   dispatch_queue_t q);
Boolean FSEventStreamStart(FSEventStreamRef streamRef);
void FSEventStreamStop(FSEventStreamRef streamRef);
void FSEventStreamInvalidate(FSEventStreamRef streamRef);
void FSEventStreamRelease(FSEventStreamRef streamRef);

#endif
