/*
 * outputs.c - where accepted inner packets go: one capture file of every
 * session (-w FILE, or standard output with -w -), a file per session in
 * the --split directory, a TAP device (mirrordec-tap), any of them together.
 *
 * Formats: pcapng unless -F pcap.  In the -w file each session is an
 * interface of its own, described when it first writes (an IDB: if_name the
 * session's name, if_description its key, its link type), and a session
 * that delivers both Ethernet and bare IP has one interface for each.  A
 * classic pcap file has one link type: -w FILE -F pcap takes that of its
 * first packet, and packets of the other kind are not written (counted and
 * reported: pcapng or --split keeps them).
 *
 * SIGHUP (for logrotate): every file whose path no longer names it (moved
 * or removed) is closed and created again, with a new header (pcapng: a new
 * section), when the tool next writes or flushes; a file still in place
 * goes on as it is.
 *
 * Entries are keyed by session key and shared by every worker (each worker
 * has its own session table, whose sessions point here through their user
 * pointer), so one session has one file even when several threads see it.
 * A mutex guards the registry and the files; TAP writes need none (each
 * write() is one frame).
 *
 * --split file names: the session's name made safe (mt_safe_name) plus
 * ".pcapng" (".pcap" with -F pcap).  The
 * sessions of --session get theirs first, at start, in the order given.  A
 * --split file has one link type: Ethernet (LINKTYPE_ETHERNET, 1) or bare IP
 * (LINKTYPE_RAW, 101), so that libpcap (which refuses a pcapng file whose
 * interfaces differ in link type) reads every one; a session that delivers both kinds gets a second file
 * for the kind that came second, NAME-raw or NAME-ether.  Every name is
 * taken from one registry of the names this run uses: when the name a file
 * wants is taken (two sessions whose names become one, a session named
 * "x-raw" next to the raw file of session "x"), "-2", "-3" ... are appended
 * until it is free.  Two sessions never share a file, whatever their names.
 *
 * The open-file budget.  The process raises its soft RLIMIT_NOFILE to the
 * hard limit; what is left of it once the inputs are open, less a reserve
 * (MT_FD_RESERVE) for what the tools open later, is the budget.  Per-session
 * TAP devices come first (a device lives as long as its descriptor, so it
 * cannot be closed and reopened): at most --max-taps, by default half the
 * budget with --split, all of it without, and never more than 256; sessions past
 * the cap get no device and their frames are counted.  --split files share the
 * rest, at most --max-open-files (default 1024) open at once: when a file
 * must open and none is free, the least recently written one is flushed and
 * closed, and reopened in append mode when its session writes again.  An
 * open that fails anyway (EMFILE, ENFILE, a full disk, permissions) loses
 * that packet, counted and reported once; nothing here ends the program.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"
#include "tapdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define PCAP_OPEN_DEFAULT 1024u /* pcap files open at once unless --max-open-files */
#define TAP_DEFAULT_MAX 256u    /* per-session TAP devices unless --max-taps */
#define WARN_FILES 5            /* files whose errors are reported one by one */

enum tap_state { TAP_NONE, TAP_OPEN, TAP_PAST_CAP, TAP_FAILED };

struct mt_out_file {
    struct mt_pcapw w;
    int used;                        /* w initialised: the name is chosen */
    struct mt_out_file *prev, *next; /* open files, most recently written first */
    uint64_t errors_seen;            /* w.io_errors already reported */
    int broken_seen, open_warned;
};

struct mt_out_entry {
    struct mdec_key key;
    char name[MDEC_NAME_MAX];
    char base[MDEC_NAME_MAX + 16];
    struct mt_out_file f[2];
    uint64_t lost_open; /* packets not written: the file could not be opened */
    uint64_t lost_ts;   /* packets not written: timestamp outside classic pcap */
    char keytext[40];   /* pcapng: if_description */
    uint32_t s_ifid[2]; /* -w pcapng: the interface per link type (0 Ethernet, 1 raw) */
    uint64_t s_gen[2];  /* the file's if_gen when s_ifid was given; 0: none */
    int tap_fd;
    enum tap_state tap;
    char tap_name[16];
};

struct mt_outputs {
    pthread_mutex_t mu;
    const struct mt_opts *o;
    int nano;
    struct mt_out_entry **e;
    size_t n, cap;
    char **names; /* file names in use, without ".pcap" */
    size_t n_names, cap_names;

    struct mt_fd_budget budget;
    unsigned files_max, files_open;
    struct mt_out_file *lru_head, *lru_tail;
    uint64_t files_created, evictions;
    unsigned files_warned;
    int warned_open_fd, warned_ts;

