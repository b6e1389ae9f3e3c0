/*
 * fuzz_options.c - the option values that are parsed outside main.c:
 * signal names (--stop-signal, --on-busy) by proc_signal_parse(), and
 * event names (--event, a comma-separated list) by fw_kind_parse().
 * main.c's own value parsers are static and not reached from here.
 */
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"

#include "proc.h"
#include "watch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size); /* argv: up to the first NUL */
	size_t len = strlen(s);

	int sig = proc_signal_parse(s);
	FUZZ_CHECK(sig == -1 || (sig >= 1 && sig <= 64));
	/* a name is a name with or without SIG, in any case */
	if (sig > 0 && strncasecmp(s, "SIG", 3) && len < 64 &&
	    !isdigit((unsigned char)s[0]) && s[0] != '+' && s[0] != '-') {
		char with[80];
		snprintf(with, sizeof with, "sIg%s", s);
		FUZZ_CHECK(proc_signal_parse(with) == sig);
	}

	/* --event's list, split as main.c splits it */
	for (const char *p = s;;) {
		size_t n = strcspn(p, ",");
		int k = fw_kind_parse(p, n);
		FUZZ_CHECK(k >= -1 && k < FW_NKINDS);
		if (k >= 0) {
			const char *name = fw_kind_name((enum fw_kind)k);
			FUZZ_CHECK(strlen(name) == n && !memcmp(name, p, n));
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	/* and whole, NULs and all */
	int k = fw_kind_parse((const char *)data, size);
	FUZZ_CHECK(k >= -1 && k < FW_NKINDS);
	FUZZ_CHECK(k < 0 || (len == size && !strcmp(fw_kind_name((enum fw_kind)k), s)));

	free(s);
	return 0;
}
