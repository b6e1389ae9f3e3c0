/*
 * fuzz_options.c - the command line as fwatch reads it: cli_parse() on
 * words made from the input, and proc_signal_parse(), which reads the
 * signal names of --stop-signal and --on-busy.
 *
 * Each input is used three ways:
 *   - as a signal name: a name means the same with or without SIG, in
 *     any case;
 *   - as the LIST of --event, written --event=LIST, -e LIST and -eLIST,
 *     and cut in two at a comma (-e A -e B): the same verdict and the
 *     same events every way; a list taken gives back its events when
 *     written again from their names; a list refused names what it
 *     refused;
 *   - cut at spaces into words after "fwatch": a verdict, a message on
 *     the error stream exactly when it is a usage error, the same
 *     verdict and message a second time, and nothing left allocated.
 * Once, the --help text: within 80 columns, naming every kind --event
 * offers.
 */
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"

#include "cli.h"
#include "proc.h"
#include "watch.h"

#define MAX_WORDS 32

static const char try_help[] = "Try 'fwatch --help' for more information.\n";

/* What one cli_parse() made of a command line. */
struct verdict {
	enum cli_next next;
	unsigned events;
	char *err;      /* what it wrote to its error stream */
	size_t err_len;
};

/* Is P one of ARGV's words (not a copy)? */
static int
is_word(char *const *argv, int argc, const char *p)
{
	for (int i = 0; i < argc; i++)
		if (argv[i] == p)
			return 1;
	return 0;
}

/* What holds for every command line, whatever it says. */
static void
check_any(const struct opts *o, char **argv, int argc,
	  const struct verdict *v)
{
	FUZZ_CHECK(v->next == CLI_WATCH || v->next == CLI_HELP ||
		   v->next == CLI_VERSION || v->next == CLI_BAD ||
		   v->next == CLI_COMPLETIONS);
	if (v->next != CLI_BAD) {
		FUZZ_CHECK(v->err_len == 0);
	} else {
		size_t t = sizeof try_help - 1;
		FUZZ_CHECK(v->err_len > 8 && !memcmp(v->err, "fwatch: ", 8));
		FUZZ_CHECK(v->err_len > t &&
			   !memcmp(v->err + v->err_len - t, try_help, t));
	}
	if (v->next != CLI_WATCH)
		return;
	FUZZ_CHECK(o->npaths >= 1);
	/* a PATH is a word of the command line; --explain-ignore with none
	 * explains below "." */
	for (size_t i = 0; i < o->npaths; i++)
		FUZZ_CHECK(is_word(argv, argc, o->paths[i]) ||
			   (o->explain && o->npaths == 1 &&
			    !strcmp(o->paths[i], ".")));
	FUZZ_CHECK(!(o->json && o->out.fmt));
	FUZZ_CHECK(!o->exec_only[0] || o->exec);
	FUZZ_CHECK(!o->exec || (o->eo.argc >= 1 &&
				is_word(argv, argc, o->eo.argv[0])));
	FUZZ_CHECK(o->cfg.events && !(o->cfg.events & ~fw_kinds_selectable()));
}

/* cli_parse() on ARGV (ARGC words, NULL after them), checked. */
static void
parse(char **argv, int argc, struct verdict *v)
{
	struct opts o;
	FILE *err = open_memstream(&v->err, &v->err_len);
	if (!err)
		abort();
	v->next = cli_parse(&o, argc, argv, err);
	FUZZ_CHECK(fclose(err) == 0);
	v->events = o.cfg.events;
	check_any(&o, argv, argc, v);
	cli_free(&o);
}

/* The same command line twice: the same verdict, word for word. */
static void
parse_twice(char **argv, int argc, struct verdict *v)
{
	struct verdict again;
	parse(argv, argc, v);
	parse(argv, argc, &again);
	FUZZ_CHECK(again.next == v->next && again.events == v->events);
	FUZZ_CHECK(again.err_len == v->err_len &&
		   !memcmp(again.err, v->err, v->err_len));
	free(again.err);
}

static char *
concat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);
	if (!s)
		abort();
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* A name any case, with or without SIG, is the same signal. */
static void
check_signal(const char *s)
{
	size_t len = strlen(s);
	int sig = proc_signal_parse(s);
	FUZZ_CHECK(sig == -1 || (sig >= 1 && sig <= 64));
	if (sig > 0 && strncasecmp(s, "SIG", 3) && len < 64 &&
	    !isdigit((unsigned char)s[0]) && s[0] != '+' && s[0] != '-') {
		char with[80];
		snprintf(with, sizeof with, "sIg%s", s);
		FUZZ_CHECK(proc_signal_parse(with) == sig);
	}
}

