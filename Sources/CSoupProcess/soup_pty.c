/*
 * The pseudo-terminal of --mask in a terminal, and the outer terminal's mode. Thin wrappers;
 * which streams get the pty and when the mode changes are decided in Swift (MaskTerminal).
 */
#define _GNU_SOURCE
#include "soup_process.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* The outer terminal's mode before soup-run first made it raw: what every exit restores. */
static struct termios saved_mode;
static int saved_fd = -1;

static void set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) (void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int soup_pty_open(int model_fd, int *master_out, int *slave_out) {
    *master_out = *slave_out = -1;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return errno;
    set_cloexec(master);
    if (grantpt(master) != 0 || unlockpt(master) != 0) {
        int error = errno;
        close(master);
        return error;
    }
    char name[128];
#if defined(__linux__)
    int named = ptsname_r(master, name, sizeof name) == 0;
#else
    const char *found = ptsname(master);
    int named = found != NULL && strlen(found) < sizeof name;
    if (named) strcpy(name, found);
#endif
    if (!named) {
        int error = errno != 0 ? errno : ENOTTY;
        close(master);
        return error;
    }
    // Opened (not only named) here: soup-run holds the slave between children, so the master
    // never reads end of file while --watch restarts the command.
    int slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) {
        int error = errno;
        close(master);
        return error;
    }
    set_cloexec(slave);
    // The command starts with the outer terminal's settings (erase, interrupt characters) and size.
    struct termios mode;
    if (model_fd >= 0 && tcgetattr(model_fd, &mode) == 0) (void)tcsetattr(slave, TCSANOW, &mode);
    (void)soup_terminal_copy_size(model_fd, master);
    *master_out = master;
    *slave_out = slave;
    return 0;
}

int soup_is_terminal(int fd) {
    return isatty(fd) ? 1 : 0;
}

int soup_same_terminal(int a, int b) {
    struct stat first, second;
    if (!isatty(a) || !isatty(b) || fstat(a, &first) != 0 || fstat(b, &second) != 0) return 0;
    return first.st_rdev == second.st_rdev ? 1 : 0;
}

int soup_terminal_is_foreground(int fd) {
    return isatty(fd) && tcgetpgrp(fd) == getpgrp() ? 1 : 0;
}

int soup_terminal_copy_size(int from, int to) {
    if (from < 0 || to < 0) return EBADF;
    struct winsize size;
    if (ioctl(from, TIOCGWINSZ, &size) != 0) return errno;
    // Setting the pty's size makes the kernel send SIGWINCH to its foreground group.
    if (ioctl(to, TIOCSWINSZ, &size) != 0) return errno;
    return 0;
}

/* tcsetattr with SIGTTOU blocked: a supervisor never stops for changing its terminal. */
static int set_mode(int fd, const struct termios *mode) {
    sigset_t ttou, previous;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &ttou, &previous);
    int result;
    do result = tcsetattr(fd, TCSADRAIN, mode); while (result != 0 && errno == EINTR);
    int error = result == 0 ? 0 : errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return error;
}

int soup_terminal_enter_raw(int fd) {
    if (saved_fd < 0) {
        if (tcgetattr(fd, &saved_mode) != 0) return errno;
        saved_fd = fd;
    }
    // Every key goes to the pty as a byte; its line discipline edits, echoes and signals.
    struct termios raw = saved_mode;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    return set_mode(fd, &raw);
}

int soup_terminal_made_raw(int fd) {
    if (saved_fd < 0) return 0;
    struct termios mode;
    if (tcgetattr(fd, &mode) != 0) return 0;
    return (mode.c_oflag & OPOST) == 0;
}

int soup_terminal_restore(void) {
    if (saved_fd < 0) return 0;
    return set_mode(saved_fd, &saved_mode);
}

int soup_terminal_suspend_byte(void) {
    if (saved_fd < 0 || (saved_mode.c_lflag & ISIG) == 0) return -1;
    cc_t key = saved_mode.c_cc[VSUSP];
    return key == _POSIX_VDISABLE ? -1 : (int)key;
}

int soup_pty_stops_on(int slave, int byte) {
    struct termios mode;
    if (tcgetattr(slave, &mode) != 0 || (mode.c_lflag & ISIG) == 0) return 0;
    return mode.c_cc[VSUSP] != _POSIX_VDISABLE && mode.c_cc[VSUSP] == (cc_t)byte ? 1 : 0;
}

pid_t soup_pty_foreground(int master) {
    return tcgetpgrp(master);
}

int soup_process_keeps_signal(pid_t pid, int sig) {
#if defined(__linux__)
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *file = fopen(path, "re");
    if (file == NULL) return -1;
    char line[256];
    unsigned long long ignored = 0, caught = 0;
    int found = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        if (sscanf(line, "SigIgn: %llx", &ignored) == 1) found |= 1;
        if (sscanf(line, "SigCgt: %llx", &caught) == 1) found |= 2;
    }
    fclose(file);
    if (found != 3) return -1;
    unsigned long long bit = 1ULL << (sig - 1);
    return ((ignored | caught) & bit) != 0 ? 1 : 0;
#else
    (void)pid;
    (void)sig;
    return -1;
#endif
}

int soup_leads_session(pid_t pid) {
    return pid > 0 && getsid(pid) == pid ? 1 : 0;
}
