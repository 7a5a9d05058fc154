/*
 * The supervisor's children: reaping, process groups, the subreaper and the processes that
 * left the command's group (a daemon re-parented to us).
 */
#define _GNU_SOURCE
#include "soup_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

pid_t soup_reap(pid_t pid, int *status) {
    pid_t reaped;
    do reaped = waitpid(pid, status, WNOHANG | WUNTRACED); while (reaped < 0 && errno == EINTR);
    return reaped;
}

int soup_wifstopped(int status) { return WIFSTOPPED(status); }
int soup_wexitstatus(int status) { return WEXITSTATUS(status); }
int soup_wifsignaled(int status) { return WIFSIGNALED(status); }
int soup_wtermsig(int status) { return WTERMSIG(status); }

int soup_signal_group(pid_t pgid, int sig) {
    if (pgid <= 1) return EINVAL; // never kill(-1) or kill(0): that is everyone, or ourselves
    return kill(-pgid, sig) == 0 ? 0 : errno;
}

int soup_group_exists(pid_t pgid) {
    if (pgid <= 1) return 0;
    return kill(-pgid, 0) == 0 || errno == EPERM;
}

int soup_become_subreaper(void) {
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
    return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : errno;
#else
    return ENOSYS;
#endif
}

int soup_has_children(void) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    // WNOWAIT: look, do not reap (the loop reaps and reports each one itself).
    int rc;
    do rc = waitid(P_ALL, 0, &info, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT);
    while (rc < 0 && errno == EINTR);
    return rc == 0; // -1 with ECHILD: no children at all
}

#if defined(__linux__)
/* Appends the pids listed in one /proc/self/task/TID/children file. */
static int read_children_file(const char *path, pid_t *out, int count, int max) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return count;
    char buffer[4096];
    pid_t value = 0;
    int digits = 0;
    ssize_t got;
    while ((got = read(fd, buffer, sizeof buffer)) > 0 || (got < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < got; i++) {
            if (buffer[i] >= '0' && buffer[i] <= '9') {
                value = value * 10 + (buffer[i] - '0');
                digits++;
            } else {
                if (digits > 0 && count < max) out[count++] = value;
                value = 0;
                digits = 0;
            }
        }
    }
    if (digits > 0 && count < max) out[count++] = value;
    close(fd);
    return count;
}
#endif

int soup_list_children(pid_t *out, int max) {
    int count = 0;
#if defined(__linux__)
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL) return 0;
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL && count < max) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/task/%s/children", entry->d_name);
        count = read_children_file(path, out, count, max);
    }
    closedir(tasks);
#else
    (void)out;
    (void)max;
#endif
    return count;
}

pid_t soup_process_group(pid_t pid) { return getpgid(pid); }

int soup_signal_process(pid_t pid, int sig) {
    if (pid <= 1) return EINVAL; // never kill(-1), kill(0) nor init
    return kill(pid, sig) == 0 ? 0 : errno;
}
