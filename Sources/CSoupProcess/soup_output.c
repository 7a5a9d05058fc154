/*
 * The pipes of --mask: the command writes into them, soup-run's filter thread reads, masks and
 * writes to soup-run's own stdout and stderr. Thin wrappers; the decisions live in Swift.
 */
#define _GNU_SOURCE
#include "soup_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

int soup_output_pipe(int fds[2]) {
#if defined(__linux__)
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
#else
    if (pipe(fds) != 0) return errno;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) {
        int error = errno;
        close(fds[0]);
        close(fds[1]);
        return error;
    }
    return 0;
}

long soup_read(int fd, void *buffer, unsigned long size) {
    ssize_t got;
    do got = read(fd, buffer, size); while (got < 0 && errno == EINTR);
    return (long)got;
}

int soup_write_all(int fd, const void *buffer, unsigned long size) {
    const char *bytes = buffer;
    while (size > 0) {
        ssize_t put = write(fd, bytes, size);
        if (put < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                // Our stdout is non-blocking (shared with another process): wait until it drains.
                struct pollfd entry = {.fd = fd, .events = POLLOUT};
                (void)poll(&entry, 1, 1000);
                continue;
            }
            return errno;
        }
        bytes += put;
        size -= (unsigned long)put;
    }
    return 0;
}

int soup_wait_either(const int fds[2], int ready[2], int timeout_ms) {
    struct pollfd entries[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
    ready[0] = ready[1] = 0;
    int count = poll(entries, 2, timeout_ms);
    if (count < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < 2; i++) ready[i] = fds[i] >= 0 && (entries[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    return count;
}

void soup_close(int fd) {
    if (fd >= 0) close(fd);
}
