/*
 * pcapngw.c - the blocks of a pcapng file, built into memory.  pcapw.c
 * writes them out (whole blocks or nothing) and owns the files.
 *
 * Reference: draft-ietf-opsawg-pcapng ("PCAP Next Generation (pcapng)
 * Capture File Format"), sections 3 (general block structure), 4.1 (SHB),
 * 4.2 (IDB) and 4.3 (EPB).  Every block is written in the host's byte order,
 * which the Section Header Block's byte-order magic tells readers.
 *
 * A file: one section, its Interface Description Blocks written before the
 * first packet of their interface (the draft allows them anywhere in the
 * section before their first use), the packets in between:
 *
 *   +-----+-----+-----+-----+-----+-----+-----+-----+
 *   | SHB | IDB | EPB | EPB | IDB | EPB | EPB | ... |
 *   +-----+-----+-----+-----+-----+-----+-----+-----+
 *           if 0             if 1
 *
 * Every block: type (32), total length (32), body, options, total length
 * again; lengths are multiples of 4.  An option: code (16), length (16),
 * value padded to 4 bytes; a list ends with opt_endofopt (code 0, length 0).
 *
 *   SHB  type 0x0A0D0D0A | len | byte-order magic 0x1A2B3C4D | major 1 |
 *        minor 0 | section length -1 (64 bits: not known) |
 *        shb_userappl (4) "mirrordec VERSION" | end | len
 *   IDB  type 1 | len | link type (16) | reserved (16) | snaplen (32) |
 *        if_name (2) | if_description (3) | if_tsresol (9) = 9 | end | len
 *   EPB  type 6 | len | interface id | timestamp high | timestamp low |
 *        captured length | original length | data, padded |
 *        epb_flags (2) (direction in bits 0-1) | end | len
 *
 * Timestamps count nanoseconds since 1970 (if_tsresol 9), 64 bits.  The
 * original length is the packet's length on the wire, beyond the captured
 * length when the mirror cut the copy.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <string.h>

#define SHB_TYPE 0x0A0D0D0Au
#define IDB_TYPE 1u
#define EPB_TYPE 6u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define OPT_END 0
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define EPB_FLAGS 2

static uint32_t pad4(size_t n)
{
    return (uint32_t)((n + 3u) & ~(size_t)3u);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

/* Appends one option at p (room checked by the caller); returns its size. */
static size_t put_opt(uint8_t *p, uint16_t code, const void *val, size_t len)
{
    put16(p, code);
    put16(p + 2, (uint16_t)len);
    memset(p + 4, 0, pad4(len));
    if (len)
        memcpy(p + 4, val, len);
    return 4u + pad4(len);
}

/* Option values longer than this are cut (names and keys are short). */
#define OPT_MAX 256u

static size_t text_len(const char *s)
{
    const size_t n = s ? strlen(s) : 0;
    return n > OPT_MAX ? OPT_MAX : n;
}

/* Ends the block that starts at buf and whose options end at p: the
 * options' end marker, then the type and the total length at the front
 * and the length again at the back.  Returns the total length. */
static uint32_t close_block(uint8_t *buf, uint8_t *p, uint32_t type)
{
    p += put_opt(p, OPT_END, NULL, 0);
    const uint32_t total = (uint32_t)(p - buf) + 4u;
    put32(buf, type);
    put32(buf + 4, total);
    put32(p, total);
    return total;
}

size_t mt_pcapng_shb(uint8_t *buf)
{
    char appl[64];
    snprintf(appl, sizeof appl, "mirrordec %s", mdec_version());
    const size_t alen = strlen(appl);
    uint8_t *p = buf + 8;
    put32(p, BYTE_ORDER_MAGIC);
    put16(p + 4, 1);
    put16(p + 6, 0);
    memset(p + 8, 0xff, 8); /* section length: not known */
    p += 16;
    p += put_opt(p, SHB_USERAPPL, appl, alen);
    return close_block(buf, p, SHB_TYPE);
}

size_t mt_pcapng_idb(uint8_t *buf, int linktype, uint32_t snaplen, const char *name,
                     const char *desc)
{
    uint8_t *p = buf + 8;
    put16(p, (uint16_t)linktype);
    put16(p + 2, 0);
    put32(p + 4, snaplen);
    p += 8;
    if (name && *name)
        p += put_opt(p, IF_NAME, name, text_len(name));
    if (desc && *desc)
        p += put_opt(p, IF_DESCRIPTION, desc, text_len(desc));
    const uint8_t resol = 9; /* 10^-9 s */
    p += put_opt(p, IF_TSRESOL, &resol, 1);
    return close_block(buf, p, IDB_TYPE);
}

uint32_t mt_pcapng_epb_len(uint32_t cap)
{
    return 28u + pad4(cap) + 8u /* epb_flags */ + 4u /* end */ + 4u;
}

void mt_pcapng_epb(uint8_t *buf, uint32_t ifid, uint64_t ts_ns, const uint8_t *data, uint32_t cap,
                   uint32_t wire, int dir)
{
    const uint32_t total = mt_pcapng_epb_len(cap);
    put32(buf, EPB_TYPE);
    put32(buf + 4, total);
    put32(buf + 8, ifid);
    put32(buf + 12, (uint32_t)(ts_ns >> 32));
    put32(buf + 16, (uint32_t)ts_ns);
    put32(buf + 20, cap);
    put32(buf + 24, wire);
    memcpy(buf + 28, data, cap);
    memset(buf + 28 + cap, 0, pad4(cap) - cap);
    uint8_t *p = buf + 28 + pad4(cap);
    /* epb_flags bits 0-1: 01 inbound, 10 outbound, 00 not known. */
    const uint32_t flags = dir == MDEC_DIR_INGRESS ? 1u : dir == MDEC_DIR_EGRESS ? 2u : 0u;
    p += put_opt(p, EPB_FLAGS, &flags, 4);
    p += put_opt(p, OPT_END, NULL, 0);
    put32(p, total);
}

int mt_pcapng_block(const uint8_t *p, size_t n, uint32_t *type, uint32_t *len)
{
    if (n < 12)
        return 0;
    memcpy(type, p, 4);
    memcpy(len, p + 4, 4);
    return *len >= 12 && *len <= n;
}
