/*
 * replay_main.c - run a fuzz target without libFuzzer: every file named,
 * and every file of every directory named, is given once to
 * LLVMFuzzerTestOneInput, in name order.  Built with ASan and UBSan by
 * `tests/fuzz/run --replay`, it makes the corpora a regression test.
 *
 *   replay_fuzz_glob [-v] tests/fuzz/corpus/fuzz_glob [crash-file ...]
 *
 * -v names each input before it runs, so a crash can be traced to it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int verbose;
static size_t count;

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0;
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			unsigned char *np = realloc(data, cap);
			if (!np) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(data);
				fclose(f);
				return -1;
			}
			data = np;
		}
		size_t k = fread(data + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* the input alone in a block of its size, as libFuzzer gives it,
	 * so a read one byte past it is caught */
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	if (len)
		memcpy(exact, data, len);
	free(data);
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	count++;
	return 0;
}

static int
run_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), r = 0;
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(dir) + strlen(name) + 2;
		char *path = malloc(len);
		struct stat st;
		if (!path) {
			r = -1;
		} else if (name[0] != '.') {
			snprintf(path, len, "%s/%s", dir, name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    run_file(path) < 0)
				r = -1;
		}
		free(path);
		free(ents[i]);
	}
	free(ents);
	return r;
}

int
main(int argc, char **argv)
{
	int r = 0, i = 1;
	if (i < argc && !strcmp(argv[i], "-v")) {
		verbose = 1;
		i++;
	}
	if (i == argc) {
		fprintf(stderr, "usage: %s [-v] CORPUS-DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
				strerror(errno));
			r = -1;
		} else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) < 0
					       : run_file(argv[i]) < 0) {
			r = -1;
		}
	}
	printf("replay: %zu inputs\n", count);
	return r < 0;
}
