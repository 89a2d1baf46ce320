/*
 * loss.c - capture loss from TCP sequence and acknowledgement numbers.
 *
 * In the spirit of Zeek's capture_loss (policy/misc/capture-loss.zeek and
 * the TCP reassembler's ack and gap counts): a receiver acknowledges only
 * bytes it got, so an ACK that covers bytes the sensor never saw proves
 * that the mirror (or the capture) lost them, while the workload did not.
 *
 *   stream of endpoint d        [acked ............ hi)
 *                                 |  seen  | hole |seen|
 *   ACK from endpoint 1-d  --------------------------------> A
 *
 *   an ACK that advances acked to A is an ack event of A - acked bytes;
 *   the holes below A, and [hi, A) when A passes hi, are missing: one gap
 *   event, and their bytes are the estimated missing bytes.
 *
 * What each part handles:
 *   - SYN and FIN take one sequence number each (RFC 9293 3.4), so the
 *     ACK of a SYN or FIN is no gap;
 *   - a retransmission or a late, reordered segment lands below hi and
 *     fills the holes it covers before any ACK judges them (so real
 *     network loss, which the sender repairs, is not mirror loss);
 *   - a flow whose start was missed starts its stream at the first
 *     sequence number seen; an ACK seen before any segment of the stream
 *     it acknowledges only sets the starting point;
 *   - a stream whose sender was never seen (a one-directional mirror)
 *     gives no evidence: its ACKs count in acks_one_way only;
 *   - sequence numbers wrap: every comparison is serial (seq_lt); an ACK
 *     more than 1 GiB ahead of what is known is taken as a new start,
 *     not as a gigabyte lost;
 *   - at most MDEC_FLOWS_HOLES holes per stream: one more is merged into
 *     the last (the seen bytes between them then count as missing, and
 *     hole_merges says so);
 *   - RST segments' sequence numbers are not used (RFC 5961 lets them be
 *     anything within the window).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

#define TH_FIN 0x01u
#define TH_SYN 0x02u
#define TH_RST 0x04u
#define TH_ACK 0x10u

/* A jump of an ACK past everything known beyond this is no loss estimate
 * but a stream we lost track of (or a forged segment). */
#define ACK_JUMP_MAX (1u << 30)

static void hole_remove(struct stream *s, unsigned i)
{
    for (unsigned k = i + 1; k < s->n_holes; k++) {
        s->hole_lo[k - 1] = s->hole_lo[k];
        s->hole_hi[k - 1] = s->hole_hi[k];
    }
    s->n_holes--;
}

/* Bytes [lo, hi) were not seen: a new hole above every other. */
static void hole_add(struct stream *s, uint32_t lo, uint32_t hi, struct mdec_health *h)
{
    if (s->n_holes == MDEC_FLOWS_HOLES) {
        s->hole_hi[s->n_holes - 1] = hi; /* merged: over-counts the bytes between */
        h->hole_merges++;
        return;
    }
    s->hole_lo[s->n_holes] = lo;
    s->hole_hi[s->n_holes] = hi;
    s->n_holes++;
}

/* Bytes [lo, hi) were seen: they fill whatever holes they cover. */
static void hole_fill(struct stream *s, uint32_t lo, uint32_t hi, struct mdec_health *h)
{
    for (unsigned i = 0; i < s->n_holes;) {
        const uint32_t a = s->hole_lo[i], b = s->hole_hi[i];
        if (!seq_lt(lo, b) || !seq_lt(a, hi)) { /* no overlap */
            i++;
            continue;
        }
        const bool covers_start = !seq_lt(a, lo), covers_end = !seq_lt(hi, b);
        if (covers_start && covers_end) {
            hole_remove(s, i);
            continue;
        }
        if (covers_start) {
            s->hole_lo[i] = hi;
        } else if (covers_end) {
            s->hole_hi[i] = lo;
        } else if (s->n_holes < MDEC_FLOWS_HOLES) { /* split in two */
            for (unsigned k = s->n_holes; k > i + 1; k--) {
                s->hole_lo[k] = s->hole_lo[k - 1];
                s->hole_hi[k] = s->hole_hi[k - 1];
            }
            s->hole_hi[i] = lo;
            s->hole_lo[i + 1] = hi;
            s->hole_hi[i + 1] = b;
            s->n_holes++;
            i++;
        } else {
            h->hole_merges++; /* kept whole: the middle stays counted missing */
        }
        i++;
    }
}

