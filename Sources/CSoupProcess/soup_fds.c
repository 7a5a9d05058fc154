/*
 * Descriptor hygiene before exec: nothing soup-run opened (libcurl's sockets, the self-pipe,
 * the exec-error pipe) may reach the command. Runs in a forked child, so async-signal-safe only.
 */
#define _GNU_SOURCE
#include "soup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void drop_fd(int fd, int cloexec) {
    if (!cloexec) {
        close(fd);
        return;
    }
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static int is_kept(int fd, int keep) {
    return soup_next_kept_fd(fd - 1, keep) == fd;
}

/* close_range(2) over [lo, hi]: one system call for any number of descriptors (Linux 5.9+,
 * CLOEXEC from 5.11). 0 on success, -1 when the kernel cannot. */
static int close_span(unsigned int lo, unsigned int hi, int cloexec) {
#if defined(__linux__) && defined(SYS_close_range)
    return (int)syscall(SYS_close_range, lo, hi, cloexec ? CLOSE_RANGE_CLOEXEC : 0U);
#else
    (void)lo; (void)hi; (void)cloexec;
    errno = ENOSYS;
    return -1;
#endif
}

#if defined(__linux__)
struct soup_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Walks /proc/self/fd with getdents64 (opendir allocates, which a forked child must not).
 * 0 when the directory could be read. */
static int drop_listed_fds(int keep, int cloexec) {
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -1;
    char buffer[4096];
    long count;
    while ((count = syscall(SYS_getdents64, dir, buffer, sizeof buffer)) > 0) {
        for (long offset = 0; offset < count;) {
            struct soup_dirent64 *entry = (struct soup_dirent64 *)(buffer + offset);
            offset += entry->d_reclen;
            int fd = 0, digits = 0;
            for (const char *c = entry->d_name; *c >= '0' && *c <= '9'; c++, digits++) fd = fd * 10 + (*c - '0');
            if (digits == 0 || fd < 3 || fd == dir || is_kept(fd, keep)) continue;
            drop_fd(fd, cloexec);
        }
    }
    close(dir);
    return 0;
}
#endif

void soup_drop_own_fds(int keep, int cloexec) {
    int ok = 1;
    unsigned int lo = 3;
    for (int kept = soup_next_kept_fd(2, keep); kept >= 0; kept = soup_next_kept_fd(kept, keep)) {
        if ((unsigned int)kept > lo) ok &= close_span(lo, (unsigned int)kept - 1, cloexec) == 0;
        if ((unsigned int)kept >= lo) lo = (unsigned int)kept + 1;
    }
    ok &= close_span(lo, ~0U, cloexec) == 0;
    if (ok) return;
#if defined(__linux__)
    if (drop_listed_fds(keep, cloexec) == 0) return;
#endif
    // No close_range and no /proc (macOS): try every possible number, bounded.
    int limit = getdtablesize();
    if (limit < 0 || limit > 65536) limit = 65536;
    for (int fd = 3; fd < limit; fd++) {
        if (!is_kept(fd, keep)) drop_fd(fd, cloexec);
    }
}
