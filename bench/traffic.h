/*
 * traffic.h - the benchmark's world: mirror sessions, one AWS filter, a
 * deterministic generator of mirrored frames, and the same world written as
 * a BPF (tcpdump) expression and a Wireshark display filter.
 *
 * Everything here is derived from one description (the tables in
 * traffic.c), so the library's configuration, the BPF program and the
 * display filter cannot drift apart.  What "equivalent" covers is spelled
 * out in bench/README.md and at the top of traffic.c.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_BENCH_TRAFFIC_H
#define MDEC_BENCH_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include <mirrordec.h>

/* What a generated frame is, for the mix statistics. */
enum tr_kind {
    TR_VXLAN = 0,     /* AWS VPC mirror: VXLAN, session by VNI           */
    TR_VXLAN_UNKNOWN, /* AWS VXLAN with a VNI that has no session        */
    TR_VXLAN_FORGED,  /* a valid VNI from an outer source not allowed    */
    TR_GENEVE,        /* AWS GWLB: GENEVE + 3 AWS options + bare IP      */
    TR_ERSPAN2,       /* ERSPAN type II over GRE                         */
    TR_ERSPAN3,       /* ERSPAN type III over GRE                        */
    TR_KINDS
};

extern const char *const tr_kind_names[TR_KINDS];

/* Largest frame the generator writes. */
#define TR_MAX_FRAME 512

struct tr_gen {
    uint64_t rng;
    uint32_t seq; /* GRE sequence numbers */
};

/* Starts the generator; the same seed always gives the same frames. */
void tr_gen_init(struct tr_gen *g, uint64_t seed);

/* Writes the next frame (Ethernet) into buf (TR_MAX_FRAME bytes); returns
 * its length and stores its kind. */
size_t tr_gen_next(struct tr_gen *g, uint8_t *buf, enum tr_kind *kind);

/* The AWS filter every session applies, in mdec_filter_parse()'s syntax. */
extern const char tr_rules_text[];

/*
 * Builds the session table the benchmark uses in mem (mdec_table_size(64)
 * bytes): every session of the world, its allow-list and its addresses, and
 * filter f on each (f may be NULL: no filter).  Returns the table or NULL.
 */
struct mdec_table *tr_build_table(void *mem, size_t size, const struct mdec_filter *f);

/* Bytes tr_build_table needs. */
size_t tr_table_size(void);

/*
 * The AWS VXLAN sessions of the world, for the naive variant: up to max
 * VNIs with their interface's IPv4 and IPv6 addresses (network order), and
 * the prefix their mirror traffic is allowed from.  Returns how many.
 */
size_t tr_vxlan_sessions(uint32_t *vni, uint8_t (*addr4)[4], uint8_t (*addr6)[16], size_t max,
                         struct mdec_prefix *allow);

/*
 * The tcpdump expression that accepts what the sessions and filter f (the
 * parsed tr_rules_text) accept, written into buf; returns its length, or 0
 * when buf is too small (64 KiB is plenty).
 */
size_t tr_bpf_expr(const struct mdec_filter *f, char *buf, size_t size);

/* The same as a Wireshark display filter (tshark -Y). */
size_t tr_display_filter(const struct mdec_filter *f, char *buf, size_t size);

#endif /* MDEC_BENCH_TRAFFIC_H */
