/*
 * in_pcap.c - frames from libpcap: a pcap or pcapng file (-r FILE, "-" for
 * standard input) or a live interface (-i IFACE).
 *
 * Timestamps are read at nanosecond precision, so nothing of a nanosecond
 * file is lost; pcap files written from a microsecond capture stay at
 * microseconds.  A progress line is drawn on a terminal while a file takes
 * more than a second to read.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mt_pcap_in {
    pcap_t *p;
    const char *name;
    int live;
    off_t size; /* of a regular file, for the progress line */
};

static pcap_t *volatile g_pcap; /* for the signal handler */

static void break_loop(void)
{
    pcap_t *p = g_pcap;
    if (p)
        pcap_breakloop(p);
}

static int file_is_nano(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 1; /* a pipe cannot be read twice: keep every digit */
    FILE *f = fopen(path, "rb");
    uint32_t magic = 0;
    if (!f)
        return 0;
    if (fread(&magic, 1, 4, f) != 4)
        magic = 0;
    fclose(f);
    /* nanosecond pcap in either byte order; pcapng may hold any resolution */
    return magic == 0xa1b23c4du || magic == 0x4d3cb2a1u || magic == 0x0a0d0d0au;
}

static const char *activate_hint(int rc)
{
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
        return " (run as root, or give the program CAP_NET_RAW and CAP_NET_ADMIN: "
               "setcap cap_net_raw,cap_net_admin=eip PROGRAM)";
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return " (ip link lists the interfaces)";
    case PCAP_ERROR_IFACE_NOT_UP:
        return " (ip link set IFACE up)";
    default:
        return "";
    }
}

