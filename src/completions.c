/*
 * completions.c - `fwatch --completions bash|zsh|fish`: the shells'
 * completion scripts, made from the option table (cli_option_at), the
 * event names (kinds.c), the signal names (signame.c) and the backends
 * built in, so that an option added to the table is completed at once.
 * What an option's value is (a file, a word from a list, free text) is
 * said here, by name; an option not listed that takes a value is given
 * file names, which is right for the many that take a FILE.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "completions.h"
#include "proc.h"
#include "watch.h"

enum value {
	V_NONE,    /* a flag */
	V_FILE,    /* a file name */
	V_TEXT,    /* a number, a glob, a format: nothing to offer */
	V_WORDS,   /* one of words */
	V_EVENTS,  /* a comma-separated list of words */
	V_COMMAND  /* --exec: a command, then its arguments */
};

static const struct {
	const char *name;
	enum value v;
	const char *words; /* fixed words; more in value_words() */
} values[] = {
	{ "event", V_EVENTS, NULL },
	{ "on-busy", V_WORDS, "queue restart ignore" },
	{ "stop-signal", V_WORDS, NULL },
	{ "backend", V_WORDS, NULL },
	{ "stdin", V_WORDS, "nul lines" },
	{ "on-delete", V_WORDS, "wait exit" },
	{ "tail-from", V_WORDS, "start end" },
	{ "completions", V_WORDS, "bash zsh fish" },
	{ "include", V_TEXT, NULL },
	{ "exclude", V_TEXT, NULL },
	{ "format", V_TEXT, NULL },
	{ "timeout", V_TEXT, NULL },
	{ "debounce", V_TEXT, NULL },
	{ "max-wait", V_TEXT, NULL },
	{ "poll-interval", V_TEXT, NULL },
	{ "stop-timeout", V_TEXT, NULL },
	{ "exec", V_COMMAND, NULL },
};

/* One option as the scripts need it. */
struct opt {
	const char *name;
	char letter;
	enum value v;
	char desc[160];
	char words[512]; /* V_WORDS, V_EVENTS: separated by spaces */
};

/* W (N bytes) += " WORD" */
static void
add_word(char *w, size_t n, const char *word)
{
	size_t len = strlen(w);
	snprintf(w + len, n - len, "%s%s", len ? " " : "", word);
}

static void
value_words(struct opt *o, const char *fixed)
{
	const char *name;
	unsigned sel = fw_kinds_selectable();
	o->words[0] = '\0';
	if (fixed)
		add_word(o->words, sizeof o->words, fixed);
	if (!strcmp(o->name, "backend"))
		for (size_t i = 0; (name = fw_backend_at(i, NULL)); i++)
			add_word(o->words, sizeof o->words, name);
	if (!strcmp(o->name, "on-busy") || !strcmp(o->name, "stop-signal"))
		for (size_t i = 0; (name = proc_signal_name_at(i)); i++)
			add_word(o->words, sizeof o->words, name);
	if (o->v == V_EVENTS) {
		for (int k = 0; k < FW_NKINDS; k++)
			if (sel & FW_BIT(k))
				add_word(o->words, sizeof o->words,
					 fw_kind_name((enum fw_kind)k));
		for (size_t i = 0; (name = fw_kind_alias_at(i, NULL)); i++)
			add_word(o->words, sizeof o->words, name);
		add_word(o->words, sizeof o->words, "all");
	}
}

/* The I-th option, filled in; 0 past the last. */
static int
option_at(size_t i, struct opt *o)
{
	int has_arg;
	if (!(o->name = cli_option_at(i, &has_arg, &o->letter, o->desc,
				      sizeof o->desc)))
		return 0;
	o->v = has_arg ? V_FILE : V_NONE;
	const char *fixed = NULL;
	for (size_t k = 0; k < sizeof values / sizeof values[0]; k++)
		if (!strcmp(values[k].name, o->name)) {
			o->v = values[k].v;
			fixed = values[k].words;
		}
	value_words(o, fixed);
	return 1;
}

/* S with each character in SPECIAL preceded by a backslash, inside a
 * single-quoted word; a quote with QUOTE ("'\\''" in zsh), if given. */
