/*
 * Exec in place and spawn a child: the two ways soup-run starts the command. Both give it a
 * clean signal state and none of soup-run's descriptors (see soup_internal.h).
 */
#define _GNU_SOURCE
#include "soup_process.h"
#include "soup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

int soup_exec_replace(const char *path, char *const argv[], char *const envp[]) {
    sigset_t all, previous;
    sigfillset(&all);
    // Blocked while dispositions change so no handler of ours runs half-way; the command
    // starts with an empty mask (execve keeps this thread's mask).
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    soup_drop_own_fds(-1, 1);
    soup_reset_signals_for_exec(1);
    execve(path, argv, envp);
    int failure = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return failure;
}

static int cloexec_pipe(int fds[2]) {
#if defined(__linux__)
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

static void report_and_exit(int fd, int error) {
    ssize_t written;
    do written = write(fd, &error, sizeof error); while (written < 0 && errno == EINTR);
    _exit(127);
}

/* The child between fork and exec: async-signal-safe calls only. Every signal is blocked on
 * entry, so none of soup-run's handlers can run here and tcsetpgrp raises no SIGTTOU. */
static void become_command(const char *path, char *const argv[], char *const envp[], int terminal_fd,
                           int death_signal, const char *directory, int stdin_fd, int stdout_fd, int stderr_fd,
                           int session_terminal, pid_t parent, int error_fd) {
    if (session_terminal >= 0) {
        // A session of its own on the pty, which it gets as controlling terminal: Ctrl-C typed
        // into the pty reaches its group through the line discipline, as in any terminal.
        if (setsid() < 0) report_and_exit(error_fd, errno);
        if (ioctl(session_terminal, TIOCSCTTY, 0) != 0) report_and_exit(error_fd, errno);
    } else if (setpgid(0, 0) != 0) {
        report_and_exit(error_fd, errno);
    }
    // dup2 clears close-on-exec on the copy: the pipe's own descriptors still close at exec.
    if (stdin_fd >= 0 && dup2(stdin_fd, 0) < 0) report_and_exit(error_fd, errno);
    if (stdout_fd >= 0 && dup2(stdout_fd, 1) < 0) report_and_exit(error_fd, errno);
    if (stderr_fd >= 0 && dup2(stderr_fd, 2) < 0) report_and_exit(error_fd, errno);
    if (terminal_fd >= 0) (void)tcsetpgrp(terminal_fd, getpid()); // best effort: a lost tty is no reason to fail
#if defined(__linux__)
    if (death_signal > 0) {
        if (prctl(PR_SET_PDEATHSIG, death_signal) != 0) report_and_exit(error_fd, errno);
        // The parent may have died before prctl: then no signal will ever come.
        if (getppid() != parent) _exit(128 + death_signal);
    }
#else
    (void)death_signal;
    (void)parent;
#endif
    // The directory soup-run started in: the supervisor left it (a volume stays unmountable
    // while any process has its cwd there); a relative command path resolves from here.
    if (directory != NULL && chdir(directory) != 0) report_and_exit(error_fd, errno);
    soup_drop_own_fds(error_fd, 0);
    soup_reset_signals_for_exec(0);
    execve(path, argv, envp);
    report_and_exit(error_fd, errno);
}

int soup_spawn(const char *path, char *const argv[], char *const envp[], int terminal_fd,
               int death_signal, const char *directory, int stdin_fd, int stdout_fd, int stderr_fd,
               int session_terminal, pid_t *pid_out) {
    *pid_out = -1;
    int error_pipe[2];
    if (cloexec_pipe(error_pipe) != 0) return -errno;

    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(error_pipe[0]);
        become_command(path, argv, envp, terminal_fd, death_signal, directory, stdin_fd, stdout_fd, stderr_fd,
                       session_terminal, parent, error_pipe[1]);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(error_pipe[1]);
    if (pid < 0) {
        close(error_pipe[0]);
        return -fork_error;
    }

    // EOF means execve succeeded (the pipe closed on exec); an int is the child's errno.
    int child_error = 0;
    ssize_t got;
    do got = read(error_pipe[0], &child_error, sizeof child_error); while (got < 0 && errno == EINTR);
    close(error_pipe[0]);
    if (got == (ssize_t)sizeof child_error) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return child_error != 0 ? child_error : EINVAL;
    }
    *pid_out = pid;
    return 0;
}
