/*
 * argc and argv, recorded before main by a constructor (glibc passes them to every ELF
 * constructor), so that reading them costs nothing.
 *
 * Why: the Swift runtime finds argv on Linux with a constructor of its own that reads and parses
 * /proc/self/maps to locate the stack (stdlib/public/CommandLineSupport/CommandLine.cpp). With
 * libcurl's ~35 libraries mapped, that file has ~200 lines, and generating and scanning it was
 * about 0.4 ms of soup-run's ~11 ms cold start (perf, bench/cold-start.sh).
 *
 * In the release binary, which links the Swift runtime statically, this file also defines the
 * runtime's internal entry point `_swift_stdlib_getUnsafeArgvArgc` (the only symbol the Swift
 * standard library uses from that runtime object). The linker then never pulls the runtime's
 * object, nor its constructor, from libswiftCore.a, and `CommandLine` reads the values recorded
 * here. When the runtime is a shared library the definition here is simply not used (the
 * runtime's copy is hidden inside it). Only with glibc, which is what passes the arguments to
 * constructors; elsewhere the runtime's own mechanism stays in place.
 */
#include "soup_process.h"

#if defined(__linux__) && defined(__GLIBC__)
static int recorded_argc = 0;
static char **recorded_argv = 0;

__attribute__((constructor)) static void soup_record_argv(int argc, char **argv, char **envp) {
    (void)envp;
    recorded_argc = argc;
    recorded_argv = argv;
}

char **soup_recorded_argv(int *count) {
    *count = recorded_argc;
    return recorded_argv;
}

/* Same signature and calling convention as the runtime's definition. */
__attribute__((swiftcall, visibility("hidden"))) char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen);
__attribute__((swiftcall, visibility("hidden"))) char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    static char *empty[] = {0};
    if (recorded_argv == 0) {
        *outArgLen = 0;
        return empty;
    }
    *outArgLen = recorded_argc;
    return recorded_argv;
}
#else
char **soup_recorded_argv(int *count) {
    *count = 0;
    return 0;
}
#endif