static void
put_escaped(FILE *out, const char *s, const char *special,
	    const char *quote)
{
	for (; *s; s++) {
		if (*s == '\'' && quote)
			fputs(quote, out);
		else if (strchr(special, *s))
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

/* ---- bash ------------------------------------------------------------- */

/* The case label for option O: "-e|--event". */
static void
bash_label(FILE *out, const struct opt *o)
{
	if (o->letter)
		fprintf(out, "-%c|", o->letter);
	fprintf(out, "--%s", o->name);
}

static void
bash(FILE *out)
{
	struct opt o;
	fputs("# bash completion for fwatch, made by `fwatch --completions "
	      "bash` from its\n# option table: do not edit.\n"
	      "_fwatch()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i\n"
	      "\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\t# --opt=value: bash has split the word at '='\n"
	      "\tif [[ $cur == = ]]; then\n\t\tcur=\n"
	      "\telif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}\n\tfi\n"
	      "\t# after --exec: a command, then its arguments\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\t[[ ${COMP_WORDS[i]} == --exec ]] || continue\n"
	      "\t\tif ((COMP_CWORD == i + 1)); then\n"
	      "\t\t\tCOMPREPLY=($(compgen -c -- \"$cur\"))\n"
	      "\t\telse\n"
	      "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\t\tfi\n\t\treturn 0\n\tdone\n"
	      "\tcase $prev in\n", out);
	for (size_t i = 0; option_at(i, &o); i++) {
		if (o.v == V_NONE || o.v == V_COMMAND)
			continue;
		fputc('\t', out);
		bash_label(out, &o);
		if (o.v == V_EVENTS)
			fprintf(out, ")\n\t\tlocal done=${cur%%\"${cur##*,}\"}\n"
				"\t\tCOMPREPLY=($(compgen -P \"$done\" -W '%s' "
				"-- \"${cur##*,}\"))\n", o.words);
		else if (o.v == V_WORDS)
			fprintf(out, ")\n\t\tCOMPREPLY=($(compgen -W '%s' -- "
				"\"$cur\"))\n", o.words);
		else if (o.v == V_FILE)
			fputs(")\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n",
			      out);
		else
			fputs(")\n\t\tCOMPREPLY=()\n", out);
		fputs("\t\treturn 0 ;;\n", out);
	}
	fputs("\tesac\n\tif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W '", out);
	for (size_t i = 0; option_at(i, &o); i++)
		fprintf(out, "%s--%s", i ? " " : "", o.name);
	for (size_t i = 0; option_at(i, &o); i++)
		if (o.letter)
			fprintf(out, " -%c", o.letter);
	fputs("' -- \"$cur\"))\n\t\treturn 0\n\tfi\n"
	      "\tCOMPREPLY=($(compgen -f -- \"$cur\")) # a PATH\n}\n"
	      "complete -o filenames -F _fwatch fwatch\n", out);
}

/* ---- zsh -------------------------------------------------------------- */

static void
zsh(FILE *out)
{
	struct opt o;
	fputs("#compdef fwatch\n# zsh completion for fwatch, made by `fwatch "
	      "--completions zsh` from its\n# option table: do not edit.\n"
	      "local -a args\nargs=(\n", out);
	for (size_t i = 0; option_at(i, &o); i++) {
		const char *eq = o.v == V_NONE ? "" : "=";
		fputs("\t", out);
		/* repeatable or not, an option is offered again: fwatch
		 * takes a second of each */
		if (o.letter)
			fprintf(out, "'*'{-%c%s,--%s%s}'[", o.letter,
				o.v == V_NONE ? "" : "+", o.name, eq);
		else
			fprintf(out, "'*--%s%s[", o.name, eq);
		put_escaped(out, o.desc, "[]:\\", "'\\''");
		fputs("]", out);
		switch (o.v) {
		case V_NONE:
			break;
		case V_FILE:
			fputs(":file:_files", out);
			break;
		case V_TEXT:
			fputs(": :", out);
			break;
		case V_WORDS:
			fprintf(out, ":value:(%s)", o.words);
			break;
		case V_EVENTS:
			fprintf(out, ":events:_sequence compadd - %s", o.words);
			break;
		case V_COMMAND:
			/* every word after it is the command's */
			fputs(":command: _command_names -e:*::arguments: "
			      "_normal", out);
			break;
		}
		fputs("'\n", out);
	}
	fputs("\t'*:path:_files'\n)\n_arguments -s -S $args\n", out);
}

/* ---- fish ------------------------------------------------------------- */

static void
fish(FILE *out)
{
	struct opt o;
	fputs("# fish completion for fwatch, made by `fwatch --completions "
	      "fish` from its\n# option table: do not edit.\n"
	      "complete -c fwatch -e\n"
	      "# after --exec: the command and its arguments\n"
	      "function __fwatch_after_exec\n"
	      "\tcontains -- --exec (commandline -opc)\nend\n"
	      "# the words after --exec, as a command line of their own\n"
	      "function __fwatch_exec_line\n"
	      "\tset -l w (commandline -opc)\n"
	      "\tset -l i (contains -i -- --exec $w)\n"
	      "\tset -e w[1..$i]\n"
	      "\tstring join ' ' -- (string escape -- $w) "
	      "(commandline -ct)\nend\n"
	      "complete -c fwatch -n __fwatch_after_exec -f "
	      "-a '(complete -C (__fwatch_exec_line))'\n", out);
	for (size_t i = 0; option_at(i, &o); i++) {
		if (o.v == V_COMMAND) {
			fprintf(out, "complete -c fwatch -n 'not "
				"__fwatch_after_exec' -l exec -d '");
			put_escaped(out, o.desc, "'\\", NULL);
			fputs("'\n", out);
			continue;
		}
		fputs("complete -c fwatch -n 'not __fwatch_after_exec'", out);
		if (o.letter)
			fprintf(out, " -s %c", o.letter);
		fprintf(out, " -l %s", o.name);
		if (o.v == V_WORDS)
			fprintf(out, " -x -a '%s'", o.words);
		else if (o.v == V_EVENTS)
			/* a comma-separated list: each name after what is
			 * typed up to the last comma */
			fprintf(out, " -x -a '(string replace -r \"[^,]*\\\\$\" \"\" "
				"-- (commandline -ct))(string split \" \" "
				"\"%s\")'", o.words);
		else if (o.v == V_TEXT)
			fputs(" -x", out);
		else if (o.v == V_FILE)
			fputs(" -r -F", out);
		fputs(" -d '", out);
		put_escaped(out, o.desc, "'\\", NULL);
		fputs("'\n", out);
	}
}

int
completions_print(FILE *out, const char *shell)
{
	if (!strcmp(shell, "bash"))
		bash(out);
	else if (!strcmp(shell, "zsh"))
		zsh(out);
	else if (!strcmp(shell, "fish"))
		fish(out);
	else
		return -1;
	return 0;
}
