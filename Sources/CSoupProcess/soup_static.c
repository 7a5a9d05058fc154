/*
 * What a fully static soup-run (scripts/release.sh) needs from us to start in an empty root.
 *
 * Why: the Swift runtime's backtracer, set up at start, asks `swift_copyAuxiliaryExecutablePath`
 * for its helper (`swift-backtrace`, beside the runtime library). In a static binary the runtime
 * library is the executable, and finding it reads /proc/self/exe; without /proc (a chroot, a
 * scratch image before /proc is mounted) the runtime aborts with "Unable to obtain Swift runtime
 * path" before main. The release binary ships no helper, so there is nothing to find: this
 * definition answers "none", the backtracer stays off, and the runtime's Paths object (whose
 * only user is the backtracer) is never linked. Compiled only into the static release build
 * (SOUP_STATIC_EXECUTABLE, set by scripts/release.sh); with a shared runtime (debug builds,
 * `swift test`) its own copy stays in charge and crash backtraces work as usual.
 */
#if defined(SOUP_STATIC_EXECUTABLE) && defined(__linux__)
#include <stddef.h>

/* Same signature as the runtime's (swift/Runtime/Paths.h): a malloc'd path, or NULL for none. */
const char *swift_copyAuxiliaryExecutablePath(const char *name);
const char *swift_copyAuxiliaryExecutablePath(const char *name) {
    (void)name;
    return NULL;
}
#endif
