/*
 * Signals as bytes on a self-pipe (portable Linux + macOS), the terminal.
 * The supervisor's loop poll()s the pipe; the handlers only write one byte.
 */
#define _GNU_SOURCE
#include "soup_process.h"
#include "soup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pipe_read = -1;
static volatile int pipe_write = -1;
static struct sigaction saved_actions[SOUP_NSIG];
static int changed[SOUP_NSIG];

static void on_signal(int sig) {
    int saved_errno = errno;
    unsigned char byte = (unsigned char)sig;
    // A full pipe drops the byte: the loop is awake already and reaps/forwards anyway.
    ssize_t ignored = write(pipe_write, &byte, 1);
    (void)ignored;
    errno = saved_errno;
}

static int set_flags(int fd) {
    int fd_flags = fcntl(fd, F_GETFD), fl_flags = fcntl(fd, F_GETFL);
    if (fd_flags < 0 || fl_flags < 0) return -1;
    if (fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) != 0) return -1;
    return fcntl(fd, F_SETFL, fl_flags | O_NONBLOCK);
}

static int change_action(int sig, void (*handler)(int), int flags) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, changed[sig] ? NULL : &saved_actions[sig]) != 0) return -1;
    changed[sig] = 1;
    return 0;
}

void soup_exit_on_signal(int sig) {
    _exit(128 + sig);
}

int soup_signals_exit_on(const int *signals, int count) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = soup_exit_on_signal;
    sigfillset(&action.sa_mask);
    sigset_t wanted;
    sigemptyset(&wanted);
    for (int i = 0; i < count; i++) {
        int sig = signals[i];
        if (sig <= 0 || sig >= SOUP_NSIG) continue;
        struct sigaction current;
        // Ignored by whoever started us (`nohup`): stays ignored, as it would without a handler.
        if (sigaction(sig, NULL, &current) != 0 || current.sa_handler == SIG_IGN) continue;
        if (sigaction(sig, &action, NULL) != 0) return errno;
        sigaddset(&wanted, sig);
    }
    // A parent that left these blocked must not make us deaf to them.
    return pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
}

int soup_signals_default(const int *signals, int count) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (signals[i] <= 0 || signals[i] >= SOUP_NSIG) continue;
        if (sigaction(signals[i], &action, NULL) != 0) return errno;
    }
    return 0;
}

