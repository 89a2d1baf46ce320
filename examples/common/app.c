/*
 * app.c - what every tool does with a decoded packet.
 *
 *   1. mdec_table_process(): session (without --session, or with
 *      --learn-from, a packet whose key has no session yet adds one:
 *      MDEC_UNKNOWN_LEARN, with the --filter / --aws-filter-json filter and
 *      the --learn-from prefixes as the template, named by its key and
 *      "untunneled" for frames without a tunnel), forged-source check,
 *      direction, filter, counters.  The table holds the --session sessions,
 *      added first (a table never evicts, so learning cannot displace them),
 *      and --max-sessions more for learning;
 *   2. --inner-bpf on accepted packets (a rejection counts as filtered);
 *   3. --dedup on accepted packets: a copy of a packet the worker's window
 *      saw from another mirror point gets the verdict "duplicate" (counted
 *      in its session's duplicates) and goes to no pcap nor TAP device;
 *   4. outputs: a JSON line, the session's pcap file, the TAP device;
 *   5. --report: the worker's flow tracker (capture loss and visibility per
 *      session) takes every packet still accepted, with its timestamp.
 *
 * Standard output is written with write(2) from a buffer of whole lines: a
 * signal that interrupts a blocked write (EINTR) is retried, so SIGINT and
 * SIGTERM stop the program cleanly with everything written; a second
 * signal gives up on a reader that does not read.  A reader that went away
 * (EPIPE: mirrordec --json | head) ends the run quietly, with exit 0.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define OUT_BUF (64u << 10) /* standard output is written in pieces this large */

/* ------------------------------------------------------------ the filter */

