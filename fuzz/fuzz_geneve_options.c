/*
 * fuzz_geneve_options.c - the public GENEVE option iterator
 * (mdec_geneve_iter_init / mdec_geneve_next) on bytes from the input.
 *
 * Input (fuzz/README.md has the details):
 *   1 byte    flags: bit 0 the stated length is 2^32 - 1 + len (beyond what
 *             the iterator keeps), bit 1 hand in NULL as the options, bit 2
 *             strict mode for the packet decode below
 *   2 bytes   len: option bytes the header states (big-endian)
 *   2 bytes   cap: option bytes present (big-endian), at most what follows
 *   the rest  the option bytes; exactly cap of them are copied to the heap
 *
 * Checks: the walk ends (every option takes at least 4 bytes), each option
 * is the one an independent walk of the same bytes finds (class, type,
 * flags, length, and its data inside the cap bytes handed in), the walk ends
 * the way that walk does (END only when the options add up to len exactly,
 * TRUNCATED when the next option is not wholly present, MALFORMED when it
 * runs past len), and END, TRUNCATED and MALFORMED are sticky.
 *
 * When the options are wholly present and len fits a GENEVE header (a
 * multiple of 4, at most 252), they are also put behind a GENEVE header and
 * decoded with mdec_decode_udp(): the decoder must accept exactly the
 * options the iterator accepts, and the result is checked as fuzz_decode
 * checks one (fuzz_check_geneve compares its AWS / Google fields with the
 * options the iterator finds).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

/* The option walk as RFC 8926 section 3.5 defines it, written apart from
 * the library's: each step's outcome and the option's length. */
static int ref_step(const uint8_t *b, uint64_t cap, uint64_t len, uint64_t pos, uint32_t *dlen)
{
    if (pos >= len)
        return MDEC_ITER_END;
    if (pos + 4 > len)
        return MDEC_ITER_MALFORMED;
    if (pos + 4 > cap)
        return MDEC_ITER_TRUNCATED;
    *dlen = (uint32_t)(b[pos + 3] & 0x1F) * 4;
    if (pos + 4 + *dlen > len)
        return MDEC_ITER_MALFORMED;
    if (pos + 4 + *dlen > cap)
        return MDEC_ITER_TRUNCATED;
    return MDEC_ITER_OPTION;
}

/* Walks opts with the iterator and the reference side by side; returns how
 * the walk ended and whether an option had reserved bits set. */
static int walk(const uint8_t *opts, size_t cap, size_t len, int *reserved)
{
    struct mdec_geneve_iter it;
    struct mdec_geneve_opt o;
    mdec_geneve_iter_init(&it, opts, cap, len);
    /* What the iterator is documented to keep: 32-bit lengths, cap <= len. */
    const uint64_t L = len > UINT32_MAX ? UINT32_MAX : len;
    const uint64_t C = opts == NULL ? 0 : cap > L ? L : cap;
    uint64_t pos = 0;
    unsigned steps = 0;
    int rc;
    *reserved = 0;
    for (;;) {
        uint32_t dlen = 0;
        const int want = ref_step(opts, C, L, pos, &dlen);
        rc = mdec_geneve_next(&it, &o);
        if (rc != want)
            fuzz_fail("option at %llu: iterator says %d, expected %d", (unsigned long long)pos,
                      rc, want);
        if (rc != MDEC_ITER_OPTION)
            break;
        FUZZ_CHECK(++steps <= C / 4); /* it ends */
        FUZZ_CHECK(o.data == opts + pos + 4);
        FUZZ_CHECK(pos + 4 + o.len <= C); /* the data lies in what was handed in */
        FUZZ_CHECK(o.cls == (opts[pos] << 8 | opts[pos + 1]));
        FUZZ_CHECK(o.type == opts[pos + 2] && o.flags == opts[pos + 3] >> 5 && o.len == dlen);
        if (o.flags)
            *reserved = 1;
        pos += 4 + (uint64_t)dlen;
    }
    for (int k = 0; k < 3; k++)
        FUZZ_CHECK(mdec_geneve_next(&it, &o) == rc); /* sticky */
    if (rc == MDEC_ITER_END)
        FUZZ_CHECK(pos == L); /* the lengths add up */
    else
        FUZZ_CHECK(pos < L);
    return rc;
}

