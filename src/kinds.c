/*
 * kinds.c - the kinds of event: their names, and which of them --event
 * may choose.  The one table that output, --event, --help and the error
 * messages read; no list of event names is written anywhere else.
 */
#include <string.h>

#include "watch.h"

static const struct kind {
	const char *name;
	int selectable;   /* --event may name it */
} kinds[FW_NKINDS] = {
	[FW_CREATE]        = { "create", 1 },
	[FW_MODIFY]        = { "modify", 1 },
	[FW_TRUNCATE]      = { "truncate", 1 },
	[FW_DELETE]        = { "delete", 1 },
	[FW_RENAME]        = { "rename", 1 },
	[FW_ATTRIB]        = { "attrib", 1 },
	[FW_CLOSE_WRITE]   = { "close_write", 1 },
	[FW_CLOSE_NOWRITE] = { "close_nowrite", 1 },
	[FW_OPEN]          = { "open", 1 },
	[FW_ACCESS]        = { "access", 1 },
	/* accepted, though FW_ALWAYS reports them whatever --event says */
	[FW_OVERFLOW]      = { "overflow", 1 },
	[FW_UNMOUNT]       = { "unmount", 1 },
	/* fwatch's own record (--ready), not a change to choose */
	[FW_READY]         = { "ready", 0 },
};

const char *
fw_kind_name(enum fw_kind k)
{
	return (unsigned)k < FW_NKINDS ? kinds[k].name : "?";
}

int
fw_kind_parse(const char *name, size_t len)
{
	for (int k = 0; k < FW_NKINDS; k++)
		if (strlen(kinds[k].name) == len &&
		    !memcmp(kinds[k].name, name, len))
			return k;
	return -1;
}

unsigned
fw_kinds_selectable(void)
{
	unsigned mask = 0;
	for (int k = 0; k < FW_NKINDS; k++)
		if (kinds[k].selectable)
			mask |= FW_BIT(k);
	return mask;
}
