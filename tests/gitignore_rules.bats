#!/usr/bin/env bats
# The gitignore rules (src/gitignore.c, src/gitconfig.c) held against git
# itself, without the watcher: a generated repository full of hard cases,
# then rounds of random rules, every path asked of `git check-ignore
# --no-index` and of tests/unit/ig_oracle (built by `make unit`), which
# must answer alike, down to the rule that decides; and core.excludesFile
# asked of `git config`.
# shellcheck disable=SC2154

ORACLE=$BATS_TEST_DIRNAME/unit/ig_oracle

setup() {
	export LC_ALL=C
	command -v git >/dev/null 2>&1 ||
		skip "git is not installed: nothing to compare the rules with"
	[[ -x $ORACLE ]] || {
		echo "$ORACLE not found: build it with make unit" >&2
		return 1
	}
	# git reads only what the test writes: its own HOME, no system file
	export HOME=$BATS_TEST_TMPDIR/home XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/home/xdg
	export GIT_CONFIG_NOSYSTEM=1
	unset GIT_CONFIG_GLOBAL GIT_DIR GIT_WORK_TREE
	mkdir -p "$HOME" "$XDG_CONFIG_HOME"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# Files and directories named to meet the rules below, at every depth.
FILES=(keep.log c.log d.o e.o x.c important.tmp e.tmp f.bak keep.bak
	trail 'trail ' 'trail  ' 'esc ' esc '#hash' hash '!bang' bang 42 4 x7
	'a b' 'sp ace' Z9 z9 '[abc' '[lit]' l '*star' star 'back\' back q1 q12
	dle only-here root-only global-only info-only keep.txt keep bar deep
	ab axb a.b $'cr\r' cr $'tab\t' ' lead' 'é.txt' foo zz .hidden y z)
DIRS=(a b c d x y src keep z mid out)
# names that rules ignore as directories: made with files only, so that
# most paths are judged by their own rules, not by an ignored parent
LEAVES=(build logs deep deep2 foo foox xy 'sp ace' é)

# A tree under $1: some of FILES, DIRS and LEAVES in each directory, down
# to depth $2; ODDS[depth] in 100 that a directory is made.  $RANDOM is
# seeded, so the tree is the same on every run.
ODDS=(0 30 50 80)
grow() {
	local dir=$1 depth=$2 n
	for n in "${FILES[@]}"; do
		if ((RANDOM % 100 < 22)) && [[ ! -e $dir/$n ]]; then
			: >"$dir/$n"
		fi
	done
	((depth > 0)) || return 0
	for n in "${DIRS[@]}" "${LEAVES[@]}"; do
		if ((RANDOM % 100 < ODDS[depth])) &&
			[[ ! -e $dir/$n || (-d $dir/$n && ! -L $dir/$n) ]]; then
			mkdir -p "$dir/$n"
			if [[ " ${LEAVES[*]} " == *" $n "* ]]; then
				grow "$dir/$n" 0
			else
				grow "$dir/$n" $((depth - 1))
			fi
		fi
	done
}

# The repository: the rules of each list and the paths they meet.
make_repo() {
	git init -q repo
	cd repo || return 1
	mkdir -p a/c d build out mid x/mid logs-dir keep
	printf '%s\n' '# the global excludes file' '*.tmp' '*.swp' \
		'!important.tmp' global-only '[[:upper:]][[:digit:]]*' \
		'z?/' >"$HOME/global ignore"
	printf '%s\n' '# info/exclude' '*.bak' '!keep.bak' 'info-only/' \
		'!e.tmp' 'foo/' >.git/info/exclude
	printf '%s\n' '# the top' '*.log' '!keep.log' 'build/' \
		'!build/keep.txt' 'out/*' '!out/keep' /root-only mid/dle \
		'logs/' '**/deep' 'deep2/**' 'a/**/z' 'a**b' 'foo**/bar' \
		'x/b**' 'trail  ' 'esc\ ' 'trail\  \ ' '\#hash' '\!bang' \
		'[[:digit:]][[:digit:]]' '[!a-y][0-9]' '[[:space:]]*' 'q?' \
		'x/*' '*/x' '?/y' '*.o' '!d.o' 'x**y/l' '[abc' '[[:foo:]]' \
		'back\' '\[lit\]' '\*star' 'é*' '*/mid/*' 'sp ace/' '!/b/' \
		'xy/**/' '.hidden' 'q[!a-z]*' '!*[[:upper:]]' >.gitignore
	# CRLF lines, a BOM, escaped and trailing spaces, negations of the
	# top's rules, anchored rules relative to a/
	{
		printf '\xef\xbb\xbf# a: CRLF\r\n'
		printf '%s\r\n' '!*.log' /only-here b/ '*.c' '!keep/' 'sp\ ace' '!cr'
	} >a/.gitignore
	# whitelisting: everything but directories and .txt files
	printf '%s\n' '*' '!*/' '!*.txt' '!.gitignore' >a/c/.gitignore
	printf '%s\n' /x '!x/' '**/' 'y/**' '!y/keep' 'q*/' >d/.gitignore
	printf '%s\n' '!*' >build/.gitignore # inside an ignored directory
	# the cases a random tree may miss, then the random tree around them
	mkdir -p foox/y a/x/y deep2/k x/b/c d/y mid/mid c/logs same b xy/1/2
	: >build/keep.txt
	: >out/keep
	: >out/other
	: >mid/dle
	: >x/mid/dle
	: >foox/y/bar
	: >a/x/y/z
	: >deep2/k/v
	: >d/y/keep
	: >c/logs/f
	: >xy/1/2/f
	: >same/logs # a file where a rule names a directory
	: >same/build
	: >'trail   '
	ln -s ../logs-dir b/logs
	ln -s ../mid mid/link
	# bats traces every command of a test; a tree is made faster without
	(trap - DEBUG ERR RETURN; set +ET; RANDOM=1; grow . 3)
	cd ..
}

# The lists in the order git weighs them, as ig_oracle's arguments: the
# global file, info/exclude, then every .gitignore from the top down.
layers() {
	local global=$1 f d
	printf '%s\0%s\0%s\0%s\0' '' "$global" '' .git/info/exclude
	find . -name .gitignore -type f -printf '%d %P\n' | sort -n |
		while read -r d f; do
			d=${f%.gitignore}
			printf '%s\0%s\0' "$d" "$f"
		done
}

# The paths where git's answers ($1) and ig_oracle's ($2) differ, and
# how many: "source:line:rule" of each, or "-" when no rule decides.
differ() {
	tr '\0' '\n' <"$1" | paste - - - - | cat -v >"$1.txt"
	tr '\0' '\n' <"$2" | paste - - - - | cat -v >"$2.txt"
	awk -F '\t' '
		NR == FNR { git[FNR] = $0; next }
		$0 != git[FNR] {
			if (++n > 30)
				next
			split(git[FNR], g)
			printf "%s\n  git:       %s\n  the rules: %s\n", $4,
			    g[1] == "" ? "-" : g[1] ":" g[2] ":" g[3],
			    $1 == "" ? "-" : $1 ":" $2 ":" $3
		}
		END { printf "%d paths differ\n", n }' "$1.txt" "$2.txt"
}

# Every path of the tree but .git, NUL-separated, parents first.
paths() {
	find . -mindepth 1 -path ./.git -prune -o -printf '%P\0'
}

@test "the rules agree with git check-ignore on every path of a generated repository" {
	make_repo
	printf '%s\n' '[user]' '	name = t' '[core "sub"]' \
		'	excludesFile = /nowhere' '[Core]' \
		"	ExcludesFile = \"$HOME/global ignore\" ; spaces in the path" \
		>"$HOME/.gitconfig"
	cd repo
	# the global file is the one ig_config_excludes finds in git's config
	run "$ORACLE" --config "$HOME/.gitconfig"
	[ "$status" -eq 0 ]
	[ "$output" = "$HOME/global ignore" ]
	local global=$output
	[ "$(git config --get core.excludesFile)" = "$global" ]

	paths >"$BATS_TEST_TMPDIR/paths"
	local n rules
	n=$(tr -cd '\0' <"$BATS_TEST_TMPDIR/paths" | wc -c)
	mapfile -d '' args < <(layers "$global")
	rules=$(for ((i = 1; i < ${#args[@]}; i += 2)); do cat "${args[i]}"; echo; done |
		grep -c -v -e '^#' -e $'^\xef\xbb\xbf#' -e '^[[:space:]]*$')
	[ "$n" -gt 2000 ]

	git check-ignore --no-index -z -v -n --stdin <"$BATS_TEST_TMPDIR/paths" \
		>"$BATS_TEST_TMPDIR/git.out"
	"$ORACLE" "${args[@]}" <"$BATS_TEST_TMPDIR/paths" >"$BATS_TEST_TMPDIR/ours.out"
	local ignored
	ignored=$(tr '\0' '\n' <"$BATS_TEST_TMPDIR/git.out" | paste - - - - |
		grep -c -v -e '^	' -e '^[^	]*	[^	]*	!')
	echo "# $n paths, $((${#args[@]} / 2)) lists, $rules lines of rules: git ignores $ignored" >&3
	if ! cmp -s "$BATS_TEST_TMPDIR/git.out" "$BATS_TEST_TMPDIR/ours.out"; then
		differ "$BATS_TEST_TMPDIR/git.out" "$BATS_TEST_TMPDIR/ours.out"
		false
	fi
	# the test can fail: both ignore something, and keep something
	[ "$ignored" -gt 200 ] && [ "$ignored" -lt "$((n - 200))" ]
}

@test "core.excludesFile is read from config files as git config reads it" {
	local i=0 f want got
	while IFS= read -r -d '' text; do
		f=$BATS_TEST_TMPDIR/config$((i++))
		printf '%b' "$text" >"$f"
		want=$(git config -f "$f" --get core.excludesFile; echo "status $?")
		got=$("$ORACLE" --config "$f"; echo "status $?")
		if [ "$want" != "$got" ]; then
			echo "config: $(cat -A "$f")"
			echo "git config: $want"
			echo "ig_oracle:  $got"
			false
		fi
	done < <(printf '%s\0' \
		'[core]\n\texcludesFile = ~/.gitignore_global\n' \
		'[CoRe]\nEXCLUDESFILE=x' \
		'[core] excludesfile = same-line' \
		'[core]\r\n\texcludesfile = crlf\r\n' \
		'\xef\xbb\xbf[core]\nexcludesfile = bom' \
		'[core]\nexcludesfile = a\nexcludesfile = b\n' \
		'[core]\nexcludesfile = a\n[user]\nexcludesfile = b\n' \
		'[core]\nexcludesfile = a\n[core "s"]\nexcludesfile = b\n' \
		'[core "x"]\nexcludesfile = y\n' \
		'[core.x]\nexcludesfile = y\n' \
		'excludesfile = y\n' \
		'[core]\nexcludes-file = y\n' \
		'[core]\n# excludesfile = a\n; excludesfile = b\n' \
		'[core]\nexcludesfile = "a b"  # comment\n' \
		'[core]\nexcludesfile = a ; comment\n' \
		'[core]\nexcludesfile = "a#b;c"\n' \
		'[core]\nexcludesfile = a\\"b\\\\c\\td\n' \
		'[core]\nexcludesfile = one\\\ntwo\n' \
		'[core]\nexcludesfile = "one \\\n two"\n' \
		'[core]\nexcludesfile =   a   b\t c  \n' \
		'[core]\nexcludesfile = "" x\n' \
		'[core]\nexcludesfile = " a "\n' \
		'[core]\n  [user]  \n[core]excludesfile=d' \
		'[core]\n\tpager = less\n\texcludesfile = "/a path/with \\"quotes\\""\n' \
		'')
	echo "# $i config files" >&3
	[ "$i" -ge 20 ]
}

# Rules made at random from pieces that meet at the edges of the syntax,
# $1 of them, one a line.
TOKENS=(a b ab '*' '**' 'a**' '**/' '/**' 'a*' '*b' '?' '[ab]' '[!a]'
	'[a-b]' '[[:alpha:]]' '/' '/' '\*' '\a' '.' ' ' '\ ')
random_rules() {
	local i j r
	for ((i = 0; i < $1; i++)); do
		r=
		((RANDOM % 5)) || r='!'
		((RANDOM % 4)) || r+=/
		for ((j = RANDOM % 4; j >= 0; j--)); do
			r+=${TOKENS[RANDOM % ${#TOKENS[@]}]}
		done
		((RANDOM % 4)) || r+=/
		printf '%s\n' "$r"
	done
}

@test "random rules agree with git check-ignore, round after round" {
	local round n=0 d1 d2 f
	git init -q repo
	cd repo
	# directories a, b, ab, ba three deep, and files at every level
	for d1 in a b ab ba; do
		for d2 in a b ab ba; do
			mkdir -p "$d1/$d2"/{a,b,ab,ba}
		done
	done
	find . -path ./.git -prune -o -type d -print | while read -r d1; do
		for f in aa bab a.b x 'a b' '*'; do : >"$d1/$f"; done
	done
	paths >"$BATS_TEST_TMPDIR/paths"
	for round in {1..40}; do
		(trap - DEBUG ERR RETURN; set +ET; RANDOM=$round
		 random_rules 40 >.gitignore
		 random_rules 15 >a/.gitignore
		 random_rules 15 >a/b/.gitignore
		 random_rules 15 >ba/.gitignore
		 random_rules 15 >.git/info/exclude)
		git check-ignore --no-index -z -v -n --stdin <"$BATS_TEST_TMPDIR/paths" \
			>"$BATS_TEST_TMPDIR/git.out" || [ "$?" -eq 1 ]
		"$ORACLE" '' .git/info/exclude '' .gitignore a/ a/.gitignore \
			ba/ ba/.gitignore a/b/ a/b/.gitignore \
			<"$BATS_TEST_TMPDIR/paths" >"$BATS_TEST_TMPDIR/ours.out"
		if ! cmp -s "$BATS_TEST_TMPDIR/git.out" "$BATS_TEST_TMPDIR/ours.out"; then
			echo "round $round: the rules were"
			head -n 100 .gitignore a/.gitignore ba/.gitignore a/b/.gitignore \
				.git/info/exclude | cat -A
			differ "$BATS_TEST_TMPDIR/git.out" "$BATS_TEST_TMPDIR/ours.out"
			false
		fi
		n=$((n + $(tr -cd '\0' <"$BATS_TEST_TMPDIR/paths" | wc -c)))
	done
	echo "# 40 rounds of 100 random rules, $n paths compared" >&3
}
