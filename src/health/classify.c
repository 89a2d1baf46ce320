/*
 * classify.c - which payload bytes an IDS can inspect.
 *
 * A flow's protocol is decided from the first payload bytes of either
 * direction (mdec__classify_app: the detectors of tls.c, quic.c, ssh.c,
 * esp.c, wireguard.c and plain.c, in a fixed order), retried on the next
 * few packets while the deciding bytes are cut or nothing matched.  Then
 * every payload byte of the flow is counted by class:
 *
 *   present bytes  -> cleartext | encrypted | unknown, per protocol:
 *     TLS    record by record (5-byte headers, followed across segments by
 *            sequence number): application data encrypted, and so is
 *            everything a direction sends after its ChangeCipherSpec;
 *            handshake, alert and CCS records before it cleartext
 *     SSH    the identification line and the binary packets before
 *            NEWKEYS cleartext, everything after it encrypted
 *     QUIC   every datagram encrypted but Version Negotiation
 *     ESP, WireGuard       encrypted
 *     HTTP, DNS, text      cleartext
 *     other                unknown
 *   bytes the wire had and the copy lacks -> cut
 *
 * A TCP direction that loses its place in a record stream (a missed
 * segment, a header cut off) carries on with the class of the record it
 * was in and picks up again at the next segment that starts with a valid
 * header.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

/* Payload packets per direction looked at to decide a flow's protocol. */
#define DECIDE_TRIES 4

enum mdec_app mdec__classify_app(const struct win *w, const struct pkt_meta *m)
{
    /* In order, the first yes decides; a "more bytes needed" from any of
     * them keeps the flow undecided. */
    bool more = false;
    enum det d;
#define TRY(call, app)                                                                             \
    do {                                                                                           \
        d = (call);                                                                                \
        if (d == DET_YES)                                                                          \
            return (app);                                                                          \
        more |= d == DET_MORE;                                                                     \
    } while (0)
    TRY(mdec__esp_detect(w, m), MDEC_APP_ESP);
    if (m->proto == 6) {
        TRY(mdec__tls_detect(w), MDEC_APP_TLS);
        TRY(mdec__ssh_detect(w), MDEC_APP_SSH);
        TRY(mdec__http_detect(w), MDEC_APP_HTTP);
        TRY(mdec__dns_detect(w, m), MDEC_APP_DNS);
        TRY(mdec__text_detect(w), MDEC_APP_TEXT);
    } else if (m->proto == 17) {
        TRY(mdec__wireguard_detect(w), MDEC_APP_WIREGUARD);
        TRY(mdec__quic_detect(w), MDEC_APP_QUIC);
        TRY(mdec__dns_detect(w, m), MDEC_APP_DNS);
        TRY(mdec__text_detect(w), MDEC_APP_TEXT);
    }
#undef TRY
    return more ? MDEC_APP_NONE : MDEC_APP_OTHER;
}

/* ------------------------------------------------------ byte accounting */

/* One packet's payload being counted: present bytes [0, cap), wire bytes
 * [0, wire), relative to the payload's start. */
struct tally {
    uint64_t cap, wire;
    uint64_t by[MDEC_VIS_COUNT];
    int first; /* class of byte 0, -1 until counted */
};

/* Bytes [a, b) of the payload are of class v (only present ones count:
 * the cut ones are counted once, at the end). */
static void count(struct tally *t, uint64_t a, uint64_t b, enum mdec_vis v)
{
    if (b > t->cap)
        b = t->cap;
    if (a >= b)
        return;
    t->by[v] += b - a;
    if (t->first < 0 && a == 0)
        t->first = (int)v;
}

/* Where in this segment the next record header lies, when the stream knows
 * (ST_SYNC) and it lies inside; else, with no header at the start either,
 * wire (the whole segment continues the current record).  Drops ST_SYNC when
 * the stream has passed a header it never saw. */
static uint64_t record_start(struct stream *s, uint32_t seq, bool header_here, uint64_t wire)
{
    if (header_here)
        return 0;
    if (s->flags & ST_SYNC) {
        const uint32_t d = s->rec_next - seq;
        if (!seq_lt(s->rec_next, seq) && d < wire)
            return d;
        if (seq_lt(s->rec_next, seq))
            s->flags &= (uint8_t)~ST_SYNC; /* a header went by unseen */
    }
    return wire;
}

static void walk_tls(struct stream *s, const struct win *w, uint32_t seq, struct tally *t)
{
    uint8_t type;
    uint32_t len;
    const bool synced_here = (s->flags & ST_SYNC) && s->rec_next == seq;
    uint64_t off = record_start(s, seq, synced_here || mdec__tls_record(w, 0, &type, &len) == 1,
                                t->wire);
    count(t, 0, off, (enum mdec_vis)s->rec_vis);
    bool walked = false;
    while (off < t->wire) {
        const int r = mdec__tls_record(w, off, &type, &len);
        if (r != 1) { /* cut, or no header where one belongs: the place is lost */
            s->flags &= (uint8_t)~ST_SYNC;
            count(t, off, t->wire, (enum mdec_vis)s->rec_vis);
            return;
        }
        if (type == 20)
            s->flags |= ST_NEWKEYS; /* ChangeCipherSpec: what follows is encrypted */
        s->rec_vis = (uint8_t)(type == 23 || ((s->flags & ST_NEWKEYS) && type != 20)
                                   ? MDEC_VIS_ENCRYPTED
                                   : MDEC_VIS_CLEARTEXT);
        const uint64_t end = off + 5 + len;
        count(t, off, end < t->wire ? end : t->wire, (enum mdec_vis)s->rec_vis);
        off = end;
        walked = true;
    }
    if (walked) { /* the next header is where the last record ends */
        s->rec_next = seq + (uint32_t)off;
        s->flags |= ST_SYNC;
    }
}

