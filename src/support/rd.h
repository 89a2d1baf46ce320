/*
 * rd.h - the only way mirrordec reads packet bytes.
 *
 * A struct win is one layer's view of the frame: where it starts, how many of
 * its bytes are present (end) and how many it had on the wire (wire_end).
 * One idiom reads a header: rd_view() checks that all of its bytes lie
 * below the window's end and hands out a pointer to them (or NULL), then
 * rd_get16/24/32/64 load its fields with shifts (never a cast or struct
 * overlay).  Headers at a computed position (VLAN tags, IPv6 extension
 * headers, GRE routing entries) are viewed at that position the same way.
 * Length arithmetic is done in 64 bits, so no check can overflow.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_RD_H
#define MDEC_RD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Every window keeps off <= end <= wire_end: the helpers that make them
 * (internal.h) guarantee it, and the span and inner lengths rely on it. */
struct win {
    const uint8_t *p;  /* the frame (offsets below count from p[0])          */
    uint32_t off;      /* first byte of the layer                            */
    uint32_t end;      /* bytes present end here (absolute, <= frame cap)    */
    uint64_t wire_end; /* the layer ended here on the wire (absolute)        */
    uint8_t cut;       /* enum mdec_cut_by: why end < wire_end               */
    uint8_t beyond;    /* 0: wire_end is a hard limit, a layer inside that
                          claims more is malformed.  MDEC_CUT_MIRROR: this is
                          a tunnel payload whose inner packet may claim more
                          because a mirror cut it; MDEC_CUT_FRAGMENT: an IP
                          fragment whose datagram continues elsewhere      */
};

/* True when n bytes at rel (relative to w->off) are present. */
static inline bool rd_has(const struct win *w, uint64_t rel, uint64_t n)
{
    return (uint64_t)w->off + rel + n <= w->end;
}

/*
 * A pointer to the n present bytes at rel, or NULL when they are not all
 * present: a header is viewed once, then read field by field with the
 * loads below.  Decoders take their views through mdec__need_view()
 * (decode/status.h), which also says why the bytes are missing.
 */
static inline const uint8_t *rd_view(const struct win *w, uint64_t rel, uint64_t n)
{
    return rd_has(w, rel, n) ? w->p + w->off + rel : NULL;
}

/* Big-endian loads from a view that rd_view() returned, within its n bytes. */
static inline uint16_t rd_get16(const uint8_t *b)
{
    return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static inline uint32_t rd_get24(const uint8_t *b)
{
    return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

static inline uint32_t rd_get32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t rd_get64(const uint8_t *b)
{
    return (uint64_t)rd_get32(b) << 32 | rd_get32(b + 4);
}

#endif /* MDEC_RD_H */