    struct mt_pcapw stream; /* -w FILE */
    int has_stream;
    uint64_t stream_lost_link; /* -F pcap: packets of the other link type */
    uint64_t stream_lost_ts;   /* timestamps the format cannot hold */
    uint64_t stream_lost_open; /* the file could not be created */
    uint64_t stream_files;     /* files created (SIGHUP makes more) */
    uint64_t stream_errors_seen;
    int stream_warned_link, stream_warned_open, stream_broken_seen;
    int epipe;                 /* -w -: the reader went away */
    /* -C / -G / -W: the -w file rotates */
    int rotating;
    int64_t period_start;      /* -G: packet time the current file began */
    uint64_t period_files;     /* files begun in this -G period (the -C count) */
    char **ring;               /* -W: the files kept, oldest first */
    unsigned n_ring;

    int tap_fd;        /* the single TAP device, or -1 */
    unsigned tap_max;  /* per-session TAP devices at most */
    unsigned next_tap; /* per-session TAP devices created */
    unsigned tap_past_cap, tap_failed; /* sessions without a device */
    atomic_uint_fast64_t tap_skipped;   /* frames a TAP could not take */
    atomic_uint_fast64_t tap_no_device; /* frames of sessions without a device */
    int tap_warned, tap_cap_warned, tap_fail_warned;
    int failed; /* a packet was not written: exit 1 */
};

static int same_key(const struct mdec_key *a, const struct mdec_key *b)
{
    return a->kind == b->kind && a->has_id == b->has_id && a->id == b->id;
}

static unsigned umin(uint64_t a, uint64_t b)
{
    const uint64_t m = a < b ? a : b;
    return m > UINT32_MAX ? UINT32_MAX : (unsigned)m;
}

/* Works out the budget; called once the inputs (and the single TAP device)
 * are open, so that they count as in use. */
static void set_budget(struct mt_outputs *out)
{
    const struct mt_opts *o = out->o;
    mt_fd_budget_get(&out->budget);
    const uint64_t avail = out->budget.avail;
    if (o->tap && o->tap_per_session) {
        const uint64_t room = o->write_dir ? avail / 2 : avail;
        if (o->max_taps) {
            out->tap_max = o->max_taps;
            if (o->max_taps > (o->write_dir && avail ? avail - 1 : avail)) {
                out->tap_max = umin(o->write_dir && avail ? avail - 1 : avail, o->max_taps);
                mt_msg("warning: --max-taps %u: the open-file budget leaves room for %u "
                       "devices (open-file limit %llu, %llu in use, %u kept in reserve)",
                       o->max_taps, out->tap_max, (unsigned long long)out->budget.limit,
                       (unsigned long long)out->budget.in_use, MT_FD_RESERVE);
            }
        } else {
            out->tap_max = umin(room, TAP_DEFAULT_MAX);
        }
    }
    if (o->write_dir) {
        const uint64_t left = avail > out->tap_max ? avail - out->tap_max : 0;
        const unsigned want = o->max_open_files ? o->max_open_files : PCAP_OPEN_DEFAULT;
        out->files_max = umin(left, want);
        if (o->max_open_files && o->max_open_files > left)
            mt_msg("warning: --max-open-files %u: the open-file budget leaves room for %llu "
                   "(open-file limit %llu, %llu in use, %u kept in reserve)",
                   o->max_open_files, (unsigned long long)left,
                   (unsigned long long)out->budget.limit,
                   (unsigned long long)out->budget.in_use, MT_FD_RESERVE);
        if (out->files_max == 0)
            out->files_max = 1; /* try anyway: a failed open is counted, not fatal */
    }
}

