/*
 * flow_hash.c - a keyed symmetric hash of the inner 5-tuple, for spreading
 * flows over workers or hosts (flowid.h).
 *
 * Input to SipHash-1-3, 40 bytes:
 *
 *   family (1) | protocol (1) | port of the first endpoint (2) |
 *   port of the second endpoint (2) | 2 zero bytes |
 *   first address (16) | second address (16)
 *
 * where the first endpoint is the smaller (address, then port), so that
 * both directions give the same input.  IPv4 addresses keep their zeroed
 * tail (common.h), so the input has one length for both families.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "flow_int.h"

static uint64_t hash_flow(const struct mdec_flow *f, const struct mdec_hash_key *key, int no_ports)
{
    uint8_t in[40];
    memset(in, 0, sizeof in);
    if (f->flags & MDEC_FLOW_IP) {
        uint16_t sp = 0, dp = 0;
        if ((f->flags & MDEC_FLOW_PORTS) && !(f->flags & MDEC_FLOW_FRAGMENT) && !no_ports) {
            sp = f->sport;
            dp = f->dport;
        }
        const struct mdec_addr *a = &f->src, *b = &f->dst;
        const int cmp = memcmp(a->a, b->a, sizeof a->a);
        if (cmp > 0 || (cmp == 0 && sp > dp)) {
            a = &f->dst;
            b = &f->src;
            const uint16_t t = sp;
            sp = dp;
            dp = t;
        }
        in[0] = f->src.family;
        in[1] = (f->flags & MDEC_FLOW_PROTO) ? f->proto : 0;
        in[2] = (uint8_t)(sp >> 8);
        in[3] = (uint8_t)sp;
        in[4] = (uint8_t)(dp >> 8);
        in[5] = (uint8_t)dp;
        memcpy(in + 8, a->a, 16);
        memcpy(in + 24, b->a, 16);
    }
    return mdec__siphash(key, MDEC__SIP_C, MDEC__SIP_D, in, sizeof in);
}

uint64_t mdec_flow_hash(const struct mdec_flow *flow, const struct mdec_hash_key *key)
{
    if (flow == NULL || key == NULL)
        return 0;
    return hash_flow(flow, key, 0);
}

uint64_t mdec_flow_hash_result(const struct mdec_result *res, const struct mdec_hash_key *key)
{
    if (res == NULL || key == NULL)
        return 0;
    /* A first fragment holds ports its later fragments do not: leave them
     * out for all of them.  The anomaly is noted at the innermost level,
     * whose depth is the number of tunnels peeled. */
    int fragment = 0;
    unsigned n = res->n_anomalies;
    if (n > MDEC_MAX_ANOMALIES)
        n = MDEC_MAX_ANOMALIES;
    for (unsigned i = 0; i < n; i++)
        fragment |= res->anomalies[i].code == MDEC_A_IP_FRAGMENT &&
                    res->anomalies[i].depth == res->n_tunnels;
    return hash_flow(&res->flow, key, fragment);
}
