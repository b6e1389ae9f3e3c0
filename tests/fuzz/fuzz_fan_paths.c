/*
 * fuzz_fan_paths.c - where fanotify events' directories were
 * (src/fan_paths.c), on operation sequences the fuzzer spells.
 *
 * The input drives tests/unit/fan_sim.h's simulated filesystem: its
 * first byte says how many paths are kept between reads (few, to empty
 * the cache often, or many), then every four bytes are an operation
 * (mkdir, rmdir, directory and file renames, writes, a directory's own
 * news), whether its event is lost to an overflow, and whether a read
 * follows.  Every directory of every event must be answered with its
 * true path at that event's time; FPATH_UNKNOWN is allowed only before
 * an overflow in the same read.
 */
#include "fuzz.h"

#include "../unit/fan_sim.h"

static struct sim s;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max;
	if (!size)
		return 0;
	max = data[0] % 4 ? 1000 : data[0] / 4 % 8;
	if (sim_run(&s, data + 1, size - 1, max) < 0) {
		fprintf(stderr, "%s\n", s.err);
		FUZZ_CHECK(!"a directory placed wrong");
	}
	FUZZ_CHECK(s.placed + s.unknown == s.events);
	return 0;
}
