/*
 * status.c - what a decoder found wrong: anomalies, the status they set, and
 * where bytes ran out (status.h).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "status.h"

/* ------------------------------------------------------------ anomalies */

/* Records an anomaly; `cause` (the one that sets the status) takes the last
 * slot when the array is full, so the reason for a status is never lost.
 * There is one cause per decode: whatever stops returns false, and every
 * caller then returns at once (status.h). */
static void record(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer,
                   uint32_t off, bool cause)
{
    struct mdec_result *r = d->res;
    if (r->n_anomalies_seen < UINT8_MAX)
        r->n_anomalies_seen++;
    struct mdec_anomaly *a;
    if (r->n_anomalies < MDEC_MAX_ANOMALIES)
        a = &r->anomalies[r->n_anomalies++];
    else if (cause)
        a = &r->anomalies[MDEC_MAX_ANOMALIES - 1];
    else
        return;
    a->code = (uint8_t)code;
    a->layer = (uint8_t)layer;
    a->depth = d->depth;
    a->pad_ = 0;
    a->off = off;
}

void mdec__note(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer, uint32_t off)
{
    record(d, code, layer, off, false);
}

static bool stop(struct dec *d, enum mdec_status status)
{
    d->res->status = (uint8_t)status;
    return false;
}

bool mdec__malformed(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer,
                     uint32_t off)
{
    record(d, code, layer, off, true);
    return stop(d, MDEC_STATUS_MALFORMED);
}

bool mdec__unsupported(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer,
                       uint32_t off)
{
    record(d, code, layer, off, true);
    return stop(d, MDEC_STATUS_UNSUPPORTED);
}

bool mdec__reserved(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer,
                    uint32_t off)
{
    record(d, code, layer, off, d->strict);
    if (!d->strict)
        return true;
    return stop(d, MDEC_STATUS_MALFORMED);
}

/*
 * Bytes of layer at off ran out, cut by `by`: MDEC_CUT_CAPTURE, _MIRROR or
 * _FRAGMENT, as a window's cut or beyond says (a window that ends short of
 * its wire end always says why: status.h, mdec__sub).
 */
static bool truncated_by(struct dec *d, uint32_t off, enum mdec_cut_by by, enum mdec_layer layer)
{
    static const uint8_t code[4] = {
        [MDEC_CUT_CAPTURE] = MDEC_A_CAPTURE_CUT,
        [MDEC_CUT_MIRROR] = MDEC_A_MIRROR_CUT,
        [MDEC_CUT_FRAGMENT] = MDEC_A_CARRIER_FRAGMENT,
    };
    struct mdec_result *r = d->res;
    record(d, (enum mdec_anomaly_code)code[by], layer, off, true);
    r->cut.by = (uint8_t)by;
    r->cut.layer = (uint8_t)layer;
    r->cut.depth = d->depth;
    r->cut.off = off;
    return stop(d, MDEC_STATUS_TRUNCATED);
}

bool mdec__truncated(struct dec *d, const struct win *w, enum mdec_layer layer)
{
    return truncated_by(d, w->off, (enum mdec_cut_by)w->cut, layer);
}

void mdec__need_slow(struct dec *d, const struct win *w, uint64_t n, enum mdec_layer layer,
                     enum mdec_anomaly_code beyond)
{
    if ((uint64_t)w->off + n > w->wire_end) {
        if (!w->beyond)
            (void)mdec__malformed(d, beyond, layer, w->off);
        else /* short of the stated end too: the capture ran out first if it did */
            (void)truncated_by(d, w->off,
                               (enum mdec_cut_by)(w->end < w->wire_end ? w->cut : w->beyond),
                               layer);
        return;
    }
    (void)mdec__truncated(d, w, layer);
}
