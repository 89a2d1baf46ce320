/*
 * stats.c - the per-session summary: a table on stderr, JSON for machines.
 *
 * Each worker has its own session table; the summary adds up the sessions
 * of every worker that share a key.  With --report, each worker's flow
 * tracker adds the session's health counters the same way, and a second
 * table shows them.  Sessions appear in slot order, which
 * is the order of --session, then the order in which sessions were learned.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct row {
    struct mdec_key key;
    char name[MDEC_NAME_MAX];
    char keytext[32];
    struct mdec_counters c;
    struct mdec_health h;      /* --report: summed over the workers */
    struct mt_out_session out; /* what its files and device hold */
};

struct mt_stats {
    struct row *rows;
    size_t n;
    uint64_t frames, by_status[5];
    uint64_t unknown_dropped, learned, learn_full, learn_forged, learn_invalid, bpf_rejected,
        steered;
    struct mdec_dedup_stats dedup; /* --dedup, summed over the workers */
    struct mt_out_stats out;
    struct mdec_flows_stats flows; /* --report: summed over the workers */
};

static void add_counters(struct mdec_counters *a, const struct mdec_counters *b)
{
    a->packets += b->packets;
    a->bytes_wire += b->bytes_wire;
    a->bytes_cap += b->bytes_cap;
    a->truncated += b->truncated;
    a->malformed += b->malformed;
    a->filtered += b->filtered;
    a->forged += b->forged;
    a->duplicates += b->duplicates;
}

struct mt_stats *mt_stats_collect(const struct mt_app *app)
{
    struct mt_stats *st = mt_xcalloc(1, sizeof *st);
    size_t cap = 0;
    for (unsigned wi = 0; wi < app->n_workers; wi++) {
        const struct mt_worker *w = &app->workers[wi];
        st->frames += w->frames;
        for (int i = 0; i < 5; i++)
            st->by_status[i] += w->by_status[i];
        st->unknown_dropped += mdec_table_get_stats(w->table)->dropped;
        st->learned += mdec_table_get_stats(w->table)->learned;
        st->learn_full += mdec_table_get_stats(w->table)->learn_full;
        st->learn_forged += mdec_table_get_stats(w->table)->learn_forged;
        st->learn_invalid += mdec_table_get_stats(w->table)->learn_invalid;
        st->bpf_rejected += w->bpf_rejected;
        st->steered += w->steered_out;
        if (w->flows) {
            const struct mdec_flows_stats *fs = mdec_flows_get_stats(w->flows);
            st->flows.capacity += fs->capacity;
            st->flows.active += fs->active;
            st->flows.created += fs->created;
            st->flows.expired += fs->expired;
            st->flows.evicted += fs->evicted;
        }
        if (w->dedup) {
            const struct mdec_dedup_stats *d = mdec_dedup_get_stats(w->dedup);
            st->dedup.checked += d->checked;
            st->dedup.copies += d->copies;
            st->dedup.unjudged += d->unjudged;
            st->dedup.repeats += d->repeats;
            st->dedup.expired += d->expired;
            st->dedup.evicted += d->evicted;
        }
        for (const struct mdec_session *s = mdec_table_next(w->table, NULL); s;
             s = mdec_table_next(w->table, s)) {
            size_t i = 0;
            while (i < st->n && !(st->rows[i].key.kind == s->key.kind &&
                                  st->rows[i].key.has_id == s->key.has_id &&
                                  st->rows[i].key.id == s->key.id))
                i++;
            if (i == st->n) {
                if (st->n == cap) {
                    cap = cap ? 2 * cap : 16;
                    struct row *p = realloc(st->rows, cap * sizeof *p);
                    if (!p) {
                        mt_msg("out of memory");
                        exit(MT_EXIT_RUNTIME);
                    }
                    st->rows = p;
                }
                memset(&st->rows[i], 0, sizeof st->rows[i]);
                st->rows[i].key = s->key;
                snprintf(st->rows[i].name, sizeof st->rows[i].name, "%s", s->name);
                (void)mdec_key_format(&s->key, st->rows[i].keytext, sizeof st->rows[i].keytext);
                st->n++;
            }
            add_counters(&st->rows[i].c, &s->counters);
            if (w->flows)
                mdec_health_add(&st->rows[i].h, mdec_flows_counters(w->flows, s->index));
        }
    }
    for (size_t i = 0; i < st->n; i++)
        (void)mt_outputs_session(app->out, &st->rows[i].key, &st->rows[i].out);
    mt_outputs_stats(app->out, &st->out);
    return st;
}

