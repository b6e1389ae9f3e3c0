/*
 * noise.c - the default ignores under --exec: the table, and which of
 * its patterns a file name matches.
 *
 * Each entry is a glob (glob.c) for the last component of a path, and
 * names what makes such files, for the man page and --explain-ignore.
 * Version control's directories are never watched (the core prunes what
 * this matches); its files are left out like any other.
 *
 * Asked about every event under --exec, so most names are turned away
 * by one byte: each glob starts with a plain character, or starts with
 * '*' and ends with a plain one (test_noise checks it of the table).
 */
#include <string.h>

#include "glob.h"
#include "noise.h"

static const struct {
	const char *glob;
	const char *who;
} noise[] = {
	/* version control: its own store, rewritten by every command */
	{ ".git", "git (a directory, or a file in worktrees and submodules)" },
	{ ".hg", "Mercurial" },
	{ ".svn", "Subversion" },
	{ ".bzr", "Bazaar" },
	{ "_darcs", "Darcs" },
	{ ".jj", "Jujutsu" },
	{ ".pijul", "Pijul" },
	{ ".fslckout*", "Fossil's checkout database (and its journals)" },
	{ "_FOSSIL_*", "Fossil's checkout database, older name" },
	/* editors: swap, backup, lock and atomic-save files */
	{ ".*.sw[a-p]", "vim's swap files (.x.swp, then .x.swo ... .x.swa)" },
	{ ".*.swx", "vim's probe of a swap file name" },
	{ "4913", "vim's probe of whether it may write in a directory" },
	{ "*~", "backups of vim, emacs and many others; vim's undo files" },
	{ ".#*", "emacs's lock files" },
	{ "#*#", "emacs's auto-save files" },
	{ "*___jb_tmp___", "JetBrains IDEs' safe write, the new copy" },
	{ "*___jb_old___", "JetBrains IDEs' safe write, the old copy" },
	{ "*.kate-swp", "Kate's swap files" },
	{ ".goutputstream-*", "gedit and GNOME's atomic save (GIO)" },
	{ ".subl*.tmp", "Sublime Text's atomic save" },
	{ ".DS_Store", "macOS Finder's folder settings" },
};

#define NNOISE (sizeof noise / sizeof noise[0])

const char *
noise_at(size_t i, const char **who)
{
	if (i >= NNOISE)
		return NULL;
	if (who)
		*who = noise[i].who;
	return noise[i].glob;
}

/* Can NAME (NL bytes) match glob G at all, by its first or last byte? */
static int
may_match(const char *g, const char *name, size_t nl)
{
	if (g[0] != '*')
		return name[0] == g[0];
	return nl && name[nl - 1] == g[strlen(g) - 1];
}

const char *
noise_match(const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t nl;
	if (slash)
		name = slash + 1;
	nl = strlen(name);
	for (size_t i = 0; i < NNOISE; i++)
		if (may_match(noise[i].glob, name, nl) &&
		    glob_match(noise[i].glob, name))
			return noise[i].glob;
	return NULL;
}