/* The options behind a GENEVE header, decoded as a UDP payload to 6081. */
static void decode_as_packet(const uint8_t *opts, uint32_t len, int strict, int walked,
                             int reserved)
{
    struct mdec_config cfg;
    struct mdec_udp_meta meta;
    struct mdec_result *r = fuzz_malloc(sizeof *r);
    uint8_t *pkt = fuzz_malloc(8 + (size_t)len);
    mdec_config_init(&cfg);
    if (strict)
        cfg.flags |= MDEC_CFG_STRICT;
    memset(&meta, 0, sizeof meta);
    meta.sport = 49152;
    meta.dport = 6081;
    /* Version 0, Opt Len, no flags, Ethernet, VNI 0x123456. */
    const uint8_t hdr[8] = {(uint8_t)(len / 4), 0, 0x65, 0x58, 0x12, 0x34, 0x56, 0};
    memcpy(pkt, hdr, sizeof hdr);
    if (len)
        memcpy(pkt + 8, opts, len);
    memset(r, 0xA5, sizeof *r);
    mdec_decode_udp(&cfg, pkt, 8 + (size_t)len, 8 + (size_t)len, &meta, r);
    fuzz_check_result(r, pkt, 8 + (size_t)len);
    fuzz_check_geneve(r);

    FUZZ_CHECK(r->n_tunnels == 1 && r->tunnels[0].type == MDEC_TUNNEL_GENEVE);
    const int complete = (r->tunnels[0].flags & MDEC_TF_COMPLETE) != 0;
    const int malformed = r->status == MDEC_STATUS_MALFORMED;
    const int opt_len = mdec_result_has_anomaly(r, MDEC_A_GENEVE_OPT_LEN);
    const int dropped = r->n_anomalies_seen > r->n_anomalies; /* anomalies[] was full */
    if (complete)
        FUZZ_CHECK(walked == MDEC_ITER_END && !opt_len);
    if (opt_len)
        FUZZ_CHECK(walked != MDEC_ITER_END && malformed);
    /* Strict mode refuses a repeated cloud option (two GWLB endpoint ids,
     * two cookies, ...) as it refuses reserved bits: the packet is malformed
     * wherever the repeat stands. */
    const int dup = mdec_result_has_anomaly(r, MDEC_A_GENEVE_DUP_OPTION);
    if (strict && dup)
        FUZZ_CHECK(malformed && !complete);
    if (!strict || (!reserved && !dup)) {
        /* Nothing else can stop the decoder inside the options. */
        FUZZ_CHECK(complete == (walked == MDEC_ITER_END));
        if (walked != MDEC_ITER_END)
            FUZZ_CHECK(malformed && (opt_len || dropped));
    }
    free(pkt);
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint8_t flags = fuzz_u8(&in);
    size_t len = fuzz_be16(&in);
    size_t cap = fuzz_be16(&in);
    if (cap > in.n)
        cap = in.n;
    if (flags & 1)
        len += (size_t)UINT32_MAX;
    int reserved;
    if (flags & 2) {
        /* NULL options, whatever cap says: the iterator must not touch them. */
        (void)walk(NULL, cap, len, &reserved);
        return 0;
    }
    /* Exactly cap bytes on the heap: ASan sees any read past them. */
    uint8_t *opts = NULL;
    if (cap > 0) {
        opts = fuzz_malloc(cap);
        memcpy(opts, in.p, cap);
    }
    const int rc = walk(opts, cap, len, &reserved);
    if (len <= 252 && len % 4 == 0 && cap >= len)
        decode_as_packet(opts, (uint32_t)len, (flags & 4) != 0, rc, reserved);
    free(opts);
    return 0;
}
