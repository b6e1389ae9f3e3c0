/*
 * kinds.c - the kinds of event: their names, which of them --event may
 * choose, and the names inotifywait users type for them.  The one table
 * that output, --event, --help, the completions and the error messages
 * read; no list of event names is written anywhere else.
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

/* inotifywait's names that are not fwatch's, and the kinds closest to
 * them.  fwatch pairs the halves of a move into one rename (from the
 * old path to the new), so every move name means rename; a watched PATH
 * itself deleted or moved away is reported as delete or rename of it. */
static const struct alias {
	const char *name;
	unsigned mask;
} aliases[] = {
	{ "moved_from", FW_BIT(FW_RENAME) },
	{ "moved_to", FW_BIT(FW_RENAME) },
	{ "move", FW_BIT(FW_RENAME) },
	{ "move_self", FW_BIT(FW_RENAME) },
	{ "delete_self", FW_BIT(FW_DELETE) },
	{ "close", FW_BIT(FW_CLOSE_WRITE) | FW_BIT(FW_CLOSE_NOWRITE) },
};

/* ASCII only: the names are, and a locale must not change the match */
static int
same_word(const char *a, const char *b, size_t len)
{
	if (strlen(a) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
		if (a[i] != c)
			return 0;
	}
	return 1;
}

const char *
fw_kind_alias_at(size_t i, unsigned *mask)
{
	if (i >= sizeof aliases / sizeof aliases[0])
		return NULL;
	if (mask)
		*mask = aliases[i].mask;
	return aliases[i].name;
}

unsigned
fw_kinds_named(const char *name, size_t len)
{
	for (int k = 0; k < FW_NKINDS; k++)
		if (kinds[k].selectable && same_word(kinds[k].name, name, len))
			return FW_BIT(k);
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (same_word(aliases[i].name, name, len))
			return aliases[i].mask;
	return 0;
}

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
