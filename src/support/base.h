/*
 * base.h - what every part of the library shares: visibility and branch
 * hints, the packet readers (rd.h), and address helpers.  Never installed.
 *
 * The layers depend downward only: support/ (this, text, names) below
 * decode/, session/ and filter/, which include their own *_int.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_BASE_H
#define MDEC_BASE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mirrordec/common.h"
#include "rd.h"

#if defined(__GNUC__)
#define MDEC_HIDDEN __attribute__((visibility("hidden")))
#define MDEC_LIKELY(x) __builtin_expect(!!(x), 1)
#define MDEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Keeps a rare path out of its caller, so the caller's common path needs
 * no stack frame. */
#define MDEC_NOINLINE __attribute__((noinline))
#else
#define MDEC_HIDDEN
#define MDEC_NOINLINE
#define MDEC_LIKELY(x) (x)
#define MDEC_UNLIKELY(x) (x)
#endif

/* Saturating conversion for public 32-bit lengths. */
static inline uint32_t mdec__u32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* An IPv4 (4 bytes) or IPv6 (16 bytes) address from header bytes; an
 * IPv4 address's bytes past the fourth are zeroed, as common.h promises. */
static inline void mdec__addr_set(struct mdec_addr *a, enum mdec_family family,
                                  const uint8_t *bytes)
{
    a->family = (uint8_t)family;
    if (family == MDEC_AF_IPV4) {
        memset(a->a + 4, 0, sizeof a->a - 4);
        memcpy(a->a, bytes, 4);
    } else {
        memcpy(a->a, bytes, sizeof a->a);
    }
}

/*
 * An address's 16 bytes as two 64-bit words in memory order, only the bytes
 * its family uses kept (IPv4: the first four, whatever the rest holds; no
 * family: none); m gets those bytes' mask.  Two addresses of one family are
 * equal exactly when their words are.
 */
static inline void mdec__addr_words(const struct mdec_addr *a, uint64_t w[2], uint64_t m[2])
{
    static const uint8_t masks[3][16] = {
        {0},
        {0xFF, 0xFF, 0xFF, 0xFF},
        {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
         0xFF}};
    const unsigned f = a->family == MDEC_AF_IPV4 ? 1u : a->family == MDEC_AF_IPV6 ? 2u : 0u;
    memcpy(m, masks[f], 16);
    memcpy(w, a->a, 16);
    w[0] &= m[0];
    w[1] &= m[1];
}

/*
 * 1 when addr lies inside prefix (mdec_prefix_contains(), inline for the
 * session table's per-packet allow-list check): the first len bits as two
 * big-endian 64-bit words under a mask.
 */
static inline int mdec__prefix_contains(const struct mdec_prefix *prefix,
                                        const struct mdec_addr *addr)
{
    if (prefix->addr.family != addr->family || addr->family == MDEC_AF_NONE)
        return 0;
    const unsigned max = addr->family == MDEC_AF_IPV4 ? 32 : 128;
    const unsigned bits = prefix->len > max ? max : prefix->len;
    const uint64_t ones = ~UINT64_C(0);
    const uint64_t m0 = bits == 0 ? 0 : bits >= 64 ? ones : ones << (64 - bits);
    const uint64_t m1 = bits <= 64 ? 0 : bits >= 128 ? ones : ones << (128 - bits);
    const uint64_t d0 = rd_get64(prefix->addr.a) ^ rd_get64(addr->a);
    const uint64_t d1 = rd_get64(prefix->addr.a + 8) ^ rd_get64(addr->a + 8);
    return ((d0 & m0) | (d1 & m1)) == 0;
}

/* Ethertypes and protocol numbers the decoders and the filter use. */
enum {
    ETH_IPV4 = 0x0800,
    ETH_ARP = 0x0806,
    ETH_TEB = 0x6558, /* transparent Ethernet bridging */
    ETH_VLAN = 0x8100,
    ETH_QINQ = 0x88A8,
    ETH_QINQ_OLD = 0x9100,
    ETH_IPV6 = 0x86DD,
    ETH_ERSPAN_II = 0x88BE,
    ETH_ERSPAN_III = 0x22EB,
    IPPROTO_ICMP_ = 1,
    IPPROTO_TCP_ = 6,
    IPPROTO_UDP_ = 17,
    IPPROTO_GRE_ = 47,
    IPPROTO_ESP_ = 50,
    IPPROTO_ICMPV6_ = 58,
    IPPROTO_SCTP_ = 132
};

#endif /* MDEC_BASE_H */
