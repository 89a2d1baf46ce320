/*
 * outputs.c - where accepted inner packets go, per session: a pcap file in
 * the -w directory, a TAP device (mirrordec-tap), or both.
 *
 * Entries are keyed by session key and shared by every worker (each worker
 * has its own session table, whose sessions point here through their user
 * pointer), so one session has one file even when several threads see it.
 * A mutex guards the registry and the files; TAP writes need none (each
 * write() is one frame).
 *
 * File names: the session's name made safe (mt_safe_name) plus ".pcap".  The
 * sessions of --session get theirs first, at start, in the order given.  A
 * pcap file has one link type: Ethernet (LINKTYPE_ETHERNET, 1) or bare IP
 * (LINKTYPE_RAW, 101); a session that delivers both kinds gets a second file
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
 * budget with -w, all of it without, and never more than 256; sessions past
 * the cap get no device and their frames are counted.  Pcap files share the
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
            mt_msg("-w '%s': cannot create the directory: %s", o->write_dir, strerror(errno));
            goto fail;
        }
        if (stat(o->write_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            mt_msg("-w '%s': not a directory", o->write_dir);
            goto fail;
        }
        if (access(o->write_dir, W_OK | X_OK) != 0) {
            mt_msg("-w '%s': cannot write there: %s", o->write_dir, strerror(errno));
            goto fail;
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
        snprintf(path, sizeof path, "%s/%s.pcap", out->o->write_dir, name);
        mt_pcapw_init(&f->w, path, linktype, out->nano);
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
                       int64_t sec, uint32_t nsec)
{
    const uint8_t *data = r->frame + r->inner.off;
    if (sec < 0 || sec > (int64_t)UINT32_MAX) {
        e->lost_ts++;
        out->failed = 1;
        if (!out->warned_ts) {
            out->warned_ts = 1;
            mt_msg("session %s: a packet's timestamp (%lld s) is outside what a pcap file holds "
                   "(0 to 2^32-1 s): not written (counted; further ones silently)",
                   e->name, (long long)sec);
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
    const int rc = mt_pcapw_write(&f->w, sec, nsec, data, r->inner.cap_len, r->inner.wire_len);
    if (rc != MT_PCAPW_OK)
        out->failed = 1;
    report_io(out, f);
}

int mt_outputs_packet(struct mt_outputs *out, struct mt_out_entry *e, const struct mdec_result *r,
                      int64_t sec, uint32_t nsec)
{
    if (!e)
        return 0;
    if (!r->has_inner)
        return 0; /* nothing inside to deliver */
    const uint8_t *data = r->frame + r->inner.off;
    const uint32_t cap = r->inner.cap_len;
    if (cap == 0)
        return 0;
    if (out->o->write_dir) {
        pthread_mutex_lock(&out->mu);
        write_pcap(out, e, r, sec, nsec);
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
    st->tap_max = out->tap_max;
    st->tap_devices = out->next_tap;
    st->tap_past_cap = out->tap_past_cap;
    st->tap_failed = out->tap_failed;
    st->tap_no_device = (uint64_t)atomic_load(&out->tap_no_device);
    st->tap_skipped = (uint64_t)atomic_load(&out->tap_skipped);
}
