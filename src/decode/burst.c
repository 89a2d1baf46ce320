/*
 * burst.c - mdec_decode_burst(): many frames, each decoded exactly as one
 * call of mdec_decode() or mdec_decode_udp() would, while the first bytes of
 * the frames ahead are fetched into the cache.
 *
 * A receive path hands over frames that it has just written to memory (a
 * NIC's DMA, the kernel's copy to a ring or socket buffer): their first
 * cache lines are rarely in the cache when the decoder starts on them.  A
 * frame's headers take one or two lines (an AWS VXLAN mirror's inner TCP
 * header ends at byte 104), so asking for the next frames' first two lines
 * while the current one is decoded hides most of that wait.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "internal.h"

#define AHEAD 2 /* frames fetched ahead of the one decoded */

static inline void fetch(const struct mdec_frame *f)
{
#if defined(__GNUC__)
    if (f->data != NULL && f->cap_len > 0) {
        __builtin_prefetch(f->data, 0, 3);
        if (f->cap_len > 64)
            __builtin_prefetch(f->data + 64, 0, 3);
    }
#else
    (void)f;
#endif
}

size_t mdec_decode_burst(const struct mdec_config *cfg, int linktype,
                         const struct mdec_frame *frames, const struct mdec_udp_meta *meta,
                         size_t n, struct mdec_result *res)
{
    if (cfg == NULL || frames == NULL || res == NULL)
        return 0;
    for (size_t i = 0; i < n && i < AHEAD; i++)
        fetch(&frames[i]);
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n)
            fetch(&frames[i + AHEAD]);
        const struct mdec_frame *f = &frames[i];
        const enum mdec_status st =
            meta ? mdec_decode_udp(cfg, f->data, f->cap_len, f->wire_len, &meta[i], &res[i])
                 : mdec_decode(cfg, linktype, f->data, f->cap_len, f->wire_len, &res[i]);
        ok += st == MDEC_STATUS_OK;
    }
    return ok;
}
