/*
 * argc and argv for the Swift runtime, recorded before main by a constructor (glibc passes them
 * to every ELF constructor), so that `CommandLine.arguments` costs nothing to set up.
 *
 * Why: the Swift runtime finds argv on Linux with a constructor of its own that reads and parses
 * /proc/self/maps to locate the stack (stdlib/public/CommandLineSupport/CommandLine.cpp). With
 * libcurl's ~35 libraries mapped, that file has ~200 lines, and generating and scanning it was
 * about 0.4 ms of soup-run's ~11 ms cold start (perf, bench/cold-start.sh).
 *
 * In the release binary, which links the Swift runtime statically, this file defines the
 * runtime's internal entry point `_swift_stdlib_getUnsafeArgvArgc`, the only symbol of that
 * runtime object the standard library uses. The linker then never pulls the object, nor its
 * constructor, from libswiftCore.a, and `CommandLine` reads the values recorded here.
 * scripts/release.sh fails if the runtime's version comes back (a toolchain that renames or moves
 * the function); a toolchain that uses another symbol of that object fails to link ("multiple
 * definition"). When the runtime is a shared library (debug builds, `swift test`) its own copy is
 * hidden inside it and this one is not used. Only with glibc, which is what passes the arguments
 * to constructors; elsewhere the runtime's own mechanism stays in place.
 *
 * The runtime's version also honours `_swift_stdlib_overrideUnsafeArgvArgc`, an entry point for
 * the interpreter and JIT only; nothing in a compiled program calls it, so it is left out here.
 */
#include <stdlib.h> /* defines __GLIBC__ on glibc */

#if defined(__linux__) && defined(__GLIBC__)
static int recorded_argc = 0;
static char **recorded_argv = 0;

__attribute__((constructor)) static void soup_record_argv(int argc, char **argv, char **envp) {
    (void)envp;
    recorded_argc = argc;
    recorded_argv = argv;
}

/* Same signature and calling convention as the runtime's definition (SWIFT_CC(swift)). */
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
#endif
