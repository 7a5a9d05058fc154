#ifndef SOUP_PROCESS_H
#define SOUP_PROCESS_H
/*
 * The only place soup-run forks, execs, touches signal dispositions and reaps.
 * Everything here is a thin wrapper over the system; the decisions live in Swift.
 *
 * "Inherited" below means: open (without FD_CLOEXEC) or ignored when the program was loaded,
 * recorded by a constructor before main. Those belong to whoever started soup-run (a socket
 * from systemd, `nohup`'s ignored SIGHUP) and are passed on to the command, as `env` and
 * `exec` do. Everything soup-run itself opened or changed is not.
 */
#include <sys/types.h>

/* ---- exec and spawn ---------------------------------------------------------------------- */

/*
 * Replaces the process with `path`: marks every descriptor >= 3 that soup-run opened
 * close-on-exec, resets every signal disposition soup-run changed to its default (a
 * soup_signals_exit_on handler stays until execve resets it, so a TERM is never lost), empties
 * the signal mask, then execve. Returns only on failure, with the errno of execve.
 */
int soup_exec_replace(const char *path, char *const argv[], char *const envp[]);

/*
 * Starts `path` as a child in its own process group. In the child, before execve: setpgid(0,0);
 * if `terminal_fd` >= 0, make the new group the terminal's foreground group; on Linux,
 * PR_SET_PDEATHSIG(`death_signal`) then exit at once if the parent already died; chdir to
 * `directory` when it is not NULL (the supervisor itself lives in "/"); default
 * dispositions, empty mask, soup-run's own descriptors closed.
 * With `stdin_fd` / `stdout_fd` / `stderr_fd` >= 0 (--mask: the write ends of soup-run's filter
 * pipes, or the pty's slave), the child's descriptor 0 / 1 / 2 is that one instead of soup-run's.
 * With `session_terminal` >= 0 (--mask in a terminal: the pty's slave) the child starts a new
 * session (setsid instead of setpgid) whose controlling terminal is that one (TIOCSCTTY), so it
 * is the pty's foreground group; `terminal_fd` must then be -1.
 * Returns 0 and stores the pid. On failure stores -1 and returns execve's errno (> 0, reported
 * by the child through a close-on-exec pipe; that child is already reaped), or minus the errno
 * of pipe/fork (< 0) when no child could be made.
 */
int soup_spawn(const char *path, char *const argv[], char *const envp[], int terminal_fd,
               int death_signal, const char *directory, int stdin_fd, int stdout_fd, int stderr_fd,
               int session_terminal, pid_t *pid_out);

/* ---- output pipes (--mask) ---------------------------------------------------------------- */

/* A close-on-exec pipe whose read end is non-blocking: fds[0] read, fds[1] write. 0 or errno. */
int soup_output_pipe(int fds[2]);
/* read(2) retrying EINTR: the count, 0 at end of file, -1 with errno (EAGAIN: nothing yet). */
long soup_read(int fd, void *buffer, unsigned long size);
/* Writes all of `buffer` to `fd`, retrying EINTR and waiting out EAGAIN. 0, or the errno. */
int soup_write_all(int fd, const void *buffer, unsigned long size);
/* poll() on two descriptors (-1 to leave one out): sets ready[i] to 1 when fds[i] is readable
 * or closed; returns the number ready, 0 at timeout or EINTR, -1 on error. */
int soup_wait_either(const int fds[2], int ready[2], int timeout_ms);
/* close(2). */
void soup_close(int fd);

/* ---- the pseudo-terminal (--mask in a terminal) ------------------------------------------ */

/*
 * A pty pair, both ends close-on-exec and the slave not our controlling terminal: the slave gets
 * the termios and window size of `model_fd` (the outer terminal; -1 for none). 0 or an errno.
 */
int soup_pty_open(int model_fd, int *master_out, int *slave_out);
/* isatty: 1 or 0. */
int soup_is_terminal(int fd);
/* 1 when `a` and `b` are both terminals and the same device, else 0. */
int soup_same_terminal(int a, int b);
/* 1 when `fd` is a terminal whose foreground group is ours (we may change its mode), else 0. */
int soup_terminal_is_foreground(int fd);
/* TIOCGWINSZ on `from`, TIOCSWINSZ on `to` (the kernel then sends SIGWINCH to the pty's
 * foreground group). 0 or an errno. */
int soup_terminal_copy_size(int from, int to);
/* Saves `fd`'s mode the first time, then makes it raw (cfmakeraw, VMIN 1): keys reach soup-run
 * as bytes. SIGTTOU blocked. 0 or an errno. */
int soup_terminal_enter_raw(int fd);
/* 1 when soup_terminal_enter_raw has run and fd is a terminal without output processing (raw):
   a "\n" written there does not return the carriage. 0 otherwise, without a system call when
   soup-run never made a terminal raw. */
int soup_terminal_made_raw(int fd);
/* Restores the mode saved by soup_terminal_enter_raw (nothing if it never ran). 0 or an errno. */
int soup_terminal_restore(void);
/* The saved mode's suspend key (VSUSP) when it had ISIG on, else -1. */
int soup_terminal_suspend_byte(void);
/* 1 when the pty's line discipline turns `byte` into SIGTSTP (ISIG on, VSUSP == byte). */
int soup_pty_stops_on(int slave, int byte);
/* tcgetpgrp on the master: the pty's foreground group, or -1. */
pid_t soup_pty_foreground(int master);
/* 1 when `pid` leads its session (getsid(pid) == pid): its group has no parent in the session. */
int soup_leads_session(pid_t pid);
/* Linux: 1 when `pid` ignores or catches `sig` (/proc/PID/status), 0 at its default action,
 * -1 when it cannot tell (and elsewhere). */
