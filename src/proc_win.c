/*
 * proc_win.c - proc.h with CreateProcessW and job objects.
 *
 * The command and everything it starts run in a job object that is
 * killed when fwatch closes it (or dies), and in a console process group
 * of their own.  Windows has no signals; proc_signal() maps them:
 *
 *   KILL            TerminateJobObject(job, 128+9): the whole tree, at once
 *   TERM, INT, HUP  CTRL_BREAK_EVENT to the command's console process
 *                   group: console programs run their handler, or exit
 *                   with STATUS_CONTROL_C_EXIT, reported as 128+N.  If
 *                   fwatch has no console to send it on,
 *                   TerminateJobObject(job, 128+N) instead.  A program
 *                   with no console of its own (a GUI program) does not
 *                   see the break; the KILL after --stop-timeout ends it.
 *   any other       TerminateJobObject(job, 128+N): Windows has no way to
 *                   ask a program to reload (USR1, HUP as a reload...).
 *
 * The numbers are Linux's (signame.h), so exit statuses read the same
 * as on Linux.
 *
 * Here: finding the program, the job, the handles and the process.  The
 * command line and environment block are built by win_cmdline.c.
 *
 * Link: kernel32 only.
 */
#include <windows.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "proc.h"
#include "signame.h"
#include "sys_win.h"
#include "win_cmdline.h"

struct proc {
	HANDLE process;
	HANDLE job;
	HANDLE wait;    /* RegisterWaitForSingleObject on process */
	HANDLE feeder;  /* the thread writing to its stdin, or NULL */
	DWORD pid;      /* also its console process group */
	int sent;       /* the last signal sent as a Ctrl-Break */
	int exited;
	int status;
};

static const wchar_t *const runnable[] = { L".com", L".exe", L".bat", L".cmd" };
#define NRUNNABLE (sizeof runnable / sizeof runnable[0])

/* Names compared as Windows compares them (a wcl_cmp_fn). */
static int
cmp_ci(const wchar_t *a, size_t na, const wchar_t *b, size_t nb)
{
	return CompareStringOrdinal(a, (int)na, b, (int)nb, TRUE) - CSTR_EQUAL;
}

static int
ends_with_ci(const wchar_t *s, const wchar_t *ext)
{
	size_t n = wcslen(s), k = wcslen(ext);
	return n > k && !cmp_ci(s + n - k, k, ext, k);
}

/* A malloc'd copy of the environment variable NAME, or NULL. */
static wchar_t *
get_env(const wchar_t *name)
{
	DWORD cap = 256, n;
	wchar_t *v = NULL, *nv;
	for (;;) {
		if (!(nv = realloc(v, cap * sizeof *v))) {
			free(v);
			return NULL;
		}
		v = nv;
		n = GetEnvironmentVariableW(name, v, cap);
		if (!n) {
			free(v);
			return NULL;
		}
		if (n < cap)
			return v;
		cap = n;
	}
}

/* Which of the extensions CreateProcess can start are tried, in the
 * order PATHEXT gives them. */
static size_t
ext_order(size_t order[NRUNNABLE])
{
	wchar_t *pe = get_env(L"PATHEXT");
	size_t n = wcl_ext_order(pe, runnable, NRUNNABLE, order, cmp_ci);
	free(pe);
	return n;
}

/* The full path of DIR\NAME+EXT if that is a file, else NULL. */
static wchar_t *
try_file(const wchar_t *dir, size_t dl, const wchar_t *name,
	 const wchar_t *ext)
{
	size_t nl = wcslen(name), el = wcslen(ext), k = dl;
	wchar_t *c = malloc((dl + nl + el + 2) * sizeof *c), *full;
	DWORD a;
	if (!c)
		return NULL;
	memcpy(c, dir, dl * sizeof *c);
	if (dl && dir[dl - 1] != L'\\' && dir[dl - 1] != L'/' &&
	    dir[dl - 1] != L':')
		c[k++] = L'\\';
	memcpy(c + k, name, nl * sizeof *c);
	memcpy(c + k + nl, ext, (el + 1) * sizeof *c);
	a = GetFileAttributesW(c);
	if (a == INVALID_FILE_ATTRIBUTES || (a & FILE_ATTRIBUTE_DIRECTORY)) {
		free(c);
		return NULL;
	}
	full = win_full_path(c, NULL);
	free(c);
	return full;
}

static wchar_t *
try_dir(const wchar_t *dir, size_t dl, const wchar_t *name, int exact,
	const size_t *order, size_t n)
{
	wchar_t *f = NULL;
	if (exact)
		return try_file(dir, dl, name, L"");
	for (size_t i = 0; i < n && !f; i++)
		f = try_file(dir, dl, name, runnable[order[i]]);
	return f;
}

