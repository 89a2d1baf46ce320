/*
 * community_id.c - Community ID v1 of a flow key
 * (https://github.com/corelight/community-id-spec).
 *
 * The hash input, 32-bit aligned, network byte order:
 *
 *    0      2                        2+A                 2+2A   +1  +2     +4     +6
 *   +------+------------------------+------------------------+----+----+------+------+
 *   | seed | first address (4 / 16) | second address (4 / 16) | pr | 00 | port | port |
 *   +------+------------------------+------------------------+----+----+------+------+
 *
 * The ports are present for TCP, UDP, SCTP, ICMP and ICMPv6 only.  The
 * endpoints are ordered, smaller address first (equal addresses: smaller
 * port first), except for one-way ICMP types, which keep the packet's
 * order.  ICMP's "ports" are the type and either the counterpart type
 * (request/reply pairs) or the code (one-way types), from the spec's
 * tables, which are Zeek's.  The result is "1:" and the base64 of the
 * SHA-1 digest.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "flow_int.h"

enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58, PROTO_SCTP = 132 };

/* The counterpart of an ICMP request or reply type, or -1 for a one-way type. */
static int icmp4_counterpart(uint8_t type)
{
    switch (type) {
    case 8: return 0;   /* echo                    */
    case 0: return 8;   /* echo reply              */
    case 13: return 14; /* timestamp               */
    case 14: return 13; /* timestamp reply         */
    case 15: return 16; /* information request     */
    case 16: return 15; /* information reply       */
    case 10: return 9;  /* router solicitation     */
    case 9: return 10;  /* router advertisement    */
    case 17: return 18; /* address mask request    */
    case 18: return 17; /* address mask reply      */
    default: return -1;
    }
}

static int icmp6_counterpart(uint8_t type)
{
    switch (type) {
    case 128: return 129; /* echo request            */
    case 129: return 128; /* echo reply              */
    case 130: return 131; /* MLD listener query      */
    case 131: return 130; /* MLD listener report     */
    case 133: return 134; /* router solicitation     */
    case 134: return 133; /* router advertisement    */
    case 135: return 136; /* neighbour solicitation  */
    case 136: return 135; /* neighbour advertisement */
    case 139: return 140; /* who-are-you request     */
    case 140: return 139; /* who-are-you reply       */
    case 144: return 145; /* home agent address discovery request */
    case 145: return 144; /* home agent address discovery reply   */
    default: return -1;
    }
}

int mdec_community_id_digest(const struct mdec_flow *flow, uint16_t seed, uint8_t digest[20])
{
    if (flow == NULL || digest == NULL) {
        if (digest != NULL)
            memset(digest, 0, 20); /* the NULL policy: cleared */
        return MDEC_E_INVALID;
    }
    const unsigned want = MDEC_FLOW_IP | MDEC_FLOW_PROTO;
    if ((flow->flags & want) != want)
        return 0;
    unsigned alen;
    if (flow->src.family == MDEC_AF_IPV4 && flow->dst.family == MDEC_AF_IPV4)
        alen = 4;
    else if (flow->src.family == MDEC_AF_IPV6 && flow->dst.family == MDEC_AF_IPV6)
        alen = 16;
    else
        return 0;

    const uint8_t proto = flow->proto;
    int ports = 0, one_way = 0;
    uint16_t sport = 0, dport = 0;
    switch (proto) {
    case PROTO_TCP:
    case PROTO_UDP:
    case PROTO_SCTP:
        if (!(flow->flags & MDEC_FLOW_PORTS) || (flow->flags & MDEC_FLOW_FRAGMENT))
            return 0;
        ports = 1;
        sport = flow->sport;
        dport = flow->dport;
        break;
    case PROTO_ICMP:
    case PROTO_ICMPV6: {
        if (!(flow->flags & MDEC_FLOW_ICMP) || (flow->flags & MDEC_FLOW_FRAGMENT))
            return 0;
        const int other = proto == PROTO_ICMP ? icmp4_counterpart(flow->icmp_type)
                                              : icmp6_counterpart(flow->icmp_type);
        ports = 1;
        sport = flow->icmp_type;
        if (other < 0) {
            one_way = 1;
            dport = flow->icmp_code;
        } else {
            dport = (uint16_t)other;
        }
        break;
    }
    default:
        break;
    }

    /* Order the endpoints: smaller address first; equal addresses, smaller
     * port first.  One-way ICMP keeps the packet's order. */
    const uint8_t *a = flow->src.a, *b = flow->dst.a;
    int swap = 0;
    if (!one_way) {
        const int cmp = memcmp(a, b, alen);
        swap = cmp > 0 || (cmp == 0 && ports && sport > dport);
    }
    if (swap) {
        const uint8_t *t = a;
        a = b;
        b = t;
        const uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }

    uint8_t in[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    in[n++] = (uint8_t)(seed >> 8);
    in[n++] = (uint8_t)seed;
    memcpy(in + n, a, alen);
    n += alen;
    memcpy(in + n, b, alen);
    n += alen;
    in[n++] = proto;
    in[n++] = 0;
    if (ports) {
        in[n++] = (uint8_t)(sport >> 8);
        in[n++] = (uint8_t)sport;
        in[n++] = (uint8_t)(dport >> 8);
        in[n++] = (uint8_t)dport;
    }
    mdec__sha1_short(in, n, digest);
    return 20;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex[] = "0123456789abcdef";

int mdec_community_id(const struct mdec_flow *flow, uint16_t seed, unsigned flags, char *buf,
                      size_t size)
{
    if (flow == NULL || buf == NULL) {
        if (buf != NULL && size > 0)
            buf[0] = '\0'; /* the NULL policy: cleared */
        return MDEC_E_INVALID;
    }
    if (flags & ~(unsigned)MDEC_COMMUNITY_ID_HEX) {
        if (size > 0)
            buf[0] = '\0';
        return MDEC_E_INVALID;
    }
    uint8_t d[20];
    if (mdec_community_id_digest(flow, seed, d) != 20) {
        if (size > 0)
            buf[0] = '\0';
        return 0;
    }
    char text[MDEC_COMMUNITY_ID_STRLEN];
    size_t n = 0;
    text[n++] = '1';
    text[n++] = ':';
    if (flags & MDEC_COMMUNITY_ID_HEX) {
        for (unsigned i = 0; i < 20; i++) {
            text[n++] = hex[d[i] >> 4];
            text[n++] = hex[d[i] & 15];
        }
    } else {
        /* 20 bytes: six groups of three, then two bytes and one '='. */
        unsigned i = 0;
        for (; i + 3 <= 20; i += 3) {
            const uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
            text[n++] = b64[v >> 18];
            text[n++] = b64[(v >> 12) & 63];
            text[n++] = b64[(v >> 6) & 63];
            text[n++] = b64[v & 63];
        }
        const uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8;
        text[n++] = b64[v >> 18];
        text[n++] = b64[(v >> 12) & 63];
        text[n++] = b64[(v >> 6) & 63];
        text[n++] = '=';
    }
    if (n + 1 > size) {
        if (size > 0)
            buf[0] = '\0';
        return MDEC_E_NOSPACE;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
    return (int)n;
}

int mdec_community_id_result(const struct mdec_result *res, uint16_t seed, unsigned flags,
                             char *buf, size_t size)
{
    if (res == NULL) {
        if (buf != NULL && size > 0)
            buf[0] = '\0'; /* the NULL policy: cleared */
        return MDEC_E_INVALID;
    }
    return mdec_community_id(&res->flow, seed, flags, buf, size);
}