/* A list taken: its events, written again by name, are taken the same. */
static void
check_events_taken(const struct verdict *v)
{
	char list[512] = "", prog[] = "fwatch", e[] = "-e", dot[] = ".";
	size_t len = 0;
	FUZZ_CHECK(v->events && !(v->events & ~fw_kinds_selectable()));
	for (int k = 0; k < FW_NKINDS; k++)
		if (v->events & FW_BIT(k))
			len += (size_t)snprintf(list + len, sizeof list - len,
						"%s%s", len ? "," : "",
						fw_kind_name((enum fw_kind)k));
	char *argv[] = { prog, e, list, dot, NULL };
	struct verdict again;
	parse(argv, 4, &again);
	FUZZ_CHECK(again.next == CLI_WATCH && again.events == v->events);
	free(again.err);
}

/* A list refused: the message quotes a part of it that is not a name
 * --event takes, and lists the ones it does take. */
static void
check_events_refused(const char *list, const struct verdict *v)
{
	const char *start = strstr(v->err, "unknown event '");
	FUZZ_CHECK(start);
	start += strlen("unknown event '");
	const char *end = NULL; /* the last one: the name may hold one */
	for (const char *p = start; (p = strstr(p, "' (known: ")); p++)
		end = p;
	FUZZ_CHECK(end);
	size_t n = (size_t)(end - start);
	char *name = fuzz_strndup((const uint8_t *)start, n);
	FUZZ_CHECK(strstr(list, name) && !strchr(name, ','));
	int k = fw_kind_parse(name, n);
	FUZZ_CHECK(n >= 40 || strcmp(name, "all"));
	FUZZ_CHECK(n >= 40 || k < 0 || !(fw_kinds_selectable() & FW_BIT(k)));
	for (k = 0; k < FW_NKINDS; k++)
		FUZZ_CHECK(!(fw_kinds_selectable() & FW_BIT(k)) ||
			   strstr(end, fw_kind_name((enum fw_kind)k)));
	free(name);
}

/* LIST as --event's value, written every way the command line allows. */
static void
check_events(char *list)
{
	char prog[] = "fwatch", e[] = "-e", dot[] = ".";
	char *eq = concat("--event=", list), *glued = concat("-e", list);
	char *as_eq[] = { prog, eq, dot, NULL };
	char *as_word[] = { prog, e, list, dot, NULL };
	char *as_glued[] = { prog, glued, dot, NULL };
	struct verdict v1, v2, v3;

	parse(as_eq, 3, &v1);
	parse(as_word, 4, &v2);
	parse(as_glued, 3, &v3);
	FUZZ_CHECK(v1.next == v2.next && v2.next == v3.next);
	FUZZ_CHECK(v1.next == CLI_WATCH || v1.next == CLI_BAD);
	if (v1.next == CLI_WATCH) {
		FUZZ_CHECK(v1.events == v2.events && v2.events == v3.events);
		check_events_taken(&v2);
	} else if (*list) { /* "-e" alone takes "." as its list */
		check_events_refused(list, &v2);
		FUZZ_CHECK(v2.err_len == v3.err_len &&
			   !memcmp(v2.err, v3.err, v2.err_len));
	}
	char *comma = strchr(list, ',');
	if (comma) { /* -e A -e B adds B's events to A's */
		*comma = '\0';
		char *halves[] = { prog, e, list, e, comma + 1, dot, NULL };
		struct verdict vh;
		parse(halves, 6, &vh);
		FUZZ_CHECK(vh.next == v2.next);
		FUZZ_CHECK(vh.next != CLI_WATCH || vh.events == v2.events);
		free(vh.err);
		*comma = ',';
	}
	free(v1.err);
	free(v2.err);
	free(v3.err);
	free(eq);
	free(glued);
}

/* The words of S (cut at spaces, in place) after "fwatch". */
static void
check_words(char *s)
{
	char name[] = "fwatch", *argv[MAX_WORDS + 2];
	int argc = 0;
	struct verdict v;

	argv[argc++] = name;
	for (char *p = s; argc <= MAX_WORDS; p++) {
		argv[argc++] = p;
		if (!(p = strchr(p, ' ')))
			break;
		*p = '\0';
	}
	argv[argc] = NULL;
	parse_twice(argv, argc, &v);
	free(v.err);
}

/* The --help text: 80 columns, and every kind --event offers. */
static void
check_help(void)
{
	char *text = NULL;
	size_t len = 0, col = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	cli_help(f);
	FUZZ_CHECK(fclose(f) == 0);
	for (size_t i = 0; i < len; i++) {
		col = text[i] == '\n' ? 0 : col + 1;
		FUZZ_CHECK(col < 80);
	}
	for (int k = 0; k < FW_NKINDS; k++)
		if (fw_kinds_selectable() & ~FW_ALWAYS & FW_BIT(k))
			FUZZ_CHECK(strstr(text, fw_kind_name((enum fw_kind)k)));
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int help_checked;
	char *s = fuzz_strndup(data, size); /* argv: up to the first NUL */

	if (!help_checked++)
		check_help();
	check_signal(s);
	check_events(s);
	check_words(s); /* last: it cuts S */
	free(s);
	return 0;
}