/*
 * The program for NAME, found the way a shell finds it: a name with a
 * directory in it as it is, any other in the directories of PATH.  Not
 * in the current directory first, as cmd.exe would: like sh and
 * PowerShell, a program there is run as .\name.  A name that ends in
 * one of runnable[] is taken as it is, any other gets them appended in
 * PATHEXT's order ("python3.11" finds python3.11.exe).
 */
static wchar_t *
find_program(const wchar_t *name)
{
	size_t order[NRUNNABLE], n = ext_order(order);
	wchar_t *found = NULL, *path;
	const wchar_t *s, *d;
	size_t dl;
	int exact = 0;

	for (size_t i = 0; i < NRUNNABLE; i++)
		exact |= ends_with_ci(name, runnable[i]);
	if (!*name || wcspbrk(name, L"\"*?<>|")) {
		errno = ENOENT;
		return NULL;
	}
	if (wcspbrk(name, L"/\\:")) {
		found = try_dir(L"", 0, name, exact, order, n);
	} else if ((path = get_env(L"PATH"))) {
		for (s = path; !found && (d = wcl_list_next(&s, &dl));) {
			if (dl >= 2 && d[0] == L'"' && d[dl - 1] == L'"') {
				d++;
				dl -= 2;
			}
			if (dl)
				found = try_dir(d, dl, name, exact, order, n);
		}
		free(path);
	}
	if (!found)
		errno = ENOENT;
	return found;
}

/* Our environment with ADD's "NAME=value" strings replacing or joining
 * it (wcl_env_block); NULL with errno. */
static wchar_t *
env_block(char *const add[])
{
	wchar_t *cur = GetEnvironmentStringsW(), **wadd, *block = NULL;
	size_t k = 0, j = 0;

	if (!cur) {
		errno = ENOMEM;
		return NULL;
	}
	while (add && add[k])
		k++;
	if ((wadd = calloc(k + 1, sizeof *wadd))) {
		while (j < k && (wadd[j] = win_wide(add[j])))
			j++;
		if (j == k)
			block = wcl_env_block(cur, wadd, cmp_ci);
	}
	if (!block)
		errno = ENOMEM;
	for (j = 0; wadd && j < k; j++)
		free(wadd[j]);
	free(wadd);
	FreeEnvironmentStringsW(cur);
	return block;
}

struct feed {
	HANDLE pipe;
	char *data;
	size_t len;
};

/* Writes the command's stdin on a thread of its own, so that a command
 * that never reads cannot block fwatch; ends when all is written or the
 * reader is gone (the job's end closes the pipe). */
static DWORD WINAPI
feed_thread(void *arg)
{
	struct feed *f = arg;
	const char *s = f->data;
	size_t left = f->len;
	DWORD w;
	while (left) {
		DWORD chunk = left > 65536 ? 65536 : (DWORD)left;
		if (!WriteFile(f->pipe, s, chunk, &w, NULL))
			break;
		s += w;
		left -= w;
	}
	CloseHandle(f->pipe);
	free(f->data);
	free(f);
	return 0;
}

static VOID CALLBACK
process_ended(void *ctx, BOOLEAN timed_out)
{
	(void)ctx;
	(void)timed_out;
	sys_win_child_exited();
}

/* An inheritable copy of H for the child, or NULL if there is none. */
static HANDLE
inheritable(HANDLE h)
{
	HANDLE d, self = GetCurrentProcess();
	if (!h || h == INVALID_HANDLE_VALUE ||
	    !DuplicateHandle(self, h, self, &d, 0, TRUE, DUPLICATE_SAME_ACCESS))
		return NULL;
	return d;
}

/* What proc_start() holds while it starts a command; launch_end() lets
 * go of it. */
struct launch {
	int argc;
	wchar_t **wargv;
	wchar_t *prog;          /* the program found for argv[0] */
	wchar_t *cmdline, *env;
	int batch;              /* prog is a .bat or .cmd, run by cmd_exe */
	wchar_t cmd_exe[MAX_PATH + 16];
	HANDLE in_rd, in_wr;    /* the pipe to its stdin, given input */
	HANDLE std[3];          /* inheritable copies, for the child */
	HANDLE list[3];         /* those of them it inherits */
	DWORD nlist;
	STARTUPINFOEXW si;
	PROCESS_INFORMATION pi;
	int started;
};

/* -1 with errno for GetLastError(). */
static int
win_fail(void)
{
	errno = win_errno(GetLastError());
	return -1;
}

static int
wide_argv(struct launch *l, char *const argv[])
{
	if (!(l->wargv = calloc((size_t)l->argc + 1, sizeof *l->wargv))) {
		errno = ENOMEM;
		return -1;
	}
	for (int i = 0; i < l->argc; i++)
		if (!(l->wargv[i] = win_wide(argv[i])))
			return -1;
	return 0;
}