void mt_stats_free(struct mt_stats *s)
{
    if (s)
        free(s->rows);
    free(s);
}

static int width(const char *s, int min)
{
    const int n = (int)strlen(s);
    return n > min ? n : min;
}

/* The loss column: the estimate, or why there is none. */
static void loss_cell(char *buf, size_t size, const struct mdec_health_summary *h)
{
    if (h->evidence == MDEC_LOSS_ACKS)
        snprintf(buf, size, "%.2f%%", h->loss_percent);
    else
        snprintf(buf, size, "%s", h->evidence == MDEC_LOSS_ONE_WAY ? "one-way" : "no-tcp");
}

static void share_cell(char *buf, size_t size, const struct mdec_health_summary *h, int vis)
{
    if (h->payload_bytes)
        snprintf(buf, size, "%.1f%%", h->vis_percent[vis]);
    else
        snprintf(buf, size, "-");
}

/* --report: the health table, one row per session and the total. */
static void print_health(const struct mt_stats *s, FILE *f, int wn)
{
    fprintf(f, "\nmirror health (--report)\n%-*s  %9s %12s %10s %10s %8s %8s %8s %8s %8s %8s\n",
            wn, "session", "packets", "bytes", "duplicates", "truncated", "loss", "acks",
            "inspect", "encrypt", "cut", "unknown");
    struct mdec_counters total;
    struct mdec_health htotal;
    memset(&total, 0, sizeof total);
    memset(&htotal, 0, sizeof htotal);
    for (size_t i = 0; i <= s->n; i++) {
        const struct row *r = i < s->n ? &s->rows[i] : NULL;
        if (!r && s->n < 2)
            break;
        const struct mdec_counters *c = r ? &r->c : &total;
        const struct mdec_health *h = r ? &r->h : &htotal;
        if (r) {
            add_counters(&total, &r->c);
            mdec_health_add(&htotal, &r->h);
        }
        struct mdec_health_summary sum;
        mdec_health_summarize(h, &sum);
        char loss[16], v[4][16];
        loss_cell(loss, sizeof loss, &sum);
        for (int k = 0; k < 4; k++)
            share_cell(v[k], sizeof v[k], &sum, k);
        fprintf(f,
                "%-*s  %9" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8s %8" PRIu64
                " %8s %8s %8s %8s\n",
                wn, r ? r->name : "total", c->packets, c->bytes_wire, c->duplicates, c->truncated,
                loss, h->acks, v[MDEC_VIS_CLEARTEXT], v[MDEC_VIS_ENCRYPTED], v[MDEC_VIS_CUT],
                v[MDEC_VIS_UNKNOWN]);
    }
    if (s->flows.evicted)
        fprintf(f, "%" PRIu64 " flows evicted before they went idle: the estimates miss their "
                   "later packets (--report-flows %u)\n",
                s->flows.evicted, s->flows.capacity);
}

/* "10 ms", "250 us", "1500 ns": a window in the largest whole unit. */
static void window_text(uint64_t ns, char *buf, size_t size)
{
    if (ns % 1000000000u == 0)
        snprintf(buf, size, "%" PRIu64 " s", ns / 1000000000u);
    else if (ns % 1000000u == 0)
        snprintf(buf, size, "%" PRIu64 " ms", ns / 1000000u);
    else if (ns % 1000u == 0)
        snprintf(buf, size, "%" PRIu64 " us", ns / 1000u);
    else
        snprintf(buf, size, "%" PRIu64 " ns", ns);
}