int soup_process_keeps_signal(pid_t pid, int sig);
/* Stops this process (SIGTSTP at its default action, whatever the handler) until it is
 * continued. As PID 1, or in an orphaned process group, returns at once. */
void soup_stop_self(void);

/* ---- signals ------------------------------------------------------------------------------ */

/*
 * Until there is a child to forward to: a handler for each of `signals` that ends the process
 * at once with _exit(128 + sig) (async-signal-safe; nothing to clean up yet). PID 1 gets no
 * default action from the kernel, so without it `docker stop` would wait for SIGKILL. Signals
 * ignored at this point stay ignored; the given ones are unblocked. Exec resets caught signals
 * (soup_exec_replace keeps this handler up to execve), the spawned child gets defaults, and
 * soup_signals_install replaces it (soup_signals_uninstall brings it back). 0 or an errno.
 */
int soup_signals_exit_on(const int *signals, int count);
/* Sets each of `signals` to its default action (SIG_DFL). 0 or the errno of the first failure. */
int soup_signals_default(const int *signals, int count);
/*
 * Installs a handler for each of `signals` that writes the signal number as one byte to a
 * non-blocking close-on-exec self-pipe. Returns the pipe's read end, or -1 with errno set.
 * With `supervisor` non-zero also ignores SIGTTIN and SIGTTOU (the supervisor hands the
 * terminal to the child and must not be stopped for writing its logs) and SIGPIPE (a log
 * reader that went away must not kill the supervisor and, through it, the child). Children
 * get default dispositions back (soup_spawn).
 */
int soup_signals_install(const int *signals, int count, int supervisor);
/* Restores the dispositions soup_signals_install changed and closes the pipe. */
void soup_signals_uninstall(void);
/* Writes a 0 byte to the self-pipe: wakes the loop from another thread. */
void soup_signals_wake(void);
/* Reads what is in the self-pipe, up to `max` bytes; returns the count (0 when empty). */
int soup_signals_drain(int *out, int max);
/* Starts a detached thread running body(context) with every signal blocked, so signals are
 * only ever handled by the main loop's thread. 0 or an errno. */
int soup_thread_start(void (*body)(void *), void *context);
/* poll() for readability with a timeout; returns 1 readable or interrupted by a signal (whose
 * handler may just have written to fd: look), 0 timeout, -1 error. */
int soup_wait_readable(int fd, int timeout_ms);

/* ---- children ----------------------------------------------------------------------------- */

/* waitpid(pid, WNOHANG | WUNTRACED): the pid reaped (or reported stopped), 0 when none is
 * ready, -1 (ECHILD: none left). */
pid_t soup_reap(pid_t pid, int *status);
int soup_wifstopped(int status);
int soup_wexitstatus(int status);
int soup_wifsignaled(int status);
int soup_wtermsig(int status);
/* kill(-pgid, sig): 0, or the errno (ESRCH when the group is gone). */
int soup_signal_group(pid_t pgid, int sig);
/* 1 while any process is in the group, 0 once it is empty. */
int soup_group_exists(pid_t pgid);
/* Linux: become a child subreaper (orphans of the child are re-parented to us). 0 or errno. */
int soup_become_subreaper(void);
/* 1 while this process has any child (running, stopped or a zombie not yet reaped), else 0. */
int soup_has_children(void);
/*
 * Linux: the pids of this process's children (every thread's, from /proc/self/task/N/children),
 * up to `max`; returns the count (0 when there are none or /proc cannot tell).
 */
int soup_list_children(pid_t *out, int max);
/* getpgid(pid): the process group, or -1 when the process is gone. */
pid_t soup_process_group(pid_t pid);
/* kill(pid, sig): 0, or the errno. */
int soup_signal_process(pid_t pid, int sig);
/* The first and last real-time signal numbers (Linux, glibc's SIGRTMIN/SIGRTMAX); 0 and -1
 * where there are none. */
void soup_realtime_signals(int *first, int *last);

/* ---- the token ----------------------------------------------------------------------------- */

/* Linux: PR_SET_DUMPABLE 0 (no core; /proc/PID/{environ,mem} and ptrace closed to our own uid).
 * The command becomes dumpable again at its exec. 0, or -1 with errno. */
int soup_make_undumpable(void);
/*
 * Linux with glibc: overwrites `secret` in soup-run's original argv strings (an argument equal to
 * it, or the value of `--option=secret`, becomes `***`; the block is rewritten without gaps) and
 * the value of `variable` in the original environment strings, which is what /proc/PID/cmdline
 * and /proc/PID/environ show (a secret shorter than 3 becomes as many `*`). Returns 1 when something was overwritten. Call before any thread starts.
 */
int soup_conceal_secret(const char *secret, const char *variable);

/* ---- terminal ----------------------------------------------------------------------------- */

/* 0 when stdin is a terminal whose foreground group is ours (we may hand it on), else -1. */
int soup_terminal_we_own(void);
/* Makes our own process group the terminal's foreground group again (SIGTTOU blocked). */
void soup_terminal_reclaim(int fd);
/*
 * Job control for a child that was stopped (Ctrl-Z), or a SIGTSTP sent to soup-run: take the
 * terminal back (when `fd` >= 0), stop ourselves (SIGTSTP at its default action, whatever the
 * handler) so the shell gets its prompt back; once continued (`fg`, `bg`, SIGCONT), give the
 * terminal to `pgid` again if it is ours, and continue `pgid`. As PID 1 the kernel does not stop
 * us, so this only continues `pgid`.
 */
void soup_terminal_suspend_with(int fd, pid_t pgid);

#endif
