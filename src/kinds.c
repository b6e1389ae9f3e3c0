/*
 * kinds.c - the names of the kinds of event: the one table that output,
 * --event, --help, error messages and the completions all read.
 */
#include <string.h>

#include "watch.h"

static const char *const kind_names[FW_NKINDS] = {
	"create", "modify", "truncate", "delete", "rename", "attrib", "close_write",
	"close_nowrite", "open", "access", "overflow", "unmount", "ready",
};

const char *
fw_kind_name(enum fw_kind k)
{
	return (unsigned)k < FW_NKINDS ? kind_names[k] : "?";
}

int
fw_kind_parse(const char *name, size_t len)
{
	for (int k = 0; k < FW_NKINDS; k++)
		if (strlen(kind_names[k]) == len &&
		    !memcmp(kind_names[k], name, len))
			return k;
	return -1;
}
