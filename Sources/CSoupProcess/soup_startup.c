/*
 * What soup-run inherited, recorded before main: the descriptors its parent passed on and the
 * signals its parent left ignored. The command gets exactly those back, nothing of soup-run's.
 */
#define _GNU_SOURCE
#include "soup_process.h"
#include "soup_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOUP_MAX_INHERITED 1024

static int inherited_fds[SOUP_MAX_INHERITED];
/* What each one was: a number soup-run's parent passed may later be closed by a library and
 * reused for one of soup-run's own files, which must then not be passed on. */
static dev_t inherited_dev[SOUP_MAX_INHERITED];
static ino_t inherited_ino[SOUP_MAX_INHERITED];
static int inherited_count = 0;
static sigset_t inherited_ignored;

static void remember_fd(int fd) {
    if (fd < 3 || inherited_count >= SOUP_MAX_INHERITED) return;
    int flags = fcntl(fd, F_GETFD);
    // A descriptor marked close-on-exec was never meant for the command.
    if (flags < 0 || (flags & FD_CLOEXEC)) return;
    struct stat info;
    if (fstat(fd, &info) != 0) return;
    inherited_fds[inherited_count] = fd;
    inherited_dev[inherited_count] = info.st_dev;
    inherited_ino[inherited_count] = info.st_ino;
    inherited_count++;
}

/* Insertion sort of the three parallel arrays by descriptor (at most SOUP_MAX_INHERITED). */
static void sort_inherited(void) {
    for (int i = 1; i < inherited_count; i++) {
        int fd = inherited_fds[i];
        dev_t dev = inherited_dev[i];
        ino_t ino = inherited_ino[i];
        int j = i - 1;
        for (; j >= 0 && inherited_fds[j] > fd; j--) {
            inherited_fds[j + 1] = inherited_fds[j];
            inherited_dev[j + 1] = inherited_dev[j];
            inherited_ino[j + 1] = inherited_ino[j];
        }
        inherited_fds[j + 1] = fd;
        inherited_dev[j + 1] = dev;
        inherited_ino[j + 1] = ino;
    }
}

/* Whether entry `i` still names the file it named at load (fstat: async-signal-safe). */
static int still_inherited(int i) {
    struct stat info;
    if (fstat(inherited_fds[i], &info) != 0) return 0;
    return info.st_dev == inherited_dev[i] && info.st_ino == inherited_ino[i];
}

/* Without /proc/self/fd (an empty chroot, macOS): which numbers are open, asked of the kernel
 * SOUP_POLL_BATCH at a time. poll() with no events marks a closed number POLLNVAL and returns at
 * once, so 65536 numbers cost 64 system calls instead of 65536 fcntl calls. Bounded by
 * RLIMIT_NOFILE (no descriptor can be at or above it), at most 65536 as before. */
#define SOUP_POLL_BATCH 1024
static void scan_open_fds(void) {
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 65536) limit = 65536;
    struct pollfd batch[SOUP_POLL_BATCH];
    for (long first = 3; first < limit; first += SOUP_POLL_BATCH) {
        long count = limit - first < SOUP_POLL_BATCH ? limit - first : SOUP_POLL_BATCH;
        for (long i = 0; i < count; i++) batch[i] = (struct pollfd){ .fd = (int)(first + i), .events = 0 };
        int ready;
        do ready = poll(batch, (nfds_t)count, 0); while (ready < 0 && errno == EINTR);
        if (ready < 0) {
            // poll refused the batch (nfds above a lowered limit): ask each number instead.
            for (long i = 0; i < count; i++) remember_fd((int)(first + i));
            continue;
        }
        for (long i = 0; i < count; i++) {
            if (!(batch[i].revents & POLLNVAL)) remember_fd(batch[i].fd);
        }
    }
}

static void record_inherited_fds(void) {
#ifdef __linux__
    DIR *dir = opendir("/proc/self/fd");
    if (dir != NULL) {
        int own = dirfd(dir);
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
            int fd = atoi(entry->d_name);
            if (fd != own) remember_fd(fd);
        }
        closedir(dir);
        sort_inherited();
        return;
    }
#endif
    scan_open_fds();
}

__attribute__((constructor)) static void soup_record_startup_state(void) {
    // With 0, 1 or 2 closed, soup-run's own descriptors (a socket, the self-pipe) would take
    // those numbers and become the command's stdio. /dev/null holds them instead, opened the
    // wrong way round (stdin write-only, stdout and stderr read-only), so reading or writing
    // still fails (EBADF) as on the closed descriptor: `--export >&-` reports 74, not success.
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int opened = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
            if (opened >= 0 && opened != fd) {
                dup2(opened, fd);
                close(opened);
            }
        }
    }
    sigemptyset(&inherited_ignored);
    for (int sig = 1; sig < SOUP_NSIG; sig++) {
        struct sigaction current;
        if (sigaction(sig, NULL, &current) == 0 && current.sa_handler == SIG_IGN) {
            sigaddset(&inherited_ignored, sig);
        }
    }
    record_inherited_fds();
}

void soup_reset_signals_for_exec(int keep_exit_handlers) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    for (int sig = 1; sig < SOUP_NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (keep_exit_handlers) {
            // A TERM between here and execve must still end us (as PID 1 a default-action
            // TERM is dropped); execve itself resets this caught signal to its default.
            struct sigaction current;
            if (sigaction(sig, NULL, &current) == 0 && current.sa_handler == soup_exit_on_signal) continue;
        }
        // SIGCHLD ignored makes the command's own children vanish unreaped: always default.
        int keep_ignored = sig != SIGCHLD && sigismember(&inherited_ignored, sig) == 1;
        action.sa_handler = keep_ignored ? SIG_IGN : SIG_DFL;
        (void)sigaction(sig, &action, NULL); // libc-reserved signals refuse; that is fine
    }
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
}

int soup_next_kept_fd(int after, int keep) {
    int best = keep > after ? keep : -1;
    for (int i = 0; i < inherited_count; i++) {
        if (inherited_fds[i] > after && still_inherited(i)) {
            if (best < 0 || inherited_fds[i] < best) best = inherited_fds[i];
            break;
        }
    }
    return best;
}