int soup_signals_install(const int *signals, int count, int supervisor) {
    if (pipe_read >= 0) {
        errno = EBUSY;
        return -1;
    }
    int fds[2];
    if (pipe(fds) != 0) return -1;
    if (set_flags(fds[0]) != 0 || set_flags(fds[1]) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    pipe_read = fds[0];
    pipe_write = fds[1];
    sigset_t wanted;
    sigemptyset(&wanted);
    for (int i = 0; i < count; i++) {
        int sig = signals[i];
        if (sig <= 0 || sig >= SOUP_NSIG) continue;
        // SIGCHLD also for a stopped child: Ctrl-Z in the child is passed on (job control).
        int flags = SA_RESTART;
        if (change_action(sig, on_signal, flags) != 0) {
#if defined(SIGRTMIN)
            // A realtime signal the runtime keeps for itself (valgrind reserves the last ones):
            // nobody can send it to the command through us anyway; not a reason to fail.
            if (errno == EINVAL && sig >= SIGRTMIN) continue;
#endif
            int failure = errno;
            soup_signals_uninstall();
            errno = failure;
            return -1;
        }
        sigaddset(&wanted, sig);
    }
    if (supervisor) {
        change_action(SIGTTIN, SIG_IGN, 0);
        change_action(SIGTTOU, SIG_IGN, 0);
        change_action(SIGPIPE, SIG_IGN, 0);
    }
    // A parent that spawned us from a thread with a dirty mask must not make us deaf.
    pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
    return pipe_read;
}

void soup_signals_uninstall(void) {
    for (int sig = 1; sig < SOUP_NSIG; sig++) {
        if (changed[sig]) {
            sigaction(sig, &saved_actions[sig], NULL);
            changed[sig] = 0;
        }
    }
    // Dispositions first: no handler may write to a descriptor number about to be reused.
    if (pipe_read >= 0) close(pipe_read);
    if (pipe_write >= 0) close(pipe_write);
    pipe_read = -1;
    pipe_write = -1;
}

void soup_signals_wake(void) {
    unsigned char byte = 0;
    if (pipe_write >= 0) {
        ssize_t ignored = write(pipe_write, &byte, 1);
        (void)ignored;
    }
}

int soup_signals_drain(int *out, int max) {
    if (pipe_read < 0 || max <= 0) return 0;
    unsigned char buffer[256];
    size_t want = (size_t)max < sizeof buffer ? (size_t)max : sizeof buffer;
    ssize_t got;
    do got = read(pipe_read, buffer, want); while (got < 0 && errno == EINTR);
    if (got <= 0) return 0;
    for (ssize_t i = 0; i < got; i++) out[i] = buffer[i];
    return (int)got;
}

struct soup_thread_start {
    void (*body)(void *);
    void *context;
};

static void *soup_thread_main(void *raw) {
    struct soup_thread_start start = *(struct soup_thread_start *)raw;
    free(raw);
    start.body(start.context);
    return NULL;
}

int soup_thread_start(void (*body)(void *), void *context) {
    struct soup_thread_start *start = malloc(sizeof *start);
    if (start == NULL) return ENOMEM;
    start->body = body;
    start->context = context;
    sigset_t all, previous;
    sigfillset(&all);
    // The new thread inherits this mask: blocked from its first instruction, no window.
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_t thread;
    int failure = pthread_create(&thread, NULL, soup_thread_main, start);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (failure != 0) {
        free(start);
        return failure;
    }
    pthread_detach(thread);
    return 0;
}

int soup_wait_readable(int fd, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = POLLIN, .revents = 0};
    int ready = poll(&entry, 1, timeout_ms);
    if (ready < 0) return errno == EINTR ? 1 : -1;
    return ready > 0 ? 1 : 0;
}

void soup_realtime_signals(int *first, int *last) {
#if defined(SIGRTMIN) && defined(SIGRTMAX)
    *first = SIGRTMIN;
    *last = SIGRTMAX;
#else
    *first = 0;
    *last = -1;
#endif
}

int soup_terminal_we_own(void) {
    if (!isatty(STDIN_FILENO)) return -1;
    return tcgetpgrp(STDIN_FILENO) == getpgrp() ? STDIN_FILENO : -1;
}

void soup_terminal_reclaim(int fd) {
    if (fd < 0) return;
    sigset_t ttou, previous;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    // From a background group tcsetpgrp raises SIGTTOU unless it is blocked.
    pthread_sigmask(SIG_BLOCK, &ttou, &previous);
    (void)tcsetpgrp(fd, getpgrp());
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

void soup_stop_self(void) {
    // Default SIGTSTP stops every thread here; an orphaned process group (a session leader
    // under a program without job control) is not stopped by it and just carries on, and
    // neither is PID 1. The supervisor catches SIGTSTP to forward it: default for this raise.
    struct sigaction stop, handler;
    memset(&stop, 0, sizeof stop);
    stop.sa_handler = SIG_DFL;
    sigemptyset(&stop.sa_mask);
    int swapped = sigaction(SIGTSTP, &stop, &handler) == 0;
    raise(SIGTSTP);
    if (swapped) sigaction(SIGTSTP, &handler, NULL);
}

void soup_terminal_suspend_with(int fd, pid_t pgid) {
    if (pgid <= 1) return;
    soup_terminal_reclaim(fd);
    soup_stop_self();
    if (fd >= 0) {
        sigset_t ttou, previous;
        sigemptyset(&ttou);
        sigaddset(&ttou, SIGTTOU);
        pthread_sigmask(SIG_BLOCK, &ttou, &previous);
        if (tcgetpgrp(fd) == getpgrp()) (void)tcsetpgrp(fd, pgid); // `fg`: the child reads the terminal again
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
    }
    kill(-pgid, SIGCONT);
}
