/*
 * burst.c - mdec_decode_burst(): many frames, each decoded exactly as one
 * call of mdec_decode() or mdec_decode_udp() would.
 *
 * It used to fetch the first two cache lines of the frames two ahead of the
 * one decoded (__builtin_prefetch).  Measured on the benchmark (bench/README.md,
 * "Bursts"), that made no difference with the frames in the cache and cost
 * about 5 % with a million frames streaming from memory, where the
 * hardware's prefetcher already follows the frames; so the frames are read
 * as they come.  The burst's gain is in the session table's burst call,
 * which does overlap its lookups.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "internal.h"

size_t mdec_decode_burst(const struct mdec_config *cfg, int linktype,
                         const struct mdec_frame *frames, const struct mdec_udp_meta *meta,
                         size_t n, struct mdec_result *res)
{
    if (cfg == NULL || frames == NULL || res == NULL)
        return 0;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        const struct mdec_frame *f = &frames[i];
        const enum mdec_status st =
            meta ? mdec_decode_udp(cfg, f->data, f->cap_len, f->wire_len, &meta[i], &res[i])
                 : mdec_decode(cfg, linktype, f->data, f->cap_len, f->wire_len, &res[i]);
        ok += st == MDEC_STATUS_OK;
    }
    return ok;
}