/* Sequence space [start, end) of stream s was seen. */
static void stream_data(struct stream *s, uint32_t start, uint32_t end, struct mdec_health *h)
{
    if (!(s->flags & ST_SEQ)) {
        s->flags |= ST_SEQ;
        s->hi = end;
        if (!(s->flags & ST_ACKED) || seq_lt(s->acked, start) ||
            (uint32_t)(s->acked - start) > ACK_JUMP_MAX) {
            /* Nothing before the first segment seen is judged. */
            s->acked = start;
            s->flags |= ST_ACKED;
        } else if (seq_lt(end, s->acked)) {
            s->hi = s->acked; /* an ACK was ahead of it: a retransmission */
        }
        return;
    }
    if (seq_lt(s->hi, start)) {
        if ((uint32_t)(start - s->hi) > ACK_JUMP_MAX) { /* lost track: start again */
            s->n_holes = 0;
            s->acked = start;
        } else {
            hole_add(s, s->hi, start, h);
        }
        s->hi = end;
        return;
    }
    if (s->n_holes && start != end)
        hole_fill(s, start, end, h);
    if (seq_lt(s->hi, end))
        s->hi = end;
}

/* The peer acknowledged stream s up to a. */
static void stream_ack(struct stream *s, uint32_t a, struct mdec_health *h)
{
    if (!(s->flags & ST_ACKED)) {
        s->acked = a; /* a starting point, no event */
        s->flags |= ST_ACKED;
        return;
    }
    if (!seq_lt(s->acked, a))
        return; /* a duplicate or older ACK */
    if (!(s->flags & ST_SEEN)) {
        h->acks_one_way++; /* the sender was never seen: no evidence */
        s->acked = a;
        return;
    }
    if (!(s->flags & ST_SEQ) || (seq_lt(s->hi, a) && (uint32_t)(a - s->hi) > ACK_JUMP_MAX)) {
        /* Sender seen without a usable sequence number (RSTs only), or an
         * ACK far beyond everything: a new starting point. */
        s->acked = a;
        if (s->flags & ST_SEQ) {
            s->hi = a;
            s->n_holes = 0;
        }
        return;
    }
    uint64_t missing = 0;
    for (unsigned i = 0; i < s->n_holes;) {
        if (!seq_lt(s->hole_lo[i], a)) {
            i++;
            continue;
        }
        if (seq_lt(s->hole_hi[i], a) || s->hole_hi[i] == a) {
            missing += (uint32_t)(s->hole_hi[i] - s->hole_lo[i]);
            hole_remove(s, i);
            continue;
        }
        missing += (uint32_t)(a - s->hole_lo[i]);
        s->hole_lo[i] = a;
        i++;
    }
    if (seq_lt(s->hi, a)) {
        missing += (uint32_t)(a - (seq_lt(s->acked, s->hi) ? s->hi : s->acked));
        s->hi = a;
    }
    h->acks++;
    h->ack_bytes += (uint32_t)(a - s->acked);
    if (missing) {
        h->gaps++;
        h->gap_bytes += missing;
    }
    s->acked = a;
}

void mdec__loss_segment(struct flow *f, unsigned dir, const struct seg *sg, struct mdec_health *h)
{
    struct stream *mine = &f->st[dir], *peer = &f->st[dir ^ 1u];
    mine->flags |= ST_SEEN;
    if (!(sg->flags & TH_RST)) {
        const uint32_t syn = (sg->flags & TH_SYN) ? 1u : 0u, fin = (sg->flags & TH_FIN) ? 1u : 0u;
        const uint32_t end = sg->seq + syn + sg->len + fin;
        stream_data(mine, sg->seq, end, h);
    }
    if (sg->flags & TH_ACK)
        stream_ack(peer, sg->ack, h);
}