struct mt_outputs *mt_outputs_new(const struct mt_opts *o, int nano)
{
    struct mt_outputs *out = mt_xcalloc(1, sizeof *out);
    pthread_mutex_init(&out->mu, NULL);
    out->o = o;
    out->nano = nano;
    out->tap_fd = -1;
    if (o->write_dir) {
        struct stat st;
        if (mkdir(o->write_dir, 0777) != 0 && errno != EEXIST) {
            mt_msg("--split '%s': cannot create the directory: %s", o->write_dir,
                   strerror(errno));
            goto fail;
        }
        if (stat(o->write_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            mt_msg("--split '%s': not a directory", o->write_dir);
            goto fail;
        }
        if (access(o->write_dir, W_OK | X_OK) != 0) {
            mt_msg("--split '%s': cannot write there: %s", o->write_dir, strerror(errno));
            goto fail;
        }
    }
    if (o->write_file) {
        /* pcapng: the section header goes out now, so that a reader of
         * standard output sees a valid stream before the first packet; a
         * classic pcap file waits for its first packet's link type. */
        mt_pcapw_init(&out->stream, o->write_file, LINKTYPE_ETHERNET, nano);
        out->has_stream = 1;
        out->rotating = o->rotate_bytes || o->rotate_seconds || o->rotate_files;
        if (o->rotate_files)
            out->ring = mt_xcalloc(o->rotate_files, sizeof *out->ring);
        if (!o->format_pcap)
            mt_pcapw_set_ng(&out->stream, NULL, NULL);
        if (!o->format_pcap && !out->rotating) {
            if (mt_pcapw_resume(&out->stream) != 0 && out->stream.to_stdout &&
                errno == EPIPE) {
                out->epipe = 1; /* no reader at all (| true): stop quietly */
                out->stream_broken_seen = 1;
                out->stream_lost_open = 0;
                mt_stop = 1;
            } else if (out->stream.fd < 0) {
                mt_msg("-w '%s': cannot create: %s", o->write_file, strerror(errno));
                (void)mt_pcapw_close(&out->stream);
                goto fail;
            } else {
                out->stream_files++;
            }
        }
    }
    if (o->tap && !o->tap_per_session) {
        char err[200];
        out->tap_fd = mt_tap_open(o->tap, err, sizeof err);
        if (out->tap_fd < 0) {
            mt_msg("%s", err);
            goto fail;
        }
        if (!o->quiet)
            mt_msg("TAP device %s is up", o->tap);
    }
    set_budget(out);
    return out;
fail:
    pthread_mutex_destroy(&out->mu);
    free(out);
    return NULL;
}

/* ------------------------------------------------------------ file names */

static int name_taken(const struct mt_outputs *out, const char *name)
{
    for (size_t i = 0; i < out->n_names; i++)
        if (strcmp(out->names[i], name) == 0)
            return 1;
    return 0;
}

/* Reserves the first free name of want, want-2, want-3 ... into got. */
static void reserve_name(struct mt_outputs *out, const char *want, char *got, size_t size)
{
    snprintf(got, size, "%s", want);
    for (unsigned k = 2; name_taken(out, got); k++)
        snprintf(got, size, "%s-%u", want, k);
    if (out->n_names == out->cap_names) {
        out->cap_names = out->cap_names ? 2 * out->cap_names : 32;
        char **p = realloc(out->names, out->cap_names * sizeof *p);
        if (!p) {
            mt_msg("out of memory");
            exit(MT_EXIT_RUNTIME);
        }
        out->names = p;
    }
    out->names[out->n_names] = strdup(got);
    if (!out->names[out->n_names]) {
        mt_msg("out of memory");
        exit(MT_EXIT_RUNTIME);
    }
    out->n_names++;
}

/* ---------------------------------------------------------------- entries */

/* Gives e its TAP device, per session, within the cap.  -1 when the device
 * could not be created (reported here). */
static int entry_tap(struct mt_outputs *out, struct mt_out_entry *e, int configured)
{
    if (out->next_tap >= out->tap_max) {
        e->tap = TAP_PAST_CAP;
        out->tap_past_cap++;
        if (configured) {
            mt_msg("session %s: no TAP device left: --tap-per-session may create %u (--max-taps, "
                   "or the open-file budget: open-file limit %llu, %llu in use)",
                   e->name, out->tap_max, (unsigned long long)out->budget.limit,
                   (unsigned long long)out->budget.in_use);
            return -1;
        }
        if (!out->tap_cap_warned) {
            out->tap_cap_warned = 1;
            mt_msg("session %s and later sessions get no TAP device: %u devices is the cap "
                   "(--max-taps); their frames are counted",
                   e->name, out->tap_max);
        }
        return 0;
    }
    char err[200];
    snprintf(e->tap_name, sizeof e->tap_name, "%s%u", out->o->tap, out->next_tap + 1);
    e->tap_fd = mt_tap_open(e->tap_name, err, sizeof err);
    if (e->tap_fd < 0) {
        e->tap = TAP_FAILED;
        out->tap_failed++;
        if (configured) {
            mt_msg("session %s: %s", e->name, err);
            return -1;
        }
        if (out->tap_fail_warned++ < WARN_FILES)
            mt_msg("session %s: %s (the session's frames are counted, not injected)", e->name,
                   err);
        e->tap_name[0] = '\0';
        return 0;
    }
    e->tap = TAP_OPEN;
    out->next_tap++;
    mt_msg("session %s -> TAP device %s", e->name, e->tap_name);
    return 0;
}

/* Creates the entry; called with the lock held.  NULL when a configured
 * session's TAP device cannot be created. */
static struct mt_out_entry *new_entry(struct mt_outputs *out, const struct mdec_key *key,
                                      const char *name, int configured)
{
    struct mt_out_entry *e = mt_xcalloc(1, sizeof *e);
    e->key = *key;
    snprintf(e->name, sizeof e->name, "%s", name);
    e->tap_fd = -1;
    e->tap = TAP_NONE;
    (void)mdec_key_format(key, e->keytext, sizeof e->keytext);
    if (out->o->write_dir) {
        char safe[MDEC_NAME_MAX];
        mt_safe_name(name, safe, sizeof safe);
        reserve_name(out, safe, e->base, sizeof e->base);
    }
    if (out->o->tap && out->o->tap_per_session && entry_tap(out, e, configured) != 0) {
        free(e);
        return NULL;
    }
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 16;
        struct mt_out_entry **p = realloc(out->e, out->cap * sizeof *p);
        if (!p) {
            mt_msg("out of memory");
            exit(MT_EXIT_RUNTIME);
        }
        out->e = p;
    }
    out->e[out->n++] = e;
    return e;
}

