/*
 * replay.c - main() for the replay programs (replay_<name>): runs a fuzz
 * target's LLVMFuzzerTestOneInput over files and directories given on the
 * command line, without libFuzzer, so corpora and crash inputs can be
 * replayed with any compiler and under valgrind.
 *
 *   replay_decode fuzz/corpus/decode crash-1234...
 *
 * Each input is read into an exactly sized heap buffer.  A directory's
 * regular files are run in name order (hidden files skipped); arguments
 * starting with '-' are ignored, so libFuzzer options do no harm, except -v:
 * print each input's settings and decode results (to explain a finding).  A finding
 * aborts, as under libFuzzer; otherwise the exit status is 0, or 2 when an
 * argument could not be read.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_check.h"

static unsigned long n_inputs;

static int run_file(const char *path)
{
    if (fuzz_verbose)
        fprintf(stderr, "== %s\n", path);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fprintf(stderr, "replay: out of memory\n");
            exit(2);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        uint8_t *grown = realloc(buf, cap);
        if (grown == NULL)
            free(buf);
        buf = grown;
    }
    const int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    /* Exactly n bytes, so ASan and valgrind see a read past the input. */
    uint8_t *exact = n ? malloc(n) : NULL;
    if (n && exact == NULL) {
        fprintf(stderr, "replay: out of memory\n");
        exit(2);
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    n_inputs++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int run_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL)
                exit(2);
            names = grown;
        }
        const size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL)
            exit(2);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(names[i]) != 0)
            status = -1;
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    int status = 0, given = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-v") == 0)
            fuzz_verbose = 1;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        given++;
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            status = 2;
        } else if ((S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) != 0) {
            status = 2;
        }
    }
    if (given == 0) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    printf("%s: %lu inputs, no finding", argv[0], n_inputs);
    printf("\n");
    return status;
}