void mt_stats_print(const struct mt_stats *s, const struct mt_app *app, FILE *f)
{
    fprintf(f,
            "%" PRIu64 " frames from %s: %" PRIu64 " ok, %" PRIu64 " truncated, %" PRIu64
            " malformed, %" PRIu64 " unsupported, %" PRIu64 " not tunneled\n",
            s->frames, app->input_name[0] ? app->input_name : "input", s->by_status[MDEC_STATUS_OK],
            s->by_status[MDEC_STATUS_TRUNCATED], s->by_status[MDEC_STATUS_MALFORMED],
            s->by_status[MDEC_STATUS_UNSUPPORTED], s->by_status[MDEC_STATUS_NOT_TUNNELED]);

    int wn = 7, wk = 3, show_key = 0;
    struct mdec_counters total;
    memset(&total, 0, sizeof total);
    for (size_t i = 0; i < s->n; i++) {
        wn = width(s->rows[i].name, wn);
        wk = width(s->rows[i].keytext, wk);
        /* The key column says something when a session has a name of its
         * own; "untunneled" (key none) alone does not need it. */
        show_key |= s->rows[i].key.kind != MDEC_KEY_NONE &&
                    strcmp(s->rows[i].name, s->rows[i].keytext) != 0;
        add_counters(&total, &s->rows[i].c);
    }
    if (!show_key)
        wk = 0;
    const int files = app->o->write_dir != NULL, dups = app->o->dedup;
    uint64_t total_written = 0;
    fprintf(f, "\n%-*s  ", wn, "session");
    if (show_key)
        fprintf(f, "%-*s  ", wk, "key");
    fprintf(f, "%9s %12s %10s %10s %10s %7s", "packets", "bytes", "truncated", "malformed",
            "filtered", "forged");
    if (dups)
        fprintf(f, " %10s", "duplicates");
    if (files)
        fprintf(f, " %9s", "written");
    fputc('\n', f);
    for (size_t i = 0; i <= s->n; i++) {
        const struct row *r = i < s->n ? &s->rows[i] : NULL;
        const struct mdec_counters *c = r ? &r->c : &total;
        if (r)
            total_written += r->out.written;
        if (!r && s->n < 2)
            break; /* a total of one row says nothing new */
        fprintf(f, "%-*s  ", wn, r ? r->name : "total");
        if (show_key)
            fprintf(f, "%-*s  ", wk, r ? r->keytext : "");
        fprintf(f,
                "%9" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %7" PRIu64,
                c->packets, c->bytes_wire, c->truncated, c->malformed, c->filtered, c->forged);
        if (dups)
            fprintf(f, " %10" PRIu64, c->duplicates);
        if (files)
            fprintf(f, " %9" PRIu64, r ? r->out.written : total_written);
        fputc('\n', f);
    }
    if (s->n == 0)
        fprintf(f, "(no session)\n");
    if (app->o->report && s->n)
        print_health(s, f, wn);
    fputc('\n', f);
    if (app->o->n_sessions || s->unknown_dropped)
        fprintf(f, "unknown sessions: %" PRIu64 " packets dropped\n", s->unknown_dropped);
    if (s->learn_forged)
        fprintf(f, "  %" PRIu64 " of them from sources outside --learn-from: no session learned\n",
                s->learn_forged);
    if (s->learn_full)
        fprintf(f, "  %" PRIu64 " of them of new sessions: the table was full (--max-sessions %"
                   PRIu32 " learned%s)\n",
                s->learn_full, app->o->max_sessions, app->n_workers > 1 ? " per worker" : "");
    if (s->learn_invalid)
        fprintf(f, "  %" PRIu64 " of them malformed, or a tunnel carrying no IP: no session "
                   "learned\n",
                s->learn_invalid);
    if (app->bpf)
        fprintf(f, "--inner-bpf rejected %" PRIu64 " packets (counted as filtered)\n",
                s->bpf_rejected);
    if (app->n_workers > 1)
        fprintf(f, "%" PRIu64 " packets were steered to the worker that owns their flow\n",
                s->steered);
    const struct mt_out_stats *os = &s->out;
    if (files) {
        fprintf(f, "%" PRIu64 " inner packets written to %s/ (%" PRIu64 " file%s)\n", os->written,
                app->o->write_dir, os->files_created, os->files_created == 1 ? "" : "s");
        const uint64_t lost = os->lost_io + os->lost_open + os->lost_ts;
        if (lost) {
            fprintf(f, "%" PRIu64 " inner packets NOT written:", lost);
            const char *sep = " ";
            if (os->lost_io) {
                fprintf(f, "%s%" PRIu64 " by write errors (each file cut back to its last whole "
                           "record)", sep, os->lost_io);
                sep = ", ";
            }
            if (os->lost_open) {
                fprintf(f, "%s%" PRIu64 " because their file could not be opened", sep,
                        os->lost_open);
                sep = ", ";
            }
            if (os->lost_ts)
                fprintf(f, "%s%" PRIu64 " with timestamps a pcap file cannot hold", sep,
                        os->lost_ts);
            fputc('\n', f);
        }
        if (os->evictions)
            fprintf(f, "pcap files: at most %u open at once (open-file limit %" PRIu64
                       "); %" PRIu64 " closed to stay within it, %" PRIu64 " reopened\n",
                    os->files_max, os->budget.limit, os->evictions, os->reopens);
    }
    if (os->stream_path) {
        const int out = strcmp(os->stream_path, "-") == 0;
        fprintf(f, "%" PRIu64 " inner packets written to %s", os->stream_written,
                out ? "standard output" : app->o->write_file);
        if (os->stream_files > 1)
            fprintf(f, " (%" PRIu64 " files)", os->stream_files);
        fputc('\n', f);
        if (os->stream_lost)
            fprintf(f, "%" PRIu64 " inner packets NOT written to %s%s\n", os->stream_lost,
                    out ? "standard output" : app->o->write_file,
                    os->stream_epipe ? ": the reader went away" : "");
    }
    if (app->o->tap && app->o->tap_per_session && (os->tap_past_cap || os->tap_failed))
        fprintf(f, "%u sessions got no TAP device (%u past the cap of %u, %u failed): %" PRIu64
                   " frames not injected\n",
                os->tap_past_cap + os->tap_failed, os->tap_past_cap, os->tap_max, os->tap_failed,
                os->tap_no_device);
    if (os->tap_skipped)
        fprintf(f, "%" PRIu64 " frames not taken by the TAP device\n", os->tap_skipped);
    if (dups) {
        const struct mdec_dedup_stats *d = &s->dedup;
        char wt[32];
        window_text(app->o->dedup_window_ns, wt, sizeof wt);
        fprintf(f, "--dedup removed %" PRIu64 " copies (window %s, %s)", d->copies, wt,
                app->o->dedup_per_session ? "within each session" : "across all sessions");
        if (d->unjudged || d->repeats || d->evicted)
            fprintf(f, "; kept %" PRIu64 " not judged, %" PRIu64 " sent again, %" PRIu64
                       " evicted from a full window",
                    d->unjudged, d->repeats, d->evicted);
        fputc('\n', f);
    }
    if (app->extra.len)
        fputs(app->extra.p, f);
}