static struct mt_out_entry *find_entry(const struct mt_outputs *out, const struct mdec_key *key)
{
    for (size_t i = 0; i < out->n; i++)
        if (same_key(&out->e[i]->key, key))
            return out->e[i];
    return NULL;
}

static struct mt_out_entry *entry_for(struct mt_outputs *out, const struct mdec_key *key,
                                      const char *name, int configured)
{
    pthread_mutex_lock(&out->mu);
    struct mt_out_entry *e = find_entry(out, key);
    if (!e)
        e = new_entry(out, key, name, configured);
    pthread_mutex_unlock(&out->mu);
    return e;
}

struct mt_out_entry *mt_outputs_entry(struct mt_outputs *out, const struct mdec_session *s)
{
    return entry_for(out, &s->key, s->name, 0);
}

int mt_outputs_configured(struct mt_outputs *out)
{
    const struct mt_opts *o = out->o;
    if (o->tap && o->tap_per_session && o->n_sessions > out->tap_max) {
        mt_msg("--tap-per-session: the %zu sessions of --session need %zu TAP devices; %u may be "
               "created (--max-taps, or the open-file budget: open-file limit %llu, %llu in use, "
               "%u kept in reserve)",
               o->n_sessions, o->n_sessions, out->tap_max, (unsigned long long)out->budget.limit,
               (unsigned long long)out->budget.in_use, MT_FD_RESERVE);
        return -1;
    }
    for (size_t i = 0; i < o->n_sessions; i++)
        if (!entry_for(out, &o->sessions[i].key, o->sessions[i].name, 1))
            return -1;
    return 0;
}

/* ------------------------------------------------------------ pcap files */

static void lru_unlink(struct mt_outputs *out, struct mt_out_file *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        out->lru_head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        out->lru_tail = f->prev;
    f->prev = f->next = NULL;
}

static void lru_push(struct mt_outputs *out, struct mt_out_file *f)
{
    f->prev = NULL;
    f->next = out->lru_head;
    if (out->lru_head)
        out->lru_head->prev = f;
    out->lru_head = f;
    if (!out->lru_tail)
        out->lru_tail = f;
}

/* Reports the write errors of f not reported yet; called with the lock. */
static void report_io(struct mt_outputs *out, struct mt_out_file *f)
{
    const struct mt_pcapw *w = &f->w;
    if (w->io_errors != f->errors_seen) {
        out->failed = 1;
        if (f->errors_seen == 0 && out->files_warned++ < WARN_FILES)
            mt_msg("%s: write error: %s; the file ends on its last whole record (%llu records), and "
                   "records that cannot be written are counted as lost%s",
                   w->path, strerror(w->err), (unsigned long long)w->records,
                   out->files_warned == WARN_FILES ? " (errors of further files: see the summary)"
                                                   : "");
        f->errors_seen = w->io_errors;
    }
    if (w->broken && !f->broken_seen) {
        f->broken_seen = 1;
        out->failed = 1;
        mt_msg("%s: cannot cut the file back to its last whole record: %s; it takes no more "
               "records",
               w->path, strerror(w->cut_err));
    }
}

static void file_close(struct mt_outputs *out, struct mt_out_file *f)
{
    if (f->w.fd < 0)
        return;
    (void)mt_pcapw_suspend(&f->w);
    lru_unlink(out, f);
    out->files_open--;
    report_io(out, f);
}

/* The file of this link type for e, its name chosen on first use. */
static struct mt_out_file *file_of(struct mt_outputs *out, struct mt_out_entry *e, int linktype)
{
    struct mt_out_file *f = &e->f[0];
    if (f->used && f->w.linktype != linktype)
        f = &e->f[1];
    if (!f->used) {
        char name[MDEC_NAME_MAX + 32];
        if (f == &e->f[0]) {
            snprintf(name, sizeof name, "%s", e->base);
        } else {
            char want[MDEC_NAME_MAX + 24];
            snprintf(want, sizeof want, "%s%s", e->base,
                     linktype == LINKTYPE_RAW ? "-raw" : "-ether");
            reserve_name(out, want, name, sizeof name);
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s", out->o->write_dir, name,
                 out->o->format_pcap ? "pcap" : "pcapng");
        mt_pcapw_init(&f->w, path, linktype, out->nano);
        if (!out->o->format_pcap)
            mt_pcapw_set_ng(&f->w, e->name, e->keytext);
        f->used = 1;
    }
    return f;
}

