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

# ---------------------------------------------------------------- terminal

# pty SCRIPT ARGS...: fwatch ARGS as the foreground job of a new
# pseudo-terminal, driven by SCRIPT (see tests/ptyrun).
pty() {
	local script=$1
	shift
	command -v python3 >/dev/null || skip "python3 is not installed (tests/ptyrun)"
	run timeout 30 "$BATS_TEST_DIRNAME/ptyrun" "$script" -- \
		"$FWATCH" "${FW_BACKEND_ARGS[@]}" "$@"
}

@test "--exec: a command that reads the terminal gets it while it runs, and fwatch takes it back after" {
	mkdir d
	export LOG=$BATS_TEST_TMPDIR/log
	pty "wait ready
send hello\\n
file $LOG got hello
alive 300
send \\x03
exit 130" d --exec sh -c 'read -r line; echo "got $line" >"$LOG"'
	assert_status 0
}

@test "--exec: Ctrl-C while the command runs stops the command, not fwatch; between runs it stops fwatch" {
	mkdir d
	export LOG=$BATS_TEST_TMPDIR/log
	pty "wait ready
file $LOG start
send \\x03
alive 500
send \\x03
exit 130" d --exec sh -c 'echo start >>"$LOG"; sleep 30; echo after >>"$LOG"'
	assert_status 0
	assert_equal "$(cat "$LOG")" "start"
}

@test "--exec --no-tty: the command stays in the background, and one that reads the terminal is stopped (SIGTTIN)" {
	mkdir d
	export LOG=$BATS_TEST_TMPDIR/log
	pty "wait ready
send hello\\n
alive 1000
send \\x03
exit 130" --no-tty --stop-timeout 0.5 d --exec sh -c 'read -r line; echo "got $line" >"$LOG"'
	assert_status 0
	[[ ! -e $LOG ]] || fail "the command read the terminal: $(cat "$LOG")"
}

@test "--exec: Ctrl-Z in an interactive bash stops fwatch and its command as one job; fg gives the command the terminal again" {
	mkdir d
	export LOG=$BATS_TEST_TMPDIR/log
	command -v python3 >/dev/null || skip "python3 is not installed (tests/ptyrun)"
	# the shell's prompt is "$ "; its last command's status is its own
	run timeout 30 "$BATS_TEST_DIRNAME/ptyrun" "wait \$ 
send \"\$FWATCH\" d --exec sh -c 'echo start >>\"\$LOG\"; read -r x; echo \"got \$x\" >>\"\$LOG\"'\\n
file $LOG start
send \\x1a
wait Stopped
send fg\\n
alive 300
send hi\\n
file $LOG got hi
alive 300
send \\x03
alive 300
send exit \$?\\n
exit 130" -- env FWATCH="$FWATCH" PS1='$ ' bash --norc --noprofile -i
	assert_status 0
	assert_equal "$(cat "$LOG")" "start
got hi"
}

# ---------------------------------------------------------------- completions

# install_here: `make install` of this tree into $BATS_TEST_TMPDIR/prefix
# (the Makefile makes the completions with the fwatch it built).
install_here() {
	PREFIX=$BATS_TEST_TMPDIR/prefix
	make -s -C "$BATS_TEST_DIRNAME/.." install PREFIX="$PREFIX" \
		>"$BATS_TEST_TMPDIR/install.log" 2>&1 ||
		fail "make install failed: $(cat "$BATS_TEST_TMPDIR/install.log")"
}

# complete_bash WORD...: what the installed bash completion offers for
# the command line WORD... (the last word being completed), one a line.
complete_bash() {
	bash --norc --noprofile -c '
		source "$1"; shift
		complete -p fwatch >/dev/null || exit 3
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		_fwatch fwatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash \
		"$PREFIX/share/bash-completion/completions/fwatch" "$@"
}

