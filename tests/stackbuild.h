/*
 * stackbuild.h - nested tunnel stacks built byte by byte, and what the trust
 * rule (decode.h) says the decoder makes of them: shared by
 * tests/decode/test_trust.c and fuzz/fuzz_trust.c.
 *
 * A stack is a list of layers, outermost first.  Each layer is an IPv4
 * carrier from its source address (to 10.0.0.250), UDP or GRE, and a tunnel
 * header; the last layer carries an inner IPv4/TCP packet.  Tunnels carry
 * Ethernet, except GENEVE as a Gateway Load Balancer sends it (bare IPv4).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_STACKBUILD_H
#define MDEC_STACKBUILD_H

#include <mirrordec.h>

#include "pktbuild.h"

enum sb_type {
    SB_VXLAN,
    SB_GPE,         /* VXLAN-GPE, Ethernet inside                   */
    SB_GENEVE,      /* Ethernet inside                              */
    SB_GENEVE_GWLB, /* bare IPv4 inside, with an AWS endpoint option */
    SB_GRE,         /* NVGRE-style: Ethernet inside, with a key      */
    SB_ERSPAN2,
    SB_ERSPAN3,
    SB_COUNT
};

struct sb_layer {
    enum sb_type type;
    const char *src; /* dotted IPv4 */
    uint32_t id;     /* VNI, GRE key or ERSPAN session id (10 bits used) */
};

/* The tunnel type the decoder reports for each layer type. */
extern const enum mdec_tunnel_type sb_tunnel_of[SB_COUNT];

/* Builds the Ethernet frame of layers[0..n), n >= 1, into p; the inner
 * packet is IPv4/TCP from inner_src to 10.0.2.20, port 22. */
void sb_build(struct pb *p, const struct sb_layer *layers, unsigned n, const char *inner_src);

/*
 * The trust rule's answer, worked out independently of the library (prefixes
 * compared bit by bit): the index of the keying layer, the innermost one the
 * decoder peels.  Layer i + 1 is peeled when layer i is a trusted transport
 * of cfg (its type, and its source in one of the transport's prefixes) and
 * fewer than max_depth (clamped to 1..MDEC_MAX_TUNNELS) layers were peeled.
 */
unsigned sb_keying(const struct mdec_config *cfg, const struct sb_layer *layers, unsigned n);

/* 1 when layer l is a trusted transport of cfg (the same definition). */
int sb_trusted(const struct mdec_config *cfg, const struct sb_layer *l);

#endif /* MDEC_STACKBUILD_H */
