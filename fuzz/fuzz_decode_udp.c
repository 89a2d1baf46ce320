/*
 * fuzz_decode_udp.c - mdec_decode_udp(), a tunnel header at the first byte of
 * a UDP payload as a socket delivers it, with settings and the datagram's
 * struct mdec_udp_meta taken from the input.
 *
 * Input (fuzz/README.md has the details):
 *   2 + 3k bytes decoder settings (fuzz_take_config)
 *   7 bytes      wire length mode and value, capture cut (fuzz_take_lengths)
 *   4 bytes      source port, destination port (big-endian)
 *   1 byte       address families: bits 0-1 source, bits 2-3 destination
 *                (0 unknown, 1 IPv4, 2 and 3 IPv6)
 *   0/4/16 bytes the source address, then the destination address
 *   the rest     the UDP payload
 *
 * Checks as fuzz_decode.c, and that the port map picked the tunnel type and
 * tunnels[0] carries the ports and addresses of meta.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "fuzz_check.h"

static void take_addr(struct fuzz_in *in, unsigned family, struct mdec_addr *a)
{
    memset(a, 0, sizeof *a);
    if (family == 0)
        return;
    const unsigned n = family == 1 ? 4 : 16;
    a->family = family == 1 ? MDEC_AF_IPV4 : MDEC_AF_IPV6;
    for (unsigned i = 0; i < n; i++)
        a->a[i] = fuzz_u8(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct mdec_config cfg;
    struct fuzz_lengths len;
    struct mdec_udp_meta meta;
    fuzz_take_config(&in, &cfg);
    fuzz_take_lengths(&in, &len);
    memset(&meta, 0, sizeof meta);
    meta.sport = fuzz_be16(&in);
    meta.dport = fuzz_be16(&in);
    const uint8_t fam = fuzz_u8(&in);
    take_addr(&in, fam & 3, &meta.src);
    take_addr(&in, (fam >> 2) & 3, &meta.dst);
    const struct fuzz_call call = {&cfg, 0, &meta};
    fuzz_decode_all(&call, in.p, in.n, &len);
    return 0;
}
