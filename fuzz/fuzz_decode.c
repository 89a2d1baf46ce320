/*
 * fuzz_decode.c - mdec_decode() at every link type, with settings taken from
 * the input.
 *
 * Input (fuzz/README.md has the details):
 *   1 byte       link type: index % 10 into linktypes[] below (every
 *                MDEC_LINK_*, the DLT_RAW aliases 12 and 14, two invalid)
 *   2 + 3k bytes decoder settings (fuzz_take_config: strict, source port
 *                matching, max_depth, port map changes)
 *   7 bytes      wire length mode and value, capture cut (fuzz_take_lengths)
 *   the rest     the frame
 *
 * fuzz_decode_all() decodes the frame from an exactly sized heap copy, checks
 * every invariant of a result, decodes it a second time into a differently
 * poisoned result (the two must agree), walks each GENEVE tunnel's options,
 * then decodes a capture cut of the frame and checks it agrees with the full
 * decode.  Any violation aborts.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "fuzz_check.h"

static const int linktypes[] = {
    MDEC_LINK_ETHERNET, MDEC_LINK_RAW, MDEC_LINK_LINUX_SLL, MDEC_LINK_IPV4,
    MDEC_LINK_IPV6, MDEC_LINK_LINUX_SLL2,
    12,  /* DLT_RAW on most systems */
    14,  /* DLT_RAW on OpenBSD */
    0,   /* DLT_NULL: unsupported */
    147, /* LINKTYPE_USER0: unsupported */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct mdec_config cfg;
    struct fuzz_lengths len;
    const int linktype = linktypes[fuzz_u8(&in) % (sizeof linktypes / sizeof linktypes[0])];
    fuzz_take_config(&in, &cfg);
    fuzz_take_lengths(&in, &len);
    const struct fuzz_call call = {&cfg, linktype, NULL};
    fuzz_decode_all(&call, in.p, in.n, &len);
    return 0;
}