/* The program for argv[0], its command line and its environment. */
static int
build_command(struct launch *l, char *const argv[], char *const env_add[])
{
	UINT n;
	if (wide_argv(l, argv) < 0 || !(l->prog = find_program(l->wargv[0])))
		return -1;
	l->batch = ends_with_ci(l->prog, L".bat") ||
		   ends_with_ci(l->prog, L".cmd");
	if (!(l->cmdline = wcl_command_line(l->prog, l->wargv, l->batch)) ||
	    !(l->env = env_block(env_add)))
		return -1;
	if (!l->batch)
		return 0;
	/* the system's cmd.exe, not whatever COMSPEC names */
	n = GetSystemDirectoryW(l->cmd_exe, MAX_PATH);
	if (!n || n >= MAX_PATH) {
		errno = ENOENT;
		return -1;
	}
	wcscpy(l->cmd_exe + n, L"\\cmd.exe");
	return 0;
}

/* A job that kills what is left in it when its last handle is closed. */
static int
new_job(struct proc *p)
{
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
	if (!(p->job = CreateJobObjectW(NULL, NULL)))
		return win_fail();
	memset(&lim, 0, sizeof lim);
	lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
	if (!SetInformationJobObject(p->job, JobObjectExtendedLimitInformation,
				     &lim, sizeof lim))
		return win_fail();
	return 0;
}

/* The child's stdin (a pipe if PIPED, else ours), stdout and stderr. */
static int
std_handles(struct launch *l, int piped)
{
	if (piped) {
		if (!CreatePipe(&l->in_rd, &l->in_wr, NULL, 0) ||
		    !(l->std[0] = inheritable(l->in_rd)))
			return win_fail();
	} else {
		l->std[0] = inheritable(GetStdHandle(STD_INPUT_HANDLE));
	}
	l->std[1] = inheritable(GetStdHandle(STD_OUTPUT_HANDLE));
	l->std[2] = inheritable(GetStdHandle(STD_ERROR_HANDLE));
	l->si.StartupInfo.cb = sizeof l->si;
	l->si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	l->si.StartupInfo.hStdInput = l->std[0];
	l->si.StartupInfo.hStdOutput = l->std[1];
	l->si.StartupInfo.hStdError = l->std[2];
	return 0;
}

/* The child inherits those three and nothing else, whatever other
 * handle happens to be inheritable at the time. */
static int
inherit_only_std(struct launch *l)
{
	SIZE_T size = 0;
	for (int i = 0; i < 3; i++)
		if (l->std[i])
			l->list[l->nlist++] = l->std[i];
	if (!l->nlist)
		return 0;
	InitializeProcThreadAttributeList(NULL, 1, 0, &size);
	l->si.lpAttributeList = malloc(size);
	if (!l->si.lpAttributeList ||
	    !InitializeProcThreadAttributeList(l->si.lpAttributeList, 1, 0,
					       &size)) {
		free(l->si.lpAttributeList);
		l->si.lpAttributeList = NULL;
		errno = ENOMEM;
		return -1;
	}
	if (!UpdateProcThreadAttribute(l->si.lpAttributeList, 0,
				       PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
				       l->list, l->nlist * sizeof *l->list,
				       NULL, NULL))
		return win_fail();
	return 0;
}

/* Suspended until it is in the job, so that nothing it starts can
 * escape; a process group of its own for the Ctrl-Break.  Without a
 * console of ours a console program would open a window. */
static int
create_in_job(struct launch *l, struct proc *p)
{
	DWORD flags = CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP |
		      CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
	if (!GetConsoleWindow() && !GetConsoleCP())
		flags |= CREATE_NO_WINDOW;
	if (!CreateProcessW(l->batch ? l->cmd_exe : l->prog, l->cmdline, NULL,
			    NULL, l->nlist > 0, flags, l->env, NULL,
			    &l->si.StartupInfo, &l->pi))
		return win_fail();
	l->started = 1;
	p->process = l->pi.hProcess;
	p->pid = l->pi.dwProcessId;
	if (!AssignProcessToJobObject(p->job, l->pi.hProcess))
		return win_fail();
	return 0;
}

/* A thread that writes INPUT's LEN bytes to the stdin pipe.  With none
 * launch_end() closes the pipe, and the command reads EOF at once. */
static int
start_feeder(struct launch *l, struct proc *p, const char *input,
	     size_t len)
{
	struct feed *f;
	int e;
	if (!input || !len)
		return 0;
	if (!(f = malloc(sizeof *f)) || !(f->data = malloc(len))) {
		free(f);
		errno = ENOMEM;
		return -1;
	}
	memcpy(f->data, input, len);
	f->len = len;
	f->pipe = l->in_wr;
	if (!(p->feeder = CreateThread(NULL, 0, feed_thread, f, 0, NULL))) {
		e = win_errno(GetLastError());
		free(f->data);
		free(f);
		errno = e;
		return -1;
	}
	l->in_wr = NULL; /* the thread's now */
	return 0;
}