static int parse_filter_file(struct mdec_filter *f, const char *opt, const char *path,
                             const char *id, int aws, char **text, size_t len)
{
    struct mdec_parse_error pe;
    memset(&pe, 0, sizeof pe);
    int rc = aws ? mdec_filter_parse_aws_json(f, *text, len, id, &pe)
                 : mdec_filter_parse(f, *text, len, &pe);
    if (rc == 0 || rc == MDEC_E_NOSPACE)
        return rc;
    if (pe.line)
        fprintf(stderr, "%s:%u:%u: %s\n", path, pe.line, pe.column, pe.message);
    else
        fprintf(stderr, "%s: %s\n", path, pe.message[0] ? pe.message : mdec_strerror(rc));
    const char *p = *text;
    while (p < *text + len && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    mt_msg("%s '%s': the rules were not loaded%s", opt, path,
           !aws && p < *text + len && *p == '{'
               ? " (AWS JSON is read by --aws-filter-json)"
               : "");
    return rc;
}

/* Loads every rule file into one filter, growing it until the rules fit. */
static int build_filter(struct mt_app *app)
{
    const struct mt_opts *o = app->o;
    const size_t nfiles = o->n_filter_files + o->n_aws_files;
    if (nfiles == 0)
        return 0;
    char **text = mt_xcalloc(nfiles, sizeof *text);
    size_t *len = mt_xcalloc(nfiles, sizeof *len);
    int rc = 0;
    for (size_t i = 0; i < nfiles && rc == 0; i++) {
        const int aws = i >= o->n_filter_files;
        const char *path = aws ? o->aws_files[i - o->n_filter_files] : o->filter_files[i];
        text[i] = mt_read_file(path, &len[i]);
        if (!text[i]) {
            mt_msg("%s '%s': cannot read: %s", aws ? "--aws-filter-json" : "--filter", path,
                   strerror(errno));
            rc = MT_EXIT_RUNTIME;
        }
    }
    for (uint32_t cap = 64; rc == 0; cap = cap > 16383 ? 65532 : cap * 4) {
        const size_t size = mdec_filter_size(cap);
        app->filter_mem = mt_xaligned(MDEC_FILTER_ALIGN, size);
        app->filter = mdec_filter_init(app->filter_mem, size, cap);
        int prc = 0;
        for (size_t i = 0; i < nfiles && prc == 0; i++) {
            const int aws = i >= o->n_filter_files;
            const char *path = aws ? o->aws_files[i - o->n_filter_files] : o->filter_files[i];
            prc = parse_filter_file(app->filter, aws ? "--aws-filter-json" : "--filter", path,
                                    o->aws_filter_id, aws, &text[i], len[i]);
        }
        if (prc == 0)
            break;
        free(app->filter_mem);
        app->filter_mem = NULL;
        app->filter = NULL;
        if (prc == MDEC_E_NOSPACE && cap == 65532)
            mt_msg("the rule files hold more than %u rules, the most a filter takes", cap);
        if (prc != MDEC_E_NOSPACE || cap == 65532)
            rc = MT_EXIT_USAGE;
    }
    for (size_t i = 0; i < nfiles; i++)
        free(text[i]);
    free(text);
    free(len);
    return rc;
}

/* ---------------------------------------------------------- --report */

/* A flow tracker for worker w: as many session indexes as its table has
 * (capacity + 1, the default session's included), its hash keyed at
 * random so that no sender can aim its flows at one bucket. */
static int init_flows(struct mt_app *app, struct mt_worker *w, uint32_t table_cap)
{
    struct mdec_hash_key key;
    if (getrandom(&key, sizeof key, 0) != (ssize_t)sizeof key) {
        mt_msg("--report: no random key: %s", strerror(errno));
        return -1;
    }
    const uint32_t n = app->o->report_flows;
    const size_t size = mdec_flows_size(n, table_cap + 1);
    w->flows_mem = mt_xaligned(MDEC_FLOWS_ALIGN, size);
    w->flows = mdec_flows_init(w->flows_mem, size, n, table_cap + 1,
                               (uint64_t)MT_REPORT_IDLE_S * MDEC_NS_PER_S, &key);
    if (!w->flows) {
        mt_msg("cannot build a flow tracker of %u flows", n);
        return -1;
    }
    return 0;
}

/* -------------------------------------------------------------- workers */

/* --dedup: the worker's window, keyed by a secret of its own, so that no
 * sender can aim packets at one bucket or pass one off as a copy. */
static int init_dedup(struct mt_worker *w)
{
    const struct mt_opts *o = w->app->o;
    struct mdec_hash_key key;
    if (getrandom(&key, sizeof key, 0) != (ssize_t)sizeof key) {
        mt_msg("--dedup: no random key: %s", strerror(errno));
        return -1;
    }
    const size_t size = mdec_dedup_size(o->dedup_entries);
    w->dedup_mem = mt_xaligned(MDEC_DEDUP_ALIGN, size);
    w->dedup = mdec_dedup_init(w->dedup_mem, size, o->dedup_entries, o->dedup_window_ns, &key);
    if (!w->dedup) {
        mt_msg("--dedup: cannot build a window of %u entries", o->dedup_entries);
        return -1;
    }
    return 0;
}

static int init_worker(struct mt_app *app, struct mt_worker *w, unsigned id)
{
    const struct mt_opts *o = app->o;
    w->app = app;
    w->id = id;
    const uint32_t cap = (uint32_t)o->n_sessions + (o->learn ? o->max_sessions : 0);
    const size_t size = mdec_table_size(cap);
    struct mdec_table_config tc = {
        .unknown = o->learn ? MDEC_UNKNOWN_LEARN : MDEC_UNKNOWN_DROP,
        .learn_filter = app->filter,
        .learn_allow = o->learn_allow,
        .n_learn_allow = o->n_learn_allow};
    w->table_mem = mt_xaligned(MDEC_TABLE_ALIGN, size);
    w->table = mdec_table_init(w->table_mem, size, cap, &tc);
    if (!w->table) {
        mt_msg("cannot build a session table of %u sessions", cap);
        return -1;
    }
    if (o->report && init_flows(app, w, cap) != 0)
        return -1;
    if (o->dedup && init_dedup(w) != 0)
        return -1;
    for (size_t i = 0; i < o->n_sessions; i++) {
        const struct mt_session_arg *a = &o->sessions[i];
        struct mdec_session *s;
        int err = mdec_table_add(w->table, &a->key, &s);
        if (err == 0)
            err = mdec_session_set_allow(w->table, s, a->allow, a->n_allow);
        if (err == 0)
            err = mdec_session_set_filter(w->table, s, app->filter);
        if (err == 0)
            err = mdec_session_set_name(w->table, s, a->name);
        if (err != 0) {
            mt_msg("--session '%s': %s", a->text, mdec_strerror(err));
            return -1;
        }
    }
    return 0;
}

int mt_app_init(struct mt_app *app, const struct mt_opts *o, unsigned n_workers, int nano)
{
    memset(app, 0, sizeof *app);
    app->o = o;
    app->cfg = &o->cfg;
    app->n_workers = n_workers;
    app->threaded = n_workers > 1;
    app->nano = nano;
    pthread_mutex_init(&app->out_lock, NULL);
    mt_signals_install(NULL);

    int rc = build_filter(app);
    if (rc)
        return rc;
    if (o->inner_bpf && !(app->bpf = mt_bpf_compile(o->inner_bpf)))
        return MT_EXIT_USAGE;
    app->workers = mt_xcalloc(n_workers, sizeof *app->workers);
    for (unsigned i = 0; i < n_workers; i++)
        if (init_worker(app, &app->workers[i], i) != 0)
            return MT_EXIT_USAGE;
    if (o->write_file || o->write_dir || o->tap) {
        app->out = mt_outputs_new(o, nano);
        if (!app->out || mt_outputs_configured(app->out) != 0)
            return MT_EXIT_RUNTIME;
    }
    app->ready = 1;
    return 0;
}

/* ---------------------------------------------------------- per packet */

/* Writes the buffered lines to standard output; called with out_lock held
 * when threaded.  0, or -1 with errno. */
static int out_drain(struct mt_app *app)
{
    size_t done = 0;
    int rc = 0;
    while (done < app->obuf.len) {
        if (mt_signals >= 2) {
            /* A second signal: give up on the reader.  Checked before each
             * write, for an interrupted write that had written part of its
             * bytes returns that part rather than EINTR. */
            errno = ECANCELED;
            rc = -1;
            break;
        }
        const ssize_t k = write(STDOUT_FILENO, app->obuf.p + done, app->obuf.len - done);
        if (k > 0) {
            done += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR && mt_signals < 2)
            continue; /* a signal: mt_stop is set, and stopping writes everything */
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && mt_signals < 2) {
            struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};
            (void)poll(&p, 1, 1000);
            continue;
        }
        if (k == 0)
            errno = EIO;
        else if (errno == EINTR)
            errno = ECANCELED; /* a second signal: give up on the reader */
        rc = -1;
        break;
    }
    const int e = errno;
    app->obuf.len = 0;
    errno = e;
    return rc;
}

