/*
 * status.h - how a protocol decoder reports what it found, and the windows
 * it reads through.  Never installed.
 *
 * The decoders depend downward only:
 *
 *   decode.c (the pipeline), fastpath.c
 *     -> tunnel.c (mdec__peel: a tunnel header into the stack)
 *       -> one <protocol>.c per protocol (proto.h)
 *         -> status.c (this header: anomalies, statuses, cuts)
 *           -> the readers (support/rd.h, support/base.h)
 *
 * A problem goes through the functions below, which record an anomaly, set
 * the status and tell the caller to stop (false) or go on (true).  Every
 * function that stops returns false, and every caller then returns at once,
 * up to the pipeline: a decode stops at most once.
 *
 * Truncated versus malformed: need() compares what a header needs with the
 * window.  Bytes past the window's wire end mean the layer contradicts its
 * carrier (malformed), unless the window is a tunnel payload, where a mirror
 * may have cut the packet short (truncated, by the mirror), or a first IP
 * fragment, whose datagram goes on in later fragments (win.beyond says).  Bytes
 * below the wire end but past the present end were cut by the capture or
 * the mirror, as the window's cut says.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_STATUS_H
#define MDEC_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base.h"
#include "mirrordec/decode.h"

/* Per-call decoder state. */
struct dec {
    const struct mdec_config *cfg;
    struct mdec_result *res;
    uint8_t depth;     /* tunnels peeled so far                         */
    uint8_t max_depth; /* cfg->max_depth clamped                        */
    bool strict;       /* MDEC_CFG_STRICT                               */
};

/* ------------------------------------------------- anomalies and statuses */

/* An anomaly that does not change the status (info). */
MDEC_HIDDEN void mdec__note(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer,
                            uint32_t off);
MDEC_HIDDEN bool mdec__malformed(struct dec *d, enum mdec_anomaly_code code,
                                 enum mdec_layer layer, uint32_t off);
MDEC_HIDDEN bool mdec__unsupported(struct dec *d, enum mdec_anomaly_code code,
                                   enum mdec_layer layer, uint32_t off);
/* Reserved bits were set: an anomaly; in strict mode also malformed. */
MDEC_HIDDEN bool mdec__reserved(struct dec *d, enum mdec_anomaly_code code,
                                enum mdec_layer layer, uint32_t off);
/* The bytes of layer at w ran out at w->end. */
MDEC_HIDDEN bool mdec__truncated(struct dec *d, const struct win *w, enum mdec_layer layer);

/* mdec__need() when the bytes are not all present: records why. */
MDEC_HIDDEN void mdec__need_slow(struct dec *d, const struct win *w, uint64_t n,
                                 enum mdec_layer layer, enum mdec_anomaly_code beyond);

/*
 * The window helpers below run several times per layer: they are inline
 * so that each decoder keeps its window in registers (a call per helper
 * cost about a seventh of a decode).
 */

/*
 * n bytes at the start of w are needed for layer.  True when present;
 * otherwise records truncation, or `beyond` (malformed) when the bytes lie
 * past a hard wire end, and returns false.
 */
static inline bool mdec__need(struct dec *d, const struct win *w, uint64_t n,
                              enum mdec_layer layer, enum mdec_anomaly_code beyond)
{
    if (MDEC_LIKELY(rd_has(w, 0, n)))
        return true;
    mdec__need_slow(d, w, n, layer, beyond);
    return false;
}

/*
 * The reader idiom for a header of n bytes at rel in w: need() (bytes
 * present, or the truncated / malformed decision recorded) and rd_view() in
 * one.  Returns a view of the n bytes, to read with rd_get16/24/32/64, or
 * NULL after recording why they are missing.
 */
static inline const uint8_t *mdec__need_view(struct dec *d, const struct win *w, uint32_t rel,
                                             uint32_t n, enum mdec_layer layer,
                                             enum mdec_anomaly_code beyond)
{
    const uint8_t *h = rd_view(w, rel, n);
    if (MDEC_LIKELY(h != NULL))
        return h;
    mdec__need_slow(d, w, (uint64_t)rel + n, layer, beyond);
    return NULL;
}

/* ---------------------------------------------------------------- windows */

/*
 * The window of a layer that starts at w and states its own length as len.
 * False when len reaches past w's hard wire end (the caller reports that as
 * malformed); a w with `beyond` set accepts it as a cut.
 */
static inline bool mdec__sub(const struct win *w, uint64_t len, struct win *out)
{
    const uint64_t wend = (uint64_t)w->off + len;
    if (wend > w->wire_end && !w->beyond)
        return false;
    out->p = w->p;
    out->off = w->off;
    const uint64_t end = wend < w->end ? wend : w->end; /* >= off */
    out->end = (uint32_t)end;
    out->wire_end = wend;
    out->beyond = 0;
    if (w->end >= wend) /* the layer is wholly there */
        out->cut = MDEC_CUT_NONE;
    else if (w->end < w->wire_end)
        out->cut = w->cut;
    else
        out->cut = w->beyond;
    return true;
}

/* The first len bytes of w, which need() found present: a layer wholly there. */
static inline struct win mdec__head(const struct win *w, uint32_t len)
{
    struct win out = *w;
    out.end = w->off + len;
    out.wire_end = out.end;
    out.cut = MDEC_CUT_NONE;
    out.beyond = 0;
    return out;
}

/*
 * The rest of w from rel on, with w's wire end and `beyond`.  The rel bytes
 * before it are a header that need() found present, so off <= end holds.
 */
static inline struct win mdec__rest(const struct win *w, uint32_t rel)
{
    struct win out = *w;
    out.off = w->off + rel;
    return out;
}

/* The payload of a tunnel whose header ends rel bytes into w: its inner
 * packet may state more than w held (beyond = MDEC_CUT_MIRROR). */
static inline struct win mdec__tunnel_payload(const struct win *w, uint32_t rel)
{
    struct win out = mdec__rest(w, rel);
    /* A tunnel whose carrier is a first fragment (GRE straight on IP) has
     * the rest of its payload in later fragments, not cut by a mirror. */
    out.beyond = w->beyond == MDEC_CUT_FRAGMENT ? MDEC_CUT_FRAGMENT : MDEC_CUT_MIRROR;
    return out;
}

#endif /* MDEC_STATUS_H */
