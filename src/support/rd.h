/*
 * rd.h - the only way mirrordec reads packet bytes.
 *
 * A struct win is one layer's view of the frame: where it starts, how many of
 * its bytes are present (end) and how many it had on the wire (wire_end).
 * Readers take a window and an offset relative to its start, check that the
 * bytes lie below the window's end before touching them, load with shifts
 * (never a cast or struct overlay), and report failure instead of reading.
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

/* Bytes present from rel to the window's end (0 when rel is past it). */
static inline uint32_t rd_avail(const struct win *w, uint64_t rel)
{
    uint64_t at = (uint64_t)w->off + rel;
    return at < w->end ? (uint32_t)(w->end - at) : 0;
}

static inline bool rd_u8(const struct win *w, uint32_t rel, uint8_t *v)
{
    if (!rd_has(w, rel, 1))
        return false;
    *v = w->p[w->off + rel];
    return true;
}

static inline bool rd_be16(const struct win *w, uint32_t rel, uint16_t *v)
{
    if (!rd_has(w, rel, 2))
        return false;
    const uint8_t *b = w->p + w->off + rel;
    *v = (uint16_t)((unsigned)b[0] << 8 | b[1]);
    return true;
}

static inline bool rd_be24(const struct win *w, uint32_t rel, uint32_t *v)
{
    if (!rd_has(w, rel, 3))
        return false;
    const uint8_t *b = w->p + w->off + rel;
    *v = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
    return true;
}

static inline bool rd_be32(const struct win *w, uint32_t rel, uint32_t *v)
{
    if (!rd_has(w, rel, 4))
        return false;
    const uint8_t *b = w->p + w->off + rel;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return true;
}

static inline bool rd_be64(const struct win *w, uint32_t rel, uint64_t *v)
{
    if (!rd_has(w, rel, 8))
        return false;
    const uint8_t *b = w->p + w->off + rel;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | b[i];
    *v = x;
    return true;
}

/* Copies n bytes at rel into dst. */
static inline bool rd_copy(const struct win *w, uint32_t rel, void *dst, uint32_t n)
{
    if (!rd_has(w, rel, n))
        return false;
    memcpy(dst, w->p + w->off + rel, n);
    return true;
}

/* A pointer to n present bytes at rel, or NULL: for views handed out, and
 * for a header read field by field with the loads below. */
static inline const uint8_t *rd_view(const struct win *w, uint32_t rel, uint32_t n)
{
    return rd_has(w, rel, n) ? w->p + w->off + rel : NULL;
}

/* Big-endian loads from a view that rd_view() returned, within its n bytes. */
static inline uint16_t rd_get16(const uint8_t *b)
{
    return (uint16_t)((unsigned)b[0] << 8 | b[1]);
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