static void out_failed(struct mt_app *app, int e)
{
    if (e == EPIPE) {
        /* The reader went away (| head): stop quietly, as tcpdump does. */
        app->stdout_failed = 1;
        mt_stop = 1;
        return;
    }
    if (atomic_exchange(&app->failed, 1) == 0 || !app->stdout_failed) {
        app->stdout_failed = 1;
        mt_msg("standard output: %s", e == ECANCELED ? "output abandoned after a second signal"
                                                     : strerror(e ? e : EIO));
    }
    mt_stop = 1;
}

static void write_line(struct mt_worker *w)
{
    struct mt_app *app = w->app;
    if (app->threaded)
        pthread_mutex_lock(&app->out_lock);
    int bad = 0, e = 0;
    if (!app->stdout_failed) {
        mt_buf_put(&app->obuf, w->line.p, w->line.len);
        if (app->obuf.len >= OUT_BUF && out_drain(app) != 0) {
            bad = 1;
            e = errno;
        }
    }
    if (bad)
        out_failed(app, e);
    if (app->threaded)
        pthread_mutex_unlock(&app->out_lock);
}

/* Everything after the session table: a learned untunneled session's name,
 * --inner-bpf, --dedup, then the outputs.  Returns the packet's final
 * verdict: an accepted one goes on to --report's tracker. */
static enum mdec_verdict after_table(struct mt_worker *w, const struct mt_frame *fr,
                        const struct mdec_result *r, struct mdec_match *m, enum mdec_verdict v)
{
    struct mt_app *app = w->app;
    if (m->session && m->key.kind == MDEC_KEY_NONE && strcmp(m->session->name, "none") == 0)
        (void)mdec_session_set_name(w->table, m->session, "untunneled"); /* learned: not "none" */
    if (v == MDEC_VERDICT_ACCEPT && !m->session)
        v = MDEC_VERDICT_UNKNOWN_SESSION; /* not reached: ACCEPT names a session */
    if (v == MDEC_VERDICT_ACCEPT && app->bpf && !mt_bpf_match(app->bpf, r)) {
        v = MDEC_VERDICT_REJECT;
        m->session->counters.filtered++;
        w->bpf_rejected++;
    }
    if (v == MDEC_VERDICT_ACCEPT && w->dedup) {
        const uint64_t ns = (uint64_t)fr->sec * 1000000000u + fr->nsec;
        const uint64_t scope = app->o->dedup_per_session ? (uint64_t)m->index + 1 : 0;
        v = mdec_dedup_check(w->dedup, r, ns, scope, &m->session->counters);
    }
    if (app->o->json) {
        w->line.len = 0;
        mt_json_packet(&w->line, fr, r, m, v, app->nano, app->threaded ? (int)w->id : -1,
                       app->o);
        mt_buf_putc(&w->line, '\n');
        write_line(w);
    }
    if (v == MDEC_VERDICT_ACCEPT && app->out) {
        struct mdec_session *s = m->session;
        if (!s->user)
            s->user = mt_outputs_entry(app->out, s);
        (void)mt_outputs_packet(app->out, s->user, r, m->direction, fr->sec, fr->nsec);
    }
    return v;
}