/* Opens f within the budget; 0, or -1 with errno. */
static int file_open(struct mt_outputs *out, struct mt_out_file *f)
{
    if (f->w.fd >= 0) {
        if (out->lru_head != f) {
            lru_unlink(out, f);
            lru_push(out, f);
        }
        return 0;
    }
    while (out->files_open >= out->files_max && out->lru_tail) {
        file_close(out, out->lru_tail);
        out->evictions++;
    }
    const int created = f->w.created;
    int rc = mt_pcapw_resume(&f->w);
    while (rc != 0 && (errno == EMFILE || errno == ENFILE) && out->lru_tail) {
        /* The budget was too generous (descriptors opened elsewhere, or the
         * system's table is full): give back one of ours and try again. */
        file_close(out, out->lru_tail);
        out->evictions++;
        rc = mt_pcapw_resume(&f->w);
    }
    if (rc != 0)
        return -1;
    if (!created)
        out->files_created++;
    lru_push(out, f);
    out->files_open++;
    return 0;
}

/* One packet to the session's pcap file; called with the lock held. */
static void write_pcap(struct mt_outputs *out, struct mt_out_entry *e, const struct mdec_result *r,
                       int dir, int64_t sec, uint32_t nsec)
{
    const uint8_t *data = r->frame + r->inner.off;
    if (sec < 0 || (out->o->format_pcap && sec > (int64_t)UINT32_MAX)) {
        e->lost_ts++;
        out->failed = 1;
        if (!out->warned_ts) {
            out->warned_ts = 1;
            mt_msg("session %s: a packet's timestamp (%lld s) is outside what a %s file holds "
                   "(%s): not written (counted; further ones silently)",
                   e->name, (long long)sec, out->o->format_pcap ? "pcap" : "pcapng",
                   out->o->format_pcap ? "0 to 2^32-1 s" : "from 1970 on");
        }
        return;
    }
    struct mt_out_file *f = file_of(out, e, r->inner.ethernet ? LINKTYPE_ETHERNET : LINKTYPE_RAW);
    if (file_open(out, f) != 0) {
        const int err = errno;
        e->lost_open++;
        out->failed = 1;
        if (err == EMFILE || err == ENFILE) {
            if (!out->warned_open_fd) {
                out->warned_open_fd = 1;
                mt_msg("%s: cannot open: %s: the packet is not written (counted; further ones "
                       "silently; the open-file limit is %llu: raise 'ulimit -n' or lower "
                       "--max-open-files)",
                       f->w.path, strerror(err), (unsigned long long)out->budget.limit);
            }
        } else if (!f->open_warned && out->files_warned++ < WARN_FILES) {
            f->open_warned = 1; /* one message per file */
            mt_msg("%s: cannot %s: %s: its packets are counted as not written while this lasts",
                   f->w.path, f->w.created ? "open again" : "create", strerror(err));
        }
        return;
    }
    const int rc =
        mt_pcapw_write(&f->w, 0, dir, sec, nsec, data, r->inner.cap_len, r->inner.wire_len);
    if (rc != MT_PCAPW_OK)
        out->failed = 1;
    report_io(out, f);
}

/* ------------------------------------------------------------- -w FILE */

/* Reports the stream's write errors not reported yet; a reader of standard
 * output that went away (EPIPE) ends the run quietly, as tcpdump does. */
static void stream_report(struct mt_outputs *out)
{
    const struct mt_pcapw *w = &out->stream;
    if (w->io_errors == out->stream_errors_seen && !(w->broken && !out->stream_broken_seen))
        return;
    if (w->to_stdout && w->err == EPIPE) {
        out->epipe = 1;
        mt_stop = 1;
        out->stream_errors_seen = w->io_errors;
        out->stream_broken_seen = w->broken;
        return;
    }
    out->failed = 1;
    if (w->io_errors != out->stream_errors_seen && out->stream_errors_seen == 0)
        mt_msg("%s: write error: %s; %s (%llu records), and records that cannot be written "
               "are counted as lost",
               w->to_stdout ? "standard output" : w->path, strerror(w->err),
               w->to_stdout ? "what was written ends on a whole record where it could"
                            : "the file ends on its last whole record",
               (unsigned long long)w->records);
    out->stream_errors_seen = w->io_errors;
    if (w->broken && !out->stream_broken_seen) {
        out->stream_broken_seen = 1;
        if (w->to_stdout)
            mt_stop = 1; /* nothing more can go out: stop */
        else
            mt_msg("%s: cannot cut the file back to its last whole record: %s; it takes no "
                   "more records",
                   w->path, strerror(w->cut_err));
    }
}

/* -C, -G, -W: the name of the next file, as tcpdump names them.  With -G
 * and a '%' in the name, strftime() of the packet time (local time) makes
 * it; with -C, or -G without a '%', a count is appended: none for the first
 * file, then 1, 2 ...; with -W, the count modulo N, with leading zeros,
 * from the first file on (name0, name1 ...). */