/* Told when it ends (process_ended), then let run. */
static int
let_run(struct launch *l, struct proc *p)
{
	if (!RegisterWaitForSingleObject(&p->wait, l->pi.hProcess,
					 process_ended, NULL, INFINITE,
					 WT_EXECUTEONLYONCE)) {
		p->wait = NULL;
		return win_fail();
	}
	if (ResumeThread(l->pi.hThread) == (DWORD)-1)
		return win_fail();
	return 0;
}

/* Lets go of what starting held; a process created but not let run
 * (FAILED) is ended. */
static void
launch_end(struct launch *l, int failed)
{
	if (failed && l->started)
		TerminateProcess(l->pi.hProcess, 127);
	if (l->pi.hThread)
		CloseHandle(l->pi.hThread);
	if (l->si.lpAttributeList) {
		DeleteProcThreadAttributeList(l->si.lpAttributeList);
		free(l->si.lpAttributeList);
	}
	for (int i = 0; i < 3; i++)
		if (l->std[i])
			CloseHandle(l->std[i]);
	if (l->in_rd)
		CloseHandle(l->in_rd);
	if (l->in_wr)
		CloseHandle(l->in_wr);
	for (int i = 0; l->wargv && i < l->argc; i++)
		free(l->wargv[i]);
	free(l->wargv);
	free(l->prog);
	free(l->cmdline);
	free(l->env);
}

struct proc *
proc_start(char *const argv[], char *const env_add[], const char *input,
	   size_t len)
{
	struct launch l;
	struct proc *p = calloc(1, sizeof *p);
	int e = 0;

	if (!p)
		return NULL;
	memset(&l, 0, sizeof l);
	while (argv[l.argc])
		l.argc++;
	if (!l.argc) {
		free(p);
		errno = ENOENT;
		return NULL;
	}
	if (build_command(&l, argv, env_add) < 0 || new_job(p) < 0 ||
	    std_handles(&l, input != NULL) < 0 || inherit_only_std(&l) < 0 ||
	    create_in_job(&l, p) < 0 || start_feeder(&l, p, input, len) < 0 ||
	    let_run(&l, p) < 0)
		e = errno;
	launch_end(&l, e != 0);
	if (e) {
		proc_free(p);
		errno = e;
		return NULL;
	}
	return p;
}

/* A console has no foreground group to hand over: the command shares
 * fwatch's console and reads it as it likes. */
int
proc_tty_open(void)
{
	return -1;
}

void
proc_tty_give(int tty, struct proc *p)
{
	(void)tty;
	(void)p;
}

int
proc_signal(struct proc *p, int sig)
{
	if (!proc_group_alive(p)) {
		errno = ESRCH;
		return -1;
	}
	if ((sig == FW_SIGTERM || sig == FW_SIGINT || sig == FW_SIGHUP) &&
	    GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, p->pid)) {
		p->sent = sig;
		return 0;
	}
	if (!TerminateJobObject(p->job, 128 + (UINT)sig)) {
		errno = win_errno(GetLastError());
		return -1;
	}
	return 0;
}

int
proc_reap(struct proc *p, int *status)
{
	DWORD code;
	if (!p->exited && WaitForSingleObject(p->process, 0) == WAIT_OBJECT_0) {
		p->exited = 1;
		if (!GetExitCodeProcess(p->process, &code))
			code = 1;
		/* TerminateJobObject gave it 128+N already */
		if (code == (DWORD)STATUS_CONTROL_C_EXIT)
			p->status = 128 + (p->sent ? p->sent : FW_SIGINT);
		else
			p->status = (int)code;
	}
	if (p->exited)
		*status = p->status;
	return p->exited;
}

int
proc_group_alive(struct proc *p)
{
	JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
	if (!QueryInformationJobObject(p->job,
				       JobObjectBasicAccountingInformation,
				       &info, sizeof info, NULL))
		return WaitForSingleObject(p->process, 0) == WAIT_TIMEOUT;
	return info.ActiveProcesses > 0;
}

void
proc_free(struct proc *p)
{
	if (!p)
		return;
	/* waits for a process_ended() under way */
	if (p->wait)
		UnregisterWaitEx(p->wait, INVALID_HANDLE_VALUE);
	/* closing the last handle of the job kills what is left in it */
	if (p->job)
		CloseHandle(p->job);
	if (p->feeder) {
		CancelSynchronousIo(p->feeder);
		CloseHandle(p->feeder);
	}
	if (p->process)
		CloseHandle(p->process);
	free(p);
}
