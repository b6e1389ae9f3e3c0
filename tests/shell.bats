#!/usr/bin/env bats
# fwatch in the shell: the README's loops that read every name back
# exactly, its rsync recipe, and (further down) shell completions.
# shellcheck disable=SC2154,SC2016

load helpers

# readme_block AFTER: the first ```sh block after the line matching AFTER.
readme_block() {
	awk -v pat="$1" '$0 ~ pat {on = 1}
		on && /^```sh$/ {grab = 1; next} grab && /^```$/ {exit} grab' \
		"$BATS_TEST_DIRNAME/../README.md"
}

# run_recipe SCRIPT OUT: run SCRIPT (./fwatch: this tree's, ended by
# --timeout 2 after the last event) in its own process group, output in
# OUT; RECIPE_PGID is its group.  Waits until every fwatch in it is ready.
run_recipe() {
	local script=$1 n
	n=$(grep -o '\./fwatch' <<<"$script" | wc -l)
	script=${script//.\/fwatch/'"$FWATCH" ${FWATCH_BACKEND:+--backend "$FWATCH_BACKEND"} --timeout 2'}
	FWATCH=$FWATCH setsid bash -c "$script" >"$2" 2>"$BATS_TEST_TMPDIR/recipe.err" &
	RECIPE_PGID=$!
	wait_until 5 "$n ready line(s)" eval \
		'(($(grep -c "ready$" "$BATS_TEST_TMPDIR/recipe.err") >= n))'
}

teardown() {
	[[ -z ${RECIPE_PGID:-} ]] || kill -KILL -- -"$RECIPE_PGID" 2>/dev/null || true
	fw_teardown
}

@test "the README's safe read loops give back names with a backslash, a tab, a newline and a trailing space" {
	command -v jq >/dev/null || skip "jq is not installed (the README's loop uses it)"
	script=$(readme_block 'Where names are not yours')
	[[ $script == *"-0 src"*"--json src"* ]] || fail "README loops not found: $script"
	# the two loops side by side: each on its own would run until the
	# other's events were over
	first=$(sed '/^done$/q' <<<"$script")
	second=$(sed '1,/^done$/d' <<<"$script")
	mkdir src
	run_recipe "{ $first
} & { $second
} & wait" out
	: >"src/back\\slash"
	: >"src/tab	name"
	: >"src/new
line"
	: >"src/trailing "
	wait_until 10 "the loops to end" eval '! kill -0 -- -"$RECIPE_PGID" 2>/dev/null'
	RECIPE_PGID=
	# each loop prints each create once, the name exactly
	for name in "src/back\\slash" "src/tab	name" "src/new
line" "src/trailing "; do
		n=$(grep -c -F -x -e "create: $name" out || true)
		[[ $name == *$'\n'* ]] && n=$(grep -c -F -x -e "create: src/new" out || true)
		((n == 2)) || fail "'$name' came back $n times, not twice: $(cat -A out)"
	done
	grep -q -F -x -e "create: src/trailing " out || fail "the trailing space was lost: $(cat -A out)"
}

@test "the README's rsync recipe gives the final names, not rsync's temporary ones" {
	command -v jq >/dev/null || skip "jq is not installed (the recipe uses it)"
	command -v rsync >/dev/null || skip "rsync is not installed"
	script=$(readme_block 'After `rsync -a`')
	[[ $script == *"-x '.*.??????' --json dst"* ]] || fail "README recipe not found: $script"
	mkdir -p from/sub dst
	echo a >from/a
	echo b >from/sub/b
	run_recipe "$script" out
	rsync -a from/ dst/
	wait_until 10 "the recipe to end" eval '! kill -0 -- -"$RECIPE_PGID" 2>/dev/null'
	RECIPE_PGID=
	assert_equal "$(sort out)" "dst/a
dst/sub
dst/sub/b"
}
