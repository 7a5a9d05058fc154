/*
 * Keeping the token out of reach of the command and of other users: soup-run is made
 * non-dumpable (no core file; /proc/PID/environ, /proc/PID/mem and ptrace closed to its own uid,
 * so a child cannot read the token back from its parent), and the token is overwritten in the
 * argv and environment strings the kernel shows in /proc/PID/cmdline (world-readable, `ps`) and
 * /proc/PID/environ.
 */
#define _GNU_SOURCE
#include "soup_process.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

static const char mask[] = "***";

#if defined(__linux__) && defined(__GLIBC__)
static int original_argc = 0;
static char **original_argv = NULL;
static char **original_envp = NULL;

/* glibc passes argc, argv and envp to every ELF constructor: the kernel's own strings. */
__attribute__((constructor)) static void soup_record_original_strings(int argc, char **argv, char **envp) {
    original_argc = argc;
    original_argv = argv;
    original_envp = envp;
}
#endif

int soup_make_undumpable(void) {
#if defined(__linux__)
    // Exec resets this for the command (it is dumpable again as a new program).
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1;
#else
    return 0;
#endif
}

/* What argument `text` becomes: "***" when it is the secret, "--opt=***" when its value is. The
 * result is never longer than `text`; written to `out` (room for strlen(text) + 1). */
static void mask_into(char *out, size_t length) {
    if (length >= sizeof mask - 1) {
        memcpy(out, mask, sizeof mask);
    } else {
        memset(out, '*', length); // a secret shorter than the mask keeps its length
        out[length] = 0;
    }
}

static void concealed_argument(const char *text, const char *secret, char *out) {
    const char *equals = strchr(text, '=');
    if (strcmp(text, secret) == 0) {
        mask_into(out, strlen(text));
    } else if (text[0] == '-' && equals != NULL && strcmp(equals + 1, secret) == 0) {
        size_t prefix = (size_t)(equals + 1 - text);
        memcpy(out, text, prefix);
        mask_into(out + prefix, strlen(equals + 1));
    } else {
        strcpy(out, text);
    }
}

int soup_conceal_secret(const char *secret, const char *variable) {
    int changed = 0;
    if (secret == NULL || secret[0] == 0) return 0;
#if defined(__linux__) && defined(__GLIBC__)
    if (original_argv != NULL && original_argc > 0) {
        // The strings lie back to back (that is what /proc/PID/cmdline shows): rewrite the block
        // shorter and pad with NULs, so `ps` shows `--token ***` and no run of blanks.
        char *start = original_argv[0];
        char *end = original_argv[original_argc - 1] + strlen(original_argv[original_argc - 1]) + 1;
        int contiguous = 1;
        for (int i = 0; i + 1 < original_argc; i++) {
            if (original_argv[i + 1] != original_argv[i] + strlen(original_argv[i]) + 1) contiguous = 0;
        }
        char *block = contiguous ? malloc((size_t)(end - start)) : NULL;
        if (block != NULL) {
            char *cursor = block;
            for (int i = 0; i < original_argc; i++) {
                concealed_argument(original_argv[i], secret, cursor);
                cursor += strlen(cursor) + 1;
            }
            size_t used = (size_t)(cursor - block);
            changed = used != (size_t)(end - start) || memcmp(block, start, used) != 0;
            memcpy(start, block, used);
            memset(start + used, 0, (size_t)(end - start) - used);
            char *walk = start;
            for (int i = 0; i < original_argc; i++) {
                original_argv[i] = walk;
                walk += strlen(walk) + 1;
            }
            free(block);
        }
    }
    if (original_envp != NULL && variable != NULL) {
        size_t name = strlen(variable);
        for (char **entry = original_envp; *entry != NULL; entry++) {
            if (strncmp(*entry, variable, name) != 0 || (*entry)[name] != '=') continue;
            char *value = *entry + name + 1;
            size_t length = strlen(value);
            // In place, NUL-padded: these strings may still be what `environ` points to.
            mask_into(value, length);
            size_t kept = strlen(value);
            memset(value + kept, 0, length - kept);
            changed = 1;
        }
    }
#else
    (void)variable;
#endif
    return changed;
}