@test "make install puts the completions where bash, zsh and fish look, and make uninstall takes them away" {
	install_here
	for f in bin/fwatch share/man/man1/fwatch.1 \
		share/bash-completion/completions/fwatch \
		share/zsh/site-functions/_fwatch \
		share/fish/vendor_completions.d/fwatch.fish; do
		[[ -s $PREFIX/$f ]] || fail "make install left no $f"
	done
	make -s -C "$BATS_TEST_DIRNAME/.." uninstall PREFIX="$PREFIX"
	left=$(find "$PREFIX" -type f)
	assert_equal "$left" ""
}

@test "bash completion, in a real bash: options, event lists, --on-busy and signal names, backends, paths, the command after --exec" {
	install_here
	mkdir -p src/sub
	: >src/file.c
	run complete_bash fwatch --stop-s
	assert_status 0
	assert_equal "$output" "--stop-signal"
	run complete_bash fwatch --no-t
	assert_equal "$output" "--no-tty"
	run complete_bash fwatch -e create,mo
	assert_equal "$(sort <<<"$output")" "create,modify
create,move
create,move_self
create,moved_from
create,moved_to"
	run complete_bash fwatch --on-busy r
	assert_equal "$output" "restart"
	run complete_bash fwatch --stop-signal T
	assert_equal "$output" "TERM"
	run complete_bash fwatch --backend po
	assert_equal "$output" "poll"
	# --opt=value: bash splits the word at '='
	run complete_bash fwatch --stdin = n
	assert_equal "$output" "nul"
	run complete_bash fwatch -r sr
	assert_equal "$output" "src"
	run complete_bash fwatch -r src --exec ech
	[[ $output == *echo* ]] || fail "no command offered after --exec: $output"
	run complete_bash fwatch -r src --exec make sr
	assert_equal "$output" "src"
	# options with a free value offer nothing
	run complete_bash fwatch --debounce ""
	assert_equal "$output" ""
}

@test "every option of the table is offered, in each shell's script" {
	install_here
	run_fwatch --help
	opts=$(grep -o -E -e '--[a-z][a-z0-9-]+' <<<"$output" | grep -v -e '--version$' -e '--exec$' | sort -u)
	for f in share/bash-completion/completions/fwatch share/zsh/site-functions/_fwatch \
		share/fish/vendor_completions.d/fwatch.fish; do
		for o in $opts --version --exec; do
			[[ $f != *fish ]] || o="-l ${o#--}"
			grep -q -F -e "$o" "$PREFIX/$f" || fail "$f does not offer $o"
		done
	done
}

@test "the zsh completion loads with compinit and completes in an interactive zsh" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	command -v python3 >/dev/null || skip "python3 is not installed (tests/ptyrun)"
	install_here
	dir=$PREFIX/share/zsh/site-functions
	run zsh -f -c "fpath=('$dir' \$fpath); autoload -Uz compinit; compinit -u -D; print -r -- \$_comps[fwatch]"
	assert_status 0
	assert_equal "$output" "_fwatch"
	run timeout 30 "$BATS_TEST_DIRNAME/ptyrun" "send fpath=('$dir' \$fpath); autoload -Uz compinit; compinit -u -D; PS1='ZR%%>'\\n
wait ZR%>
send fwatch --stop-sig\\t
wait --stop-signal
send \\t
wait TERM" -- zsh -f -i
	assert_status 0
}

@test "the fish completion loads and completes options, event lists and the command after --exec" {
	command -v fish >/dev/null || skip "fish is not installed"
	install_here
	f=$PREFIX/share/fish/vendor_completions.d/fwatch.fish
	run fish --no-config -c "source '$f'; complete -C 'fwatch --stop-s'"
	assert_status 0
	assert_contains "$output" "--stop-signal"
	run fish --no-config -c "source '$f'; complete -C 'fwatch -e create,mo'"
	assert_contains "$output" "create,moved_to"
	run fish --no-config -c "source '$f'; complete -C 'fwatch --on-busy '"
	assert_contains "$output" "queue"
	assert_contains "$output" "HUP"
	run fish --no-config -c "source '$f'; complete -C 'fwatch --exec ech'"
	assert_contains "$output" "echo"
}
