#ifndef SOUP_INTERNAL_H
#define SOUP_INTERNAL_H
/* State shared by the C files of this target; not part of the public header. */
#include <signal.h>

#if defined(NSIG)
#define SOUP_NSIG NSIG
#else
#define SOUP_NSIG 65
#endif

/* Resets every disposition to SIG_DFL, except the ones ignored at load (SIGCHLD included in
 * neither), then empties the calling thread's mask. With `keep_exit_handlers`, signals caught by
 * soup_exit_on_signal keep it (only before execve, which resets caught signals itself).
 * Async-signal-safe. */
void soup_reset_signals_for_exec(int keep_exit_handlers);

/* The handler soup_signals_exit_on installs: _exit(128 + sig). */
void soup_exit_on_signal(int sig);

/* The smallest descriptor above `after` that the command keeps (inherited, or `keep`), or -1.
 * Async-signal-safe. */
int soup_next_kept_fd(int after, int keep);

/* Closes (or, with `cloexec`, marks close-on-exec) every descriptor >= 3 that was not inherited
 * at load, except `keep` (-1 for none). Async-signal-safe. */
void soup_drop_own_fds(int keep, int cloexec);

#endif