static void stream_name(const struct mt_outputs *out, int64_t sec, char *buf, size_t size)
{
    const struct mt_opts *o = out->o;
    const char *pat = o->write_file;
    const int timed = o->rotate_seconds && strchr(pat, '%') != NULL;
    if (timed) {
        const time_t t = (time_t)sec;
        struct tm tm;
        /* The pattern is the user's, as tcpdump's -G takes it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        const size_t n = localtime_r(&t, &tm) ? strftime(buf, size, pat, &tm) : 0;
#pragma GCC diagnostic pop
        if (n == 0)
            snprintf(buf, size, "%s", pat);
    } else {
        snprintf(buf, size, "%s", pat);
    }
    const int counted = o->rotate_bytes || (o->rotate_seconds && !timed) || o->rotate_files;
    if (!counted)
        return;
    const size_t len = strlen(buf);
    if (o->rotate_files) {
        unsigned width = 1; /* the digits of N - 1: at most 10 */
        for (unsigned v = o->rotate_files - 1; v >= 10; v /= 10)
            width++;
        snprintf(buf + len, size - len, "%0*llu", (int)(width & 15),
                 (unsigned long long)(out->period_files % o->rotate_files));
    } else if (out->period_files) {
        snprintf(buf + len, size - len, "%llu", (unsigned long long)out->period_files);
    }
}

/* -W: the new file is kept, and the oldest beyond N removed. */
static void ring_add(struct mt_outputs *out, const char *path)
{
    const unsigned n = out->o->rotate_files;
    if (!n)
        return;
    for (unsigned i = 0; i < out->n_ring; i++) {
        if (strcmp(out->ring[i], path) == 0) { /* written over: now the newest */
            char *p = out->ring[i];
            memmove(out->ring + i, out->ring + i + 1, (out->n_ring - i - 1) * sizeof *out->ring);
            out->ring[out->n_ring - 1] = p;
            return;
        }
    }
    if (out->n_ring == n) {
        if (unlink(out->ring[0]) != 0 && errno != ENOENT)
            mt_msg("-W %u: cannot remove '%s', the oldest file: %s", n, out->ring[0],
                   strerror(errno));
        free(out->ring[0]);
        memmove(out->ring, out->ring + 1, (n - 1) * sizeof *out->ring);
        out->n_ring--;
    }
    out->ring[out->n_ring] = strdup(path);
    if (!out->ring[out->n_ring]) {
        mt_msg("out of memory");
        exit(MT_EXIT_RUNTIME);
    }
    out->n_ring++;
}

/* Before a packet of time sec: closes the -w file and names the next one
 * when -G's period is over or the file has passed -C's size; names the
 * first file.  Called with the lock held. */
static void stream_rotate(struct mt_outputs *out, int64_t sec)
{
    const struct mt_opts *o = out->o;
    struct mt_pcapw *w = &out->stream;
    if (!out->rotating || w->to_stdout)
        return;
    int next = 0;
    if (!w->created) {
        if (out->stream_files == 0)
            out->period_start = sec; /* the first file */
        else if (o->rotate_seconds && sec - out->period_start >= (int64_t)o->rotate_seconds)
            next = 2; /* moved away (SIGHUP) at a period's end: the new period's file */
    } else if (o->rotate_seconds && sec - out->period_start >= (int64_t)o->rotate_seconds) {
        next = 2; /* a new period */
    } else if (o->rotate_bytes && w->size + w->len > o->rotate_bytes * 1000000u) {
        next = 1;
    }
    if (w->created || next) {
        if (!next)
            return;
        if (w->created && mt_pcapw_restart(w) != 0)
            stream_report(out);
        if (next == 2) {
            out->period_start = sec;
            out->period_files = strchr(o->write_file, '%') ? 0 : out->period_files + 1;
        } else {
            out->period_files++;
        }
    }
    char path[4096];
    stream_name(out, sec, path, sizeof path);
    if (strcmp(path, w->path) != 0) {
        char *p = strdup(path);
        if (!p) {
            mt_msg("out of memory");
            exit(MT_EXIT_RUNTIME);
        }
        free(w->path);
        w->path = p;
    }
}

/* Opens the stream (a classic pcap file: with the link type of its first
 * packet); 0, or -1 with the packet counted. */
static int stream_open(struct mt_outputs *out, int linktype)
{
    struct mt_pcapw *w = &out->stream;
    if (w->fd >= 0)
        return 0;
    if (!w->created && !w->ng)
        w->linktype = linktype;
    const int created = w->created;
    if (mt_pcapw_resume(w) != 0) {
        const int err = errno;
        out->stream_lost_open++;
        out->failed = 1;
        if (!out->stream_warned_open) {
            out->stream_warned_open = 1;
            mt_msg("-w '%s': cannot %s: %s: its packets are counted as not written while this "
                   "lasts",
                   w->path, created ? "open again" : "create", strerror(err));
        }
        if (w->to_stdout)
            mt_stop = 1;
        return -1;
    }
    if (!created) {
        out->stream_files++;
        ring_add(out, w->path);
    }
    return 0;
}