static void walk_ssh(struct stream *s, const struct win *w, uint32_t seq, struct tally *t)
{
    uint64_t off = 0;
    if (!(s->flags & ST_BANNER)) {
        /* Lines up to and including the one that starts "SSH-" (a server
         * may send others first: RFC 4253 4.2). */
        while (off < t->wire) {
            const uint64_t e = mdec__ssh_line_end(w, off);
            if (e == 0) {
                count(t, off, t->wire, MDEC_VIS_CLEARTEXT);
                return;
            }
            const uint8_t *p = rd_view(w, off, 4);
            count(t, off, e, MDEC_VIS_CLEARTEXT);
            off = e;
            if (p && memcmp(p, "SSH-", 4) == 0) {
                s->flags |= ST_BANNER | ST_SYNC;
                s->rec_next = seq + (uint32_t)off;
                break;
            }
        }
    }
    if (!(s->flags & ST_NEWKEYS) && off < t->wire) {
        uint32_t len;
        uint8_t msg;
        if (off == 0 && !((s->flags & ST_SYNC) && s->rec_next == seq)) {
            off = record_start(s, seq, mdec__ssh_packet(w, 0, &len, &msg) == 1, t->wire);
            if (off == t->wire && !(s->flags & ST_SYNC)) {
                s->flags |= ST_NEWKEYS; /* the place was lost before NEWKEYS: taken as
                                           encrypted, as nearly all of SSH is */
                off = 0;
            }
            count(t, 0, off, MDEC_VIS_CLEARTEXT);
        }
        bool walked = false;
        while (!(s->flags & ST_NEWKEYS) && off < t->wire) {
            const int r = mdec__ssh_packet(w, off, &len, &msg);
            if (r == 2) { /* header cut: still before NEWKEYS as far as is known */
                s->flags &= (uint8_t)~ST_SYNC;
                count(t, off, t->wire, MDEC_VIS_CLEARTEXT);
                return;
            }
            if (r == 0) { /* no packet where one belongs: taken as encrypted */
                s->flags |= ST_NEWKEYS;
                break;
            }
            const uint64_t end = off + 4 + len;
            count(t, off, end < t->wire ? end : t->wire, MDEC_VIS_CLEARTEXT);
            off = end;
            walked = true;
            if (msg == 21) /* SSH_MSG_NEWKEYS (RFC 4253 7.3) */
                s->flags |= ST_NEWKEYS;
        }
        if (walked) {
            s->rec_next = seq + (uint32_t)off;
            s->flags |= ST_SYNC;
        }
    }
    if (s->flags & ST_NEWKEYS)
        count(t, off, t->wire, MDEC_VIS_ENCRYPTED);
}

enum mdec_vis mdec__classify_payload(struct flow *f, unsigned dir, const struct win *w, int tcp,
                                     uint32_t seq, struct mdec_health *h)
{
    struct stream *s = &f->st[dir];
    struct tally t = {w->end - w->off, w->wire_end - w->off, {0, 0, 0, 0}, -1};
    if ((f->app == MDEC_APP_NONE || f->app == MDEC_APP_OTHER) && t.cap > 0 &&
        s->tries < DECIDE_TRIES) {
        s->tries++;
        const struct pkt_meta m = {f->proto, f->port[dir], f->port[dir ^ 1u]};
        const enum mdec_app a = mdec__classify_app(w, &m);
        if (a != MDEC_APP_NONE && a != f->app && (f->app == MDEC_APP_NONE || a != MDEC_APP_OTHER)) {
            if (f->app == MDEC_APP_OTHER)
                h->app_flows[MDEC_APP_OTHER]--;
            h->app_flows[a]++;
            f->app = (uint8_t)a;
        }
    }
    switch (f->app) {
    case MDEC_APP_TLS:
    case MDEC_APP_SSH: /* record streams: TCP only */
        if (!tcp)
            count(&t, 0, t.cap, MDEC_VIS_UNKNOWN);
        else if (f->app == MDEC_APP_TLS)
            walk_tls(s, w, seq, &t);
        else
            walk_ssh(s, w, seq, &t);
        break;
    case MDEC_APP_QUIC:
        count(&t, 0, t.cap, mdec__quic_datagram(w));
        break;
    case MDEC_APP_ESP:
    case MDEC_APP_WIREGUARD:
        count(&t, 0, t.cap, MDEC_VIS_ENCRYPTED);
        break;
    case MDEC_APP_HTTP:
    case MDEC_APP_DNS:
    case MDEC_APP_TEXT:
        count(&t, 0, t.cap, MDEC_VIS_CLEARTEXT);
        break;
    default:
        count(&t, 0, t.cap, MDEC_VIS_UNKNOWN);
        break;
    }
    t.by[MDEC_VIS_CUT] += t.wire - t.cap;
    for (unsigned v = 0; v < MDEC_VIS_COUNT; v++)
        h->vis_bytes[v] += t.by[v];
    h->app_bytes[f->app < MDEC_APP_MAX ? f->app : 0] += t.cap;
    if (t.wire > t.cap || t.first < 0)
        return t.wire > t.cap ? MDEC_VIS_CUT : MDEC_VIS_UNKNOWN;
    return (enum mdec_vis)t.first;
}