static pcap_t *open_live(const struct mt_opts *o, char *err)
{
    pcap_t *p = pcap_create(o->iface, err);
    if (!p) {
        mt_msg("cannot capture on %s: %s", o->iface, err);
        return NULL;
    }
    pcap_set_snaplen(p, (int)o->snaplen);
    pcap_set_promisc(p, o->promisc);
    pcap_set_timeout(p, 100);
    (void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    const int rc = pcap_activate(p);
    if (rc < 0) {
        const char *status = pcap_statustostr(rc);
        const char *detail = pcap_geterr(p);
        if (!detail || !*detail || strcmp(detail, status) == 0)
            detail = NULL; /* libpcap has nothing to add */
        mt_msg("cannot capture on %s: %s%s%s%s", o->iface, status, detail ? ": " : "",
               detail ? detail : "", activate_hint(rc));
        pcap_close(p);
        return NULL;
    }
    if (rc > 0)
        mt_msg("warning: %s: %s: %s", o->iface, pcap_statustostr(rc), pcap_geterr(p));
    return p;
}

int mt_pcap_open(const struct mt_opts *o, struct mt_pcap_in **inp, int *nano)
{
    char err[PCAP_ERRBUF_SIZE];
    struct mt_pcap_in *in = mt_xcalloc(1, sizeof *in);
    if (o->read_file) {
        in->name = o->read_file;
        in->p = pcap_open_offline_with_tstamp_precision(o->read_file,
                                                        PCAP_TSTAMP_PRECISION_NANO, err);
        if (!in->p && mt_stop) {
            /* SIGINT or SIGTERM while the file (a FIFO, a pipe) was being
             * opened: a clean stop with nothing read. */
            free(in);
            *inp = NULL;
            return MT_EXIT_OK;
        }
        if (!in->p) {
            if (strncmp(err, o->read_file, strlen(o->read_file)) == 0)
                mt_msg("%s", err); /* libpcap named the file already */
            else
                mt_msg("%s: %s", o->read_file, err);
            free(in);
            return MT_EXIT_RUNTIME;
        }
        struct stat st;
        if (strcmp(o->read_file, "-") != 0 && stat(o->read_file, &st) == 0 &&
            S_ISREG(st.st_mode))
            in->size = st.st_size;
        *nano = file_is_nano(o->read_file);
    } else {
        in->name = o->iface;
        in->live = 1;
        in->p = open_live(o, err);
        if (!in->p) {
            free(in);
            return MT_EXIT_RUNTIME;
        }
        *nano = pcap_get_tstamp_precision(in->p) == PCAP_TSTAMP_PRECISION_NANO;
    }
    const int link = pcap_datalink(in->p);
    switch (link) {
    case DLT_EN10MB:
    case DLT_RAW:
    case 101: /* LINKTYPE_RAW */
    case DLT_LINUX_SLL:
    case 228: /* LINKTYPE_IPV4 */
    case 229: /* LINKTYPE_IPV6 */
    case 276: /* LINKTYPE_LINUX_SLL2 */
        break;
    default:
        mt_msg("warning: %s: link type %s (%d) is not one mirrordec decodes: every frame will "
               "be 'unsupported'",
               in->name, pcap_datalink_val_to_name(link) ? pcap_datalink_val_to_name(link) : "?",
               link);
    }
    *inp = in;
    return MT_EXIT_OK;
}

void mt_pcap_close(struct mt_pcap_in *in)
{
    if (!in)
        return;
    g_pcap = NULL;
    if (in->p)
        pcap_close(in->p);
    free(in);
}

struct progress {
    int on;
    double start, last;
    int drawn;
};

static void progress_draw(struct progress *pg, const struct mt_pcap_in *in, uint64_t frames,
                          int final)
{
    if (!pg->on)
        return;
    if (final) {
        if (pg->drawn)
            fprintf(stderr, "\r%-78s\r", "");
        return;
    }
    const double now = mt_now();
    if (now - pg->start < 1.0 || now - pg->last < 0.25)
        return;
    pg->last = now;
    pg->drawn = 1;
    FILE *f = pcap_file(in->p);
    const long pos = f ? ftell(f) : -1;
    if (pos >= 0 && in->size > 0)
        fprintf(stderr, "\r%s: %llu frames, %3.0f%% of %s", mt_prog, (unsigned long long)frames,
                100.0 * (double)pos / (double)in->size, in->name);
    else
        fprintf(stderr, "\r%s: %llu frames from %s", mt_prog, (unsigned long long)frames,
                in->name);
}

/* Frames gathered for one burst, copied out of libpcap's buffer. */
struct burst {
    size_t n;
    struct mt_frame fr[MT_BURST];
    struct mdec_frame f[MT_BURST];
    struct mdec_result r[MT_BURST];
    struct mdec_match m[MT_BURST];
    size_t at[MT_BURST]; /* where each frame's bytes start in store */
    uint8_t *store;      /* the frames' bytes, one after another */
    size_t used, size;
};

static void burst_add(struct burst *b, const struct mt_frame *fr, const uint8_t *data,
                      uint32_t cap, uint32_t wire)
{
    if (b->used + cap > b->size) { /* only before the first burst, or for a jumbo frame */
        b->size = b->used + cap > 2 * b->size ? b->used + cap : 2 * b->size;
        if (b->size < 65536)
            b->size = 65536;
        uint8_t *p = realloc(b->store, b->size);
        if (!p) {
            mt_msg("out of memory");
            exit(MT_EXIT_RUNTIME);
        }
        b->store = p;
    }
    memcpy(b->store + b->used, data, cap);
    b->fr[b->n] = *fr;
    b->at[b->n] = b->used;
    b->f[b->n].cap_len = cap;
    b->f[b->n].wire_len = wire;
    b->used += cap;
    b->n++;
}

static void burst_run(struct mt_app *app, struct mt_worker *w, struct burst *b, int link)
{
    if (b->n == 0)
        return;
    for (size_t i = 0; i < b->n; i++) /* the store has stopped moving */
        b->f[i].data = b->store + b->at[i];
    (void)mdec_decode_burst(app->cfg, link, b->f, NULL, b->n, b->r);
    mt_app_burst(w, b->fr, b->r, b->n, b->m);
    b->n = 0;
    b->used = 0;
}

int mt_pcap_run(struct mt_app *app, struct mt_pcap_in *in)
{
    const struct mt_opts *o = app->o;
    if (!in) { /* stopped by a signal while opening */
        snprintf(app->input_name, sizeof app->input_name, "%s",
                 o->read_file ? o->read_file : o->iface);
        return MT_EXIT_OK;
    }
    snprintf(app->input_name, sizeof app->input_name, "%s", in->name);
    app->live = in->live;
    g_pcap = in->p;
    mt_signals_install(break_loop);

    const int link = pcap_datalink(in->p);
    const int nano_in = pcap_get_tstamp_precision(in->p) == PCAP_TSTAMP_PRECISION_NANO;
    /* A classic pcap file's seconds are unsigned 32 bits, which libpcap
     * hands over sign-extended: from 2038-01-19 on they come out negative.
     * (pcapng files report major version 1, and their times arrive whole.) */
    const int u32_sec = !in->live && pcap_major_version(in->p) == 2;
    struct progress pg = {0};
    pg.on = !in->live && (o->progress == 1 || (o->progress == -1 && isatty(STDERR_FILENO)));
    pg.start = pg.last = mt_now();
    struct mt_worker *w = &app->workers[0];
    int rc = MT_EXIT_OK;
    if (in->live && !o->quiet)
        mt_msg("capturing on %s", in->name);
    /* Frames are gathered into bursts of MT_BURST (libpcap reuses its
     * buffer for the next frame, so each is copied), decoded and classified
     * together, then handed to the outputs in order.  A live capture's
     * timeout, and the end of the input, deliver what was gathered. */
    struct burst *b = mt_xcalloc(1, sizeof *b);
    uint64_t last_index = 0;
    while (!mt_stop) {
        struct pcap_pkthdr *h;
        const u_char *data;
        const int n = pcap_next_ex(in->p, &h, &data);
        if (n == 0) { /* live: the timeout expired */
            burst_run(app, w, b, link);
            mt_app_flush(app);
            continue;
        }
        if (n == PCAP_ERROR_BREAK)
            break; /* end of file, or pcap_breakloop */
        if (n < 0 && mt_stop)
            break; /* a read interrupted by SIGINT/SIGTERM: stop as asked */
        if (n < 0) {
            mt_msg("%s: %s", in->name, pcap_geterr(in->p));
            rc = MT_EXIT_RUNTIME;
            break;
        }
        struct mt_frame fr;
        fr.index = mt_app_next_index(app);
        if (!fr.index)
            break;
        fr.sec = (int64_t)h->ts.tv_sec;
        if (u32_sec && fr.sec < 0)
            fr.sec = (int64_t)(uint32_t)fr.sec;
        fr.nsec = (uint32_t)(nano_in ? h->ts.tv_usec : h->ts.tv_usec * 1000);
        burst_add(b, &fr, data, h->caplen, h->len);
        last_index = fr.index;
        if (b->n == MT_BURST || in->live) {
            burst_run(app, w, b, link);
            if (in->live)
                mt_app_flush(app);
        }
        if ((last_index & 1023) == 0)
            progress_draw(&pg, in, last_index, 0);
    }
    burst_run(app, w, b, link); /* what was gathered before the end */
    free(b->store);
    free(b);
    progress_draw(&pg, in, 0, 1);
    if (in->live) {
        struct pcap_stat ps;
        if (pcap_stats(in->p, &ps) == 0) {
            app->have_kernel_drops = 1;
            app->kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
            mt_buf_printf(&app->extra, "%s: the kernel received %u packets and dropped %llu\n",
                          in->name, ps.ps_recv, (unsigned long long)app->kernel_drops);
        }
    }
    mt_pcap_close(in);
    return rc;
}