/* One packet to the -w file; called with the lock held. */
static void write_stream(struct mt_outputs *out, struct mt_out_entry *e,
                         const struct mdec_result *r, int dir, int64_t sec, uint32_t nsec)
{
    struct mt_pcapw *w = &out->stream;
    if (w->broken && w->to_stdout) {
        w->lost++; /* the reader is gone: the run is stopping */
        return;
    }
    const int linktype = r->inner.ethernet ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
    if (sec < 0 || (!w->ng && sec > (int64_t)UINT32_MAX)) {
        out->stream_lost_ts++;
        out->failed = 1;
        if (!out->warned_ts) {
            out->warned_ts = 1;
            mt_msg("session %s: a packet's timestamp (%lld s) is outside what a %s file holds: "
                   "not written (counted; further ones silently)",
                   e->name, (long long)sec, w->ng ? "pcapng" : "pcap");
        }
        return;
    }
    stream_rotate(out, sec);
    if (stream_open(out, linktype) != 0)
        return;
    if (!w->ng && w->linktype != linktype) {
        out->stream_lost_link++;
        out->failed = 1;
        if (!out->stream_warned_link) {
            out->stream_warned_link = 1;
            mt_msg("-w '%s': session %s delivers %s, but this pcap file holds %s (the kind of "
                   "its first packet): not written (counted; further ones silently; pcapng, the "
                   "default, or --split keeps both)",
                   w->path, e->name, r->inner.ethernet ? "Ethernet frames" : "bare IP packets",
                   w->linktype == LINKTYPE_RAW ? "bare IP" : "Ethernet");
        }
        return;
    }
    uint32_t ifid = 0;
    if (w->ng) {
        const int k = linktype == LINKTYPE_RAW;
        if (e->s_gen[k] != w->if_gen) {
            if (mt_pcapw_idb(w, linktype, e->name, e->keytext, &e->s_ifid[k]) != MT_PCAPW_OK) {
                w->lost++;
                out->failed = 1;
                stream_report(out);
                return;
            }
            e->s_gen[k] = w->if_gen;
        }
        ifid = e->s_ifid[k];
    }
    const uint8_t *data = r->frame + r->inner.off;
    const int rc =
        mt_pcapw_write(w, ifid, dir, sec, nsec, data, r->inner.cap_len, r->inner.wire_len);
    if (rc != MT_PCAPW_OK && !(w->to_stdout && w->err == EPIPE))
        out->failed = 1;
    stream_report(out);
}

/* ---------------------------------------------------------------- SIGHUP */

/* Files moved away since they were created start again at their paths;
 * called with the lock held. */
static void reopen_moved(struct mt_outputs *out)
{
    unsigned n = 0;
    if (out->has_stream && mt_pcapw_moved(&out->stream)) {
        (void)mt_pcapw_restart(&out->stream);
        stream_report(out);
        n++;
        if (out->stream.ng && !out->rotating)
            (void)stream_open(out, LINKTYPE_ETHERNET); /* the new file appears now */
    }
    for (size_t i = 0; i < out->n; i++) {
        for (int k = 0; k < 2; k++) {
            struct mt_out_file *f = &out->e[i]->f[k];
            if (!f->used || !mt_pcapw_moved(&f->w))
                continue;
            file_close(out, f);
            (void)mt_pcapw_restart(&f->w);
            report_io(out, f);
            n++;
        }
    }
    if (!out->o->quiet)
        mt_msg("SIGHUP: %u file%s moved away, created again", n, n == 1 ? "" : "s");
}

void mt_outputs_flush(struct mt_outputs *out)
{
    if (!out || !out->has_stream)
        return;
    pthread_mutex_lock(&out->mu);
    if (out->stream.len && mt_pcapw_flush(&out->stream) != 0)
        stream_report(out);
    pthread_mutex_unlock(&out->mu);
}

void mt_outputs_tick(struct mt_outputs *out)
{
    if (!out || !atomic_load(&mt_hup))
        return;
    pthread_mutex_lock(&out->mu);
    if (atomic_exchange(&mt_hup, 0))
        reopen_moved(out);
    pthread_mutex_unlock(&out->mu);
}