/* A frame's time in nanoseconds for the tracker (0 before the epoch). */
static uint64_t frame_ns(const struct mt_frame *fr)
{
    return (uint64_t)(fr->sec > 0 ? fr->sec : 0) * MDEC_NS_PER_S + fr->nsec;
}

static void count_status(struct mt_worker *w, const struct mdec_result *r)
{
    w->frames++;
    if (r->status < 5)
        w->by_status[r->status]++;
}

void mt_app_packet(struct mt_worker *w, const struct mt_frame *fr, const struct mdec_result *r)
{
    count_status(w, r);
    struct mdec_match m;
    const enum mdec_verdict v = after_table(w, fr, r, &m, mdec_table_process(w->table, r, &m));
    if (v == MDEC_VERDICT_ACCEPT && w->flows) /* what goes on to the sensor */
        (void)mdec_flows_packet(w->flows, r, m.index, frame_ns(fr));
}

/* --report: the burst's accepted packets into the tracker in one call, the
 * others passed over (MDEC_FLOWS_SKIP), 64 at a time. */
#define TRACK_CHUNK 64

void mt_app_burst(struct mt_worker *w, const struct mt_frame *fr, const struct mdec_result *r,
                  size_t n, struct mdec_match *m)
{
    for (size_t i = 0; i < n; i++)
        count_status(w, &r[i]);
    (void)mdec_table_process_burst(w->table, r, n, m);
    for (size_t at = 0; at < n; at += TRACK_CHUNK) {
        const size_t k = n - at < TRACK_CHUNK ? n - at : TRACK_CHUNK;
        uint32_t session[TRACK_CHUNK];
        uint64_t ts[TRACK_CHUNK];
        for (size_t i = at; i < at + k; i++) {
            const enum mdec_verdict v =
                after_table(w, &fr[i], &r[i], &m[i], (enum mdec_verdict)m[i].verdict);
            session[i - at] = v == MDEC_VERDICT_ACCEPT ? m[i].index : MDEC_FLOWS_SKIP;
            ts[i - at] = frame_ns(&fr[i]);
        }
        if (w->flows)
            (void)mdec_flows_packet_burst(w->flows, r + at, session, ts, k);
    }
}

uint64_t mt_app_next_index(struct mt_app *app)
{
    const uint64_t n = (uint64_t)atomic_fetch_add(&app->frames_total, 1) + 1;
    if (app->o->count && n >= app->o->count) {
        mt_stop = 1;
        if (n > app->o->count)
            return 0;
    }
    return n;
}

void mt_app_flush(struct mt_app *app)
{
    mt_outputs_tick(app->out); /* SIGHUP: new files even when no packet comes */
    if (app->live)
        mt_outputs_flush(app->out);
    if (!app->o->json)
        return;
    if (app->threaded)
        pthread_mutex_lock(&app->out_lock);
    if (!app->stdout_failed && app->obuf.len && out_drain(app) != 0)
        out_failed(app, errno);
    if (app->threaded)
        pthread_mutex_unlock(&app->out_lock);
}

int mt_app_finish(struct mt_app *app, int rc)
{
    const struct mt_opts *o = app->o;
    if (app->ready) {
        mt_app_flush(app);
        /* Files first: the summary says what they hold. */
        if (mt_outputs_finish(app->out) != 0)
            atomic_store(&app->failed, 1);
        struct mt_stats *st = mt_stats_collect(app);
        if (!o->quiet)
            mt_stats_print(st, app, stderr);
        if (o->stats_json && mt_stats_write_json(st, app, o->stats_json) != 0)
            atomic_store(&app->failed, 1);
        mt_stats_free(st);
    }
    mt_outputs_free(app->out);
    app->out = NULL;
    for (unsigned i = 0; app->workers && i < app->n_workers; i++) {
        free(app->workers[i].table_mem);
        free(app->workers[i].flows_mem);
        free(app->workers[i].dedup_mem);
        mt_buf_free(&app->workers[i].line);
    }
    free(app->workers);
    free(app->filter_mem);
    mt_bpf_free(app->bpf);
    mt_buf_free(&app->extra);
    mt_buf_free(&app->extra_json);
    mt_buf_free(&app->obuf);
    pthread_mutex_destroy(&app->out_lock);
    if (rc == 0 && atomic_load(&app->failed))
        rc = MT_EXIT_RUNTIME;
    return rc;
}