/* --report: the session's health, with the figures derived from it. */
static void health_json(struct mt_buf *b, const struct mdec_health *h)
{
    struct mdec_health_summary s;
    mdec_health_summarize(h, &s);
    mt_buf_printf(b,
                  ",\"health\":{\"packets\":%" PRIu64 ",\"untracked\":%" PRIu64 ",\"flows\":%" PRIu64
                  ",\"tcp_packets\":%" PRIu64 ",\"acks\":%" PRIu64 ",\"ack_bytes\":%" PRIu64
                  ",\"gaps\":%" PRIu64 ",\"gap_bytes\":%" PRIu64 ",\"acks_one_way\":%" PRIu64
                  ",\"hole_merges\":%" PRIu64 ",\"loss_evidence\":\"%s\"",
                  h->packets, h->untracked, h->flows, h->tcp_packets, h->acks, h->ack_bytes,
                  h->gaps, h->gap_bytes, h->acks_one_way, h->hole_merges,
                  mdec_loss_evidence_name((enum mdec_loss_evidence)s.evidence));
    if (s.evidence == MDEC_LOSS_ACKS)
        mt_buf_printf(b, ",\"loss_percent\":%.3f,\"gaps_per_ack_percent\":%.3f", s.loss_percent,
                      s.gap_ack_percent);
    mt_buf_printf(b, ",\"payload_bytes\":%" PRIu64, s.payload_bytes);
    for (int v = 0; v < MDEC_VIS_COUNT; v++)
        mt_buf_printf(b, ",\"%s_bytes\":%" PRIu64 ",\"%s_packets\":%" PRIu64,
                      mdec_vis_name((enum mdec_vis)v), h->vis_bytes[v],
                      mdec_vis_name((enum mdec_vis)v), h->vis_packets[v]);
    if (s.payload_bytes)
        mt_buf_printf(b,
                      ",\"inspectable_percent\":%.3f,\"encrypted_percent\":%.3f,\"cut_percent\":%.3f"
                      ",\"unknown_percent\":%.3f",
                      s.vis_percent[MDEC_VIS_CLEARTEXT], s.vis_percent[MDEC_VIS_ENCRYPTED],
                      s.vis_percent[MDEC_VIS_CUT], s.vis_percent[MDEC_VIS_UNKNOWN]);
    mt_buf_puts(b, ",\"protocols\":{");
    int first = 1;
    for (int a = 1; a < MDEC_APP_MAX; a++) {
        if (!h->app_flows[a] && !h->app_bytes[a])
            continue;
        mt_buf_printf(b, "%s\"%s\":{\"flows\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", first ? "" : ",",
                      mdec_app_name((enum mdec_app)a), h->app_flows[a], h->app_bytes[a]);
        first = 0;
    }
    mt_buf_puts(b, "}}");
}

