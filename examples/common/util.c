/*
 * util.c - messages, growable buffers, allocation, files, signals.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *mt_prog = "mirrordec";
atomic_int mt_stop;
atomic_int mt_signals;
atomic_int mt_hup;

void mt_vmsg(const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "%s: %s\n", mt_prog, line);
}

void mt_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mt_vmsg(fmt, ap);
    va_end(ap);
}

static _Noreturn void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", mt_prog);
    exit(MT_EXIT_RUNTIME);
}

void *mt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *mt_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *mt_xaligned(size_t align, size_t n)
{
    /* aligned_alloc wants a size that is a multiple of the alignment. */
    size_t rounded = (n + align - 1) / align * align;
    void *p = aligned_alloc(align, rounded ? rounded : align);
    if (!p)
        out_of_memory();
    memset(p, 0, rounded);
    return p;
}

void mt_buf_reserve(struct mt_buf *b, size_t more)
{
    if (b->cap - b->len > more)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= more) {
        if (cap > SIZE_MAX / 2)
            out_of_memory();
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p)
        out_of_memory();
    b->p = p;
    b->cap = cap;
}

void mt_buf_put(struct mt_buf *b, const void *data, size_t n)
{
    mt_buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void mt_buf_puts(struct mt_buf *b, const char *s)
{
    mt_buf_put(b, s, strlen(s));
}

void mt_buf_putc(struct mt_buf *b, char c)
{
    mt_buf_put(b, &c, 1);
}

void mt_buf_printf(struct mt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        mt_buf_put(b, small, (size_t)n);
        return;
    }
    mt_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void mt_buf_free(struct mt_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *mt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct mt_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        mt_buf_put(&b, chunk, n);
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (bad) {
        mt_buf_free(&b);
        errno = saved ? saved : EIO;
        return NULL;
    }
    if (!b.p)
        mt_buf_put(&b, "", 0);
    *len = b.len;
    return b.p;
}

static void (*signal_hook)(void);

static void on_hup(int sig)
{
    (void)sig;
    mt_hup = 1;
}

static void on_signal(int sig)
{
    (void)sig;
    mt_stop = 1;
    atomic_fetch_add(&mt_signals, 1);
    if (signal_hook)
        signal_hook();
}

void mt_signals_install(void (*hook)(void))
{
    signal_hook = hook;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll() and friends return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* SIGHUP asks for new files (logrotate), not for a stop: the reads and
     * writes it interrupts carry on. */
    sa.sa_handler = on_hup;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_flags = 0;
    /* A closed stdout becomes a write error (EPIPE): the run then stops
     * quietly, every file flushed and the summary printed, as tcpdump's. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static pthread_t wake_th[MT_WAKE_MAX];
static atomic_bool wake_set[MT_WAKE_MAX];

static void on_usr1(int sig)
{
    (void)sig;
}

void mt_wake_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: the blocked write returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    mt_signals_install(mt_wake_workers);
}

void mt_wake_add(unsigned slot, pthread_t th)
{
    if (slot >= MT_WAKE_MAX)
        return;
    wake_th[slot] = th;
    atomic_store(&wake_set[slot], true);
}

void mt_wake_workers(void)
{
    if (mt_signals < 2)
        return;
    for (unsigned i = 0; i < MT_WAKE_MAX; i++)
        if (atomic_load(&wake_set[i]))
            pthread_kill(wake_th[i], SIGUSR1); /* async-signal-safe */
}

void mt_wake_clear(void)
{
    for (unsigned i = 0; i < MT_WAKE_MAX; i++)
        atomic_store(&wake_set[i], false);
}

double mt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Descriptors open now: /proc/self/fd, else a probe of each number. */
static uint64_t fds_in_use(uint64_t limit)
{
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        uint64_t n = 0;
        const struct dirent *de;
        while ((de = readdir(d)) != NULL)
            n += de->d_name[0] != '.';
        closedir(d);
        return n ? n - 1 : 0; /* the directory's own descriptor */
    }
    uint64_t n = 0;
    const uint64_t top = limit < 65536 ? limit : 65536;
    for (uint64_t fd = 0; fd < top; fd++)
        n += fcntl((int)fd, F_GETFD) != -1;
    return n;
}

void mt_fd_budget_get(struct mt_fd_budget *b)
{
    memset(b, 0, sizeof *b);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        rl.rlim_cur = rl.rlim_max = 1024; /* the usual default */
    }
    b->was = (uint64_t)rl.rlim_cur;
    if (rl.rlim_cur != rl.rlim_max) {
        /* The soft limit is a default meant to be raised; the hard limit is
         * the administrator's.  RLIM_INFINITY is not a valid descriptor
         * limit: stay at 2^20 (the kernel's default fs.nr_open). */
        struct rlimit want = rl;
        want.rlim_cur = rl.rlim_max == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_max;
        if (want.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl.rlim_cur = want.rlim_cur;
    }
    b->limit = rl.rlim_cur == RLIM_INFINITY ? (uint64_t)1 << 20 : (uint64_t)rl.rlim_cur;
    b->in_use = fds_in_use(b->limit);
    b->avail = b->limit > b->in_use + MT_FD_RESERVE ? b->limit - b->in_use - MT_FD_RESERVE : 0;
}
