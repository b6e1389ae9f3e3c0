/*
 * signame.h - the numbers of the signals fwatch knows by name.  On Unix
 * they are the system's own (SIGUSR1 is 10 on Linux but 30 on macOS and
 * the BSDs).  Windows has no signals: there they are Linux's, so that an
 * exit status of 128+N reads as it does on Linux, and proc_win.c maps
 * each to what Windows can do.  signame.c reads the names
 * (proc_signal_parse in proc.h).
 */
#ifndef FWATCH_SIGNAME_H
#define FWATCH_SIGNAME_H

#ifdef _WIN32
#define FW_SIGHUP  1
#define FW_SIGINT  2
#define FW_SIGQUIT 3
#define FW_SIGKILL 9
#define FW_SIGUSR1 10
#define FW_SIGUSR2 12
#define FW_SIGTERM 15
#else
#include <signal.h>
#define FW_SIGHUP  SIGHUP
#define FW_SIGINT  SIGINT
#define FW_SIGQUIT SIGQUIT
#define FW_SIGKILL SIGKILL
#define FW_SIGUSR1 SIGUSR1
#define FW_SIGUSR2 SIGUSR2
#define FW_SIGTERM SIGTERM
#endif

#endif