static void counters_json(struct mt_buf *b, const struct mdec_counters *c)
{
    mt_buf_printf(b,
                  "\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"bytes_captured\":%" PRIu64
                  ",\"truncated\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"filtered\":%" PRIu64
                  ",\"forged\":%" PRIu64 ",\"duplicates\":%" PRIu64,
                  c->packets, c->bytes_wire, c->bytes_cap, c->truncated, c->malformed,
                  c->filtered, c->forged, c->duplicates);
}

void mt_stats_json(const struct mt_stats *s, const struct mt_app *app, const char *time,
                   struct mt_buf *out)
{
    struct mt_buf b = *out; /* appended to: the body below writes b */
    mt_buf_puts(&b, "{\"tool\":");
    mt_json_str(&b, mt_prog);
    if (time) {
        mt_buf_puts(&b, ",\"time\":");
        mt_json_str(&b, time);
    }
    mt_buf_puts(&b, ",\"input\":");
    mt_json_str(&b, app->input_name);
    mt_buf_printf(&b,
                  ",\"frames\":%" PRIu64 ",\"status\":{\"ok\":%" PRIu64 ",\"truncated\":%" PRIu64
                  ",\"malformed\":%" PRIu64 ",\"unsupported\":%" PRIu64
                  ",\"not_tunneled\":%" PRIu64 "},\"sessions\":[",
                  s->frames, s->by_status[0], s->by_status[1], s->by_status[2], s->by_status[3],
                  s->by_status[4]);
    for (size_t i = 0; i < s->n; i++) {
        mt_buf_puts(&b, i ? ",{\"session\":" : "{\"session\":");
        mt_json_str(&b, s->rows[i].name);
        mt_buf_puts(&b, ",\"key\":");
        mt_json_str(&b, s->rows[i].keytext);
        mt_buf_putc(&b, ',');
        counters_json(&b, &s->rows[i].c);
        if (app->o->report)
            health_json(&b, &s->rows[i].h);
        const struct mt_out_session *so = &s->rows[i].out;
        if (app->o->write_dir) {
            mt_buf_printf(&b, ",\"written\":%" PRIu64 ",\"not_written\":%" PRIu64 ",\"files\":[",
                          so->written, so->lost);
            for (int k = 0; k < so->n_files; k++) {
                if (k)
                    mt_buf_putc(&b, ',');
                mt_json_str(&b, so->files[k]);
            }
            mt_buf_putc(&b, ']');
        }
        if (app->o->tap && app->o->tap_per_session) {
            mt_buf_puts(&b, ",\"tap\":");
            if (so->tap)
                mt_json_str(&b, so->tap);
            else
                mt_buf_puts(&b, "null");
        }
        mt_buf_putc(&b, '}');
    }
    mt_buf_printf(&b,
                  "],\"unknown_session\":%" PRIu64 ",\"learned\":%" PRIu64
                  ",\"learn_full\":%" PRIu64 ",\"learn_forged\":%" PRIu64
                  ",\"learn_invalid\":%" PRIu64 ",\"inner_bpf_rejected\":%" PRIu64,
                  s->unknown_dropped, s->learned, s->learn_full, s->learn_forged, s->learn_invalid,
                  s->bpf_rejected);
    if (app->o->learn)
        mt_buf_printf(&b, ",\"max_sessions\":%" PRIu32, app->o->max_sessions);
    if (app->o->report)
        mt_buf_printf(&b,
                      ",\"flows\":{\"capacity\":%" PRIu32 ",\"active\":%" PRIu32
                      ",\"created\":%" PRIu64 ",\"expired\":%" PRIu64 ",\"evicted\":%" PRIu64 "}",
                      s->flows.capacity, s->flows.active, s->flows.created, s->flows.expired,
                      s->flows.evicted);
    if (app->o->dedup) {
        const struct mdec_dedup_stats *d = &s->dedup;
        mt_buf_printf(&b,
                      ",\"dedup\":{\"window_ns\":%" PRIu64 ",\"scope\":\"%s\",\"entries\":%" PRIu32
                      ",\"checked\":%" PRIu64 ",\"copies\":%" PRIu64 ",\"unjudged\":%" PRIu64
                      ",\"repeats\":%" PRIu64 ",\"expired\":%" PRIu64 ",\"evicted\":%" PRIu64 "}",
                      app->o->dedup_window_ns, app->o->dedup_per_session ? "session" : "all",
                      mdec_dedup_capacity(app->workers[0].dedup), d->checked, d->copies,
                      d->unjudged, d->repeats, d->expired, d->evicted);
    }
    if (app->n_workers > 1)
        mt_buf_printf(&b, ",\"workers\":%u,\"steered\":%" PRIu64, app->n_workers, s->steered);
    if (app->have_kernel_drops)
        mt_buf_printf(&b, ",\"kernel_drops\":%" PRIu64, app->kernel_drops);
    if (app->rcvbuf)
        mt_buf_printf(&b, ",\"rcvbuf\":%d", app->rcvbuf);
    if (app->o->tool == MT_AFPACKET)
        mt_buf_printf(&b, ",\"inbox_dropped\":%" PRIu64, app->inbox_dropped);
    if (app->extra_json.len) /* the tool's own members (mirrordec-dpdk: the NIC's counters) */
        mt_buf_put(&b, app->extra_json.p, app->extra_json.len);
    const struct mt_out_stats *os = &s->out;
    if (app->o->write_dir || (app->o->tap && app->o->tap_per_session))
        mt_buf_printf(&b,
                      ",\"open_files\":{\"limit\":%" PRIu64 ",\"in_use\":%" PRIu64
                      ",\"reserve\":%u}",
                      os->budget.limit, os->budget.in_use, MT_FD_RESERVE);
    if (app->o->write_dir) {
        mt_buf_puts(&b, ",\"pcap\":{\"dir\":");
        mt_json_str(&b, app->o->write_dir);
        mt_buf_printf(&b,
                      ",\"files\":%" PRIu64 ",\"written\":%" PRIu64
                      ",\"not_written\":%" PRIu64 ",\"write_errors\":%" PRIu64
                      ",\"lost_write_error\":%" PRIu64 ",\"lost_open_error\":%" PRIu64
                      ",\"lost_timestamp\":%" PRIu64 ",\"open_max\":%u,\"closed_for_budget\":%" PRIu64
                      ",\"reopened\":%" PRIu64 "}",
                      os->files_created, os->written, os->lost_io + os->lost_open + os->lost_ts,
                      os->io_errors, os->lost_io, os->lost_open, os->lost_ts, os->files_max,
                      os->evictions, os->reopens);
    }
    if (os->stream_path) {
        mt_buf_puts(&b, ",\"write\":{\"file\":");
        mt_json_str(&b, app->o->write_file);
        if (strcmp(os->stream_path, app->o->write_file) != 0) { /* -C, -G: the last */
            mt_buf_puts(&b, ",\"last_file\":");
            mt_json_str(&b, os->stream_path);
        }
        mt_buf_printf(&b,
                      ",\"format\":\"%s\",\"files\":%" PRIu64 ",\"written\":%" PRIu64
                      ",\"not_written\":%" PRIu64 ",\"other_link_type\":%" PRIu64
                      ",\"broken_pipe\":%s}",
                      app->o->format_pcap ? "pcap" : "pcapng", os->stream_files,
                      os->stream_written, os->stream_lost, os->stream_lost_link,
                      os->stream_epipe ? "true" : "false");
    }
    if (app->o->tap)
        mt_buf_printf(&b, ",\"tap_skipped\":%" PRIu64, os->tap_skipped);
    if (app->o->tap && app->o->tap_per_session)
        mt_buf_printf(&b,
                      ",\"tap_devices\":%u,\"tap_max\":%u,\"tap_no_device_sessions\":%u"
                      ",\"tap_no_device\":%" PRIu64,
                      os->tap_devices, os->tap_max, os->tap_past_cap + os->tap_failed,
                      os->tap_no_device);
    mt_buf_puts(&b, "}\n");
    *out = b;
}

int mt_stats_write_json(const struct mt_stats *s, const struct mt_app *app, const char *path)
{
    struct mt_buf b = {0};
    mt_stats_json(s, app, NULL, &b);
    /* A new file renamed over the old: whoever reads it (a monitoring agent,
     * every --stats-interval) sees the previous figures or the new ones.
     * Not for what is not a regular file (/dev/stderr, a FIFO): written in
     * place. */
    struct stat sb;
    const int in_place = stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
    const size_t n = strlen(path) + 5;
    char *tmp = mt_xmalloc(n);
    snprintf(tmp, n, in_place ? "%s" : "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = 0;
    if (!f || fwrite(b.p, 1, b.len, f) != b.len) {
        mt_msg("--stats-json '%s': cannot write: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        mt_msg("--stats-json '%s': write error: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && !in_place && rename(tmp, path) != 0) {
        mt_msg("--stats-json '%s': cannot replace it with '%s': %s", path, tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && f && !in_place)
        (void)remove(tmp);
    free(tmp);
    mt_buf_free(&b);
    return rc;
}
