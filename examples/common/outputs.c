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
 * File names: the session's name made safe (mt_safe_name) plus ".pcap";
 * when two names become the same, "-2", "-3" ... are appended.  A pcap file
 * has one link type: Ethernet (LINKTYPE_ETHERNET, 1) or bare IP
 * (LINKTYPE_RAW, 101).  A session that delivers both kinds gets a second
 * file for the kind that came second: NAME-raw.pcap or NAME-ether.pcap.
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

struct mt_out_entry {
    struct mdec_key key;
    char name[MDEC_NAME_MAX];
    char base[MDEC_NAME_MAX + 8];
    struct mt_pcapw pcap[2];
    int tap_fd;
    char tap_name[16];
};

struct mt_outputs {
    pthread_mutex_t mu;
    const struct mt_opts *o;
    int nano;
    struct mt_out_entry **e;
    size_t n, cap;
    int tap_fd;          /* the single TAP device, or -1 */
    unsigned next_tap;   /* per-session TAP devices created */
    atomic_uint_fast64_t tap_skipped; /* frames a TAP could not take */
    int tap_warned;
    int failed;          /* a pcap write failed */
};

static int same_key(const struct mdec_key *a, const struct mdec_key *b)
{
    return a->kind == b->kind && a->has_id == b->has_id && a->id == b->id;
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
    return out;
fail:
    pthread_mutex_destroy(&out->mu);
    free(out);
    return NULL;
}

/* Creates the entry; called with the lock held.  NULL when a per-session
 * TAP device cannot be created. */
static struct mt_out_entry *new_entry(struct mt_outputs *out, const struct mdec_key *key,
                                      const char *name)
{
    struct mt_out_entry *e = mt_xcalloc(1, sizeof *e);
    e->key = *key;
    snprintf(e->name, sizeof e->name, "%s", name);
    e->tap_fd = -1;
    char safe[MDEC_NAME_MAX];
    mt_safe_name(name, safe, sizeof safe);
    snprintf(e->base, sizeof e->base, "%s", safe);
    for (unsigned k = 2;; k++) {
        size_t i = 0;
        while (i < out->n && strcmp(out->e[i]->base, e->base) != 0)
            i++;
        if (i == out->n)
            break;
        snprintf(e->base, sizeof e->base, "%s-%u", safe, k);
    }
    if (out->o->tap && out->o->tap_per_session) {
        char err[200];
        snprintf(e->tap_name, sizeof e->tap_name, "%s%u", out->o->tap, out->next_tap + 1);
        e->tap_fd = mt_tap_open(e->tap_name, err, sizeof err);
        if (e->tap_fd < 0) {
            mt_msg("session %s: %s", name, err);
            free(e);
            return NULL;
        }
        out->next_tap++;
        mt_msg("session %s -> TAP device %s", name, e->tap_name);
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

static struct mt_out_entry *entry_for(struct mt_outputs *out, const struct mdec_key *key,
                                      const char *name)
{
    pthread_mutex_lock(&out->mu);
    struct mt_out_entry *e = NULL;
    for (size_t i = 0; i < out->n && !e; i++)
        if (same_key(&out->e[i]->key, key))
            e = out->e[i];
    if (!e)
        e = new_entry(out, key, name);
    pthread_mutex_unlock(&out->mu);
    return e;
}

struct mt_out_entry *mt_outputs_entry(struct mt_outputs *out, const struct mdec_session *s)
{
    return entry_for(out, &s->key, s->name);
}

int mt_outputs_open_taps(struct mt_outputs *out)
{
    const struct mt_opts *o = out->o;
    if (!o->tap || !o->tap_per_session)
        return 0;
    for (size_t i = 0; i < o->n_sessions; i++)
        if (!entry_for(out, &o->sessions[i].key, o->sessions[i].name))
            return -1;
    return 0;
}

/* The pcap writer of this link type for e, opened on first use; called
 * with the lock held.  NULL after an error (reported here). */
static struct mt_pcapw *writer(struct mt_outputs *out, struct mt_out_entry *e, int linktype)
{
    struct mt_pcapw *w = &e->pcap[0];
    if (w->f && w->linktype != linktype)
        w = &e->pcap[1];
    if (w->failed)
        return NULL;
    if (w->f)
        return w;
    char path[4096];
    const char *suffix = w == &e->pcap[0] ? "" : linktype == LINKTYPE_RAW ? "-raw" : "-ether";
    snprintf(path, sizeof path, "%s/%s%s.pcap", out->o->write_dir, e->base, suffix);
    if (mt_pcapw_open(w, path, linktype, out->nano) != 0) {
        const int err = errno;
        mt_msg("%s: cannot write: %s%s", path, strerror(err),
               err == EMFILE ? " (one file per session: raise 'ulimit -n', or name the sessions "
                             "to keep with --session)"
                           : "");
        w->failed = 1;
        return NULL;
    }
    return w;
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
    int rc = 0;
    if (out->o->write_dir) {
        pthread_mutex_lock(&out->mu);
        struct mt_pcapw *w = writer(out, e, r->inner.ethernet ? LINKTYPE_ETHERNET : LINKTYPE_RAW);
        if (!w) {
            rc = -1;
        } else if (mt_pcapw_write(w, sec, nsec, data, cap, r->inner.wire_len) != 0) {
            mt_msg("%s: write error: %s", w->path, strerror(w->err));
            rc = -1;
        }
        if (rc)
            out->failed = 1;
        pthread_mutex_unlock(&out->mu);
    }
    const int fd = e->tap_fd >= 0 ? e->tap_fd : out->tap_fd;
    if (fd >= 0 && mt_tap_write(fd, data, cap, r->inner.ethernet, r->inner.ethertype) != 0) {
        /* A frame the device refuses (shorter than an Ethernet header, or
         * too long) is counted, not fatal: the sensor keeps running. */
        const int err = errno;
        if (atomic_fetch_add(&out->tap_skipped, 1) == 0)
            mt_msg("TAP device: a frame of %u bytes was not taken: %s (counted; further ones "
                   "silently)",
                   cap, strerror(err));
    }
    return rc;
}

uint64_t mt_outputs_tap_skipped(const struct mt_outputs *out)
{
    return out ? (uint64_t)atomic_load(&out->tap_skipped) : 0;
}

int mt_outputs_close(struct mt_outputs *out)
{
    if (!out)
        return 0;
    int rc = out->failed ? -1 : 0;
    for (size_t i = 0; i < out->n; i++) {
        struct mt_out_entry *e = out->e[i];
        for (int k = 0; k < 2; k++) {
            struct mt_pcapw *w = &e->pcap[k];
            const int failed_before = w->failed;
            if (w->path && mt_pcapw_close(w) != 0) {
                if (!failed_before)
                    mt_msg("%s: write error: %s", w->path, strerror(w->err));
                rc = -1;
            }
            free(w->path);
        }
        mt_tap_close(e->tap_fd);
        free(e);
    }
    mt_tap_close(out->tap_fd);
    free(out->e);
    pthread_mutex_destroy(&out->mu);
    free(out);
    return rc;
}