int mt_outputs_packet(struct mt_outputs *out, struct mt_out_entry *e, const struct mdec_result *r,
                      int dir, int64_t sec, uint32_t nsec)
{
    if (!e)
        return 0;
    mt_outputs_tick(out);
    if (!r->has_inner)
        return 0; /* nothing inside to deliver */
    const uint8_t *data = r->frame + r->inner.off;
    const uint32_t cap = r->inner.cap_len;
    if (cap == 0)
        return 0;
    if (out->has_stream || out->o->write_dir) {
        pthread_mutex_lock(&out->mu);
        if (out->has_stream)
            write_stream(out, e, r, dir, sec, nsec);
        if (out->o->write_dir)
            write_pcap(out, e, r, dir, sec, nsec);
        pthread_mutex_unlock(&out->mu);
    }
    int fd = out->tap_fd;
    if (out->o->tap && out->o->tap_per_session) {
        fd = e->tap_fd;
        if (fd < 0)
            atomic_fetch_add(&out->tap_no_device, 1);
    }
    if (fd >= 0 && mt_tap_write(fd, data, cap, r->inner.ethernet, r->inner.ethertype) != 0) {
        /* A frame the device refuses (shorter than an Ethernet header, or
         * too long) is counted, not fatal: the sensor keeps running. */
        const int err = errno;
        if (atomic_fetch_add(&out->tap_skipped, 1) == 0)
            mt_msg("TAP device: a frame of %u bytes was not taken: %s (counted; further ones "
                   "silently)",
                   cap, strerror(err));
    }
    return 0;
}

int mt_outputs_finish(struct mt_outputs *out)
{
    if (!out)
        return 0;
    pthread_mutex_lock(&out->mu);
    while (out->lru_head)
        file_close(out, out->lru_head);
    if (out->has_stream) {
        /* A classic pcap file that got no packet: an empty one of Ethernet. */
        if (!out->stream.created && !out->stream.broken && out->stream_files == 0) {
            stream_rotate(out, (int64_t)time(NULL));
            (void)stream_open(out, LINKTYPE_ETHERNET);
        }
        if (mt_pcapw_suspend(&out->stream) != 0)
            stream_report(out);
    }
    const int rc = out->failed ? -1 : 0;
    pthread_mutex_unlock(&out->mu);
    return rc;
}

void mt_outputs_free(struct mt_outputs *out)
{
    if (!out)
        return;
    (void)mt_outputs_finish(out);
    for (size_t i = 0; i < out->n; i++) {
        struct mt_out_entry *e = out->e[i];
        for (int k = 0; k < 2; k++)
            if (e->f[k].used)
                (void)mt_pcapw_close(&e->f[k].w);
        mt_tap_close(e->tap_fd);
        free(e);
    }
    if (out->has_stream)
        (void)mt_pcapw_close(&out->stream);
    for (unsigned i = 0; i < out->n_ring; i++)
        free(out->ring[i]);
    free(out->ring);
    for (size_t i = 0; i < out->n_names; i++)
        free(out->names[i]);
    free(out->names);
    mt_tap_close(out->tap_fd);
    free(out->e);
    pthread_mutex_destroy(&out->mu);
    free(out);
}

/* ------------------------------------------------------------ statistics */

int mt_outputs_session(const struct mt_outputs *out, const struct mdec_key *key,
                       struct mt_out_session *st)
{
    memset(st, 0, sizeof *st);
    const struct mt_out_entry *e = out ? find_entry(out, key) : NULL;
    if (!e)
        return -1;
    for (int k = 0; k < 2; k++) {
        const struct mt_out_file *f = &e->f[k];
        if (!f->used)
            continue;
        st->written += f->w.records;
        st->lost += f->w.lost;
        if (f->w.created) {
            const char *slash = strrchr(f->w.path, '/');
            st->files[st->n_files++] = slash ? slash + 1 : f->w.path;
        }
    }
    st->lost += e->lost_open + e->lost_ts;
    st->tap = e->tap == TAP_OPEN ? e->tap_name : NULL;
    st->no_tap = e->tap == TAP_PAST_CAP || e->tap == TAP_FAILED;
    return 0;
}

void mt_outputs_stats(const struct mt_outputs *out, struct mt_out_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!out)
        return;
    st->budget = out->budget;
    st->files_max = out->files_max;
    st->files_created = out->files_created;
    st->evictions = out->evictions;
    for (size_t i = 0; i < out->n; i++) {
        const struct mt_out_entry *e = out->e[i];
        for (int k = 0; k < 2; k++) {
            const struct mt_pcapw *w = &e->f[k].w;
            if (!e->f[k].used)
                continue;
            st->written += w->records;
            st->lost_io += w->lost;
            st->io_errors += w->io_errors;
            st->reopens += w->reopens;
        }
        st->lost_open += e->lost_open;
        st->lost_ts += e->lost_ts;
    }
    if (out->has_stream) {
        st->stream_path = out->stream.path;
        st->stream_files = out->stream_files;
        st->stream_written = out->stream.records;
        st->stream_lost = out->stream.lost + out->stream_lost_link + out->stream_lost_ts +
                          out->stream_lost_open;
        st->stream_lost_link = out->stream_lost_link;
        st->stream_epipe = out->epipe;
    }
    st->tap_max = out->tap_max;
    st->tap_devices = out->next_tap;
    st->tap_past_cap = out->tap_past_cap;
    st->tap_failed = out->tap_failed;
    st->tap_no_device = (uint64_t)atomic_load(&out->tap_no_device);
    st->tap_skipped = (uint64_t)atomic_load(&out->tap_skipped);
}
