/*
 * mirrordec/flowid.h - names for an inner flow: the Community ID, and a
 * keyed symmetric flow hash.
 *
 * Include <mirrordec.h> rather than this file.
 *
 *   char id[MDEC_COMMUNITY_ID_STRLEN];
 *   if (mdec_community_id(&res.flow, 0, 0, id, sizeof id) > 0)
 *       printf("%s\n", id);                        // "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="
 *
 *   struct mdec_hash_key key;                      // secret, e.g. from getrandom()
 *   uint64_t h = mdec_flow_hash_result(&res, &key);
 *   worker = h % n_workers;                        // both directions, one worker
 *
 * The Community ID (version 1, https://github.com/corelight/community-id-spec)
 * is the flow name Zeek, Suricata, Arkime, Malcolm and Elastic carry: the
 * same text for both directions of a flow, computed by each tool from the
 * packet, so records of one flow can be joined across tools.  mirrordec
 * computes it from the mirrored (inner) packet's flow key, never from a
 * carrier, with its own SHA-1 (no dependency).
 *
 * The flow hash is for spreading flows over workers or hosts: 64 bits of
 * SipHash-1-3 over the inner 5-tuple put in order, so both directions of a
 * flow hash alike, keyed with a 128-bit key the caller chooses.  It leaves
 * out the tunnel, the session and VLAN tags, so the two copies a mirror
 * makes of one packet (say from both ENIs of a conversation, under two
 * VNIs) reach the same worker, where a de-duplication window (dedup.h) can
 * see both.  With a key the sender does not know, nobody can choose flows
 * that all land on one worker.
 *
 * Memory and threads: nothing is kept between calls; every function only
 * reads its arguments and writes the caller's output, so any number of
 * threads may call them at once.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_FLOWID_H
#define MIRRORDEC_FLOWID_H

#include "common.h"
#include "decode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------- Community ID */

/* Longest text mdec_community_id writes, with the NUL: "1:" and 40 hex
 * digits (MDEC_COMMUNITY_ID_HEX); the base64 form takes 31. */
#define MDEC_COMMUNITY_ID_STRLEN 43

/* Bits of the flags argument. */
enum {
    /* "1:" and the digest as 40 lowercase hex digits instead of base64 (the
     * reference implementation's --no-base64, for troubleshooting). */
    MDEC_COMMUNITY_ID_HEX = 1u << 0
};

/*
 * The SHA-1 digest of a Community ID v1 with the given seed (the spec's
 * default is 0; Zeek's and Suricata's community_id_seed): the seed (2
 * bytes, network order), the two addresses, the protocol, a zero byte, and
 * for TCP, UDP, SCTP, ICMP and ICMPv6 the two ports, where the endpoints
 * are ordered so that the smaller address (with equal addresses, the
 * smaller port) comes first.  ICMP (protocol 1) and ICMPv6 (58) take the
 * type as the source port and, for request and reply types, the
 * counterpart type as the destination port, so that echo request and
 * reply are one flow; other types take the code and are one-way: the
 * packet's own order is kept.  The tables are the spec's (Zeek's):
 * ICMP echo 8/0, timestamp 13/14, information 15/16, router 10/9, mask
 * 17/18; ICMPv6 echo 128/129, MLD 130/131, router 133/134, neighbour
 * 135/136, WRU 139/140, HAAD 144/145.
 *
 * The flow must have addresses (MDEC_FLOW_IP) and a protocol
 * (MDEC_FLOW_PROTO); TCP, UDP and SCTP need their ports (MDEC_FLOW_PORTS,
 * so a later IP fragment has no Community ID), ICMP and ICMPv6 their type
 * and code (MDEC_FLOW_ICMP); any other protocol is hashed without ports,
 * as the spec says.  Reads flow only; writes digest[0..20).  Returns 20, or
 * 0 when the flow lacks what the hash needs (digest then untouched).
 * (NULL policy: MDEC_E_INVALID, digest zeroed when it is not NULL.)
 */
MDEC_API int mdec_community_id_digest(const struct mdec_flow *flow, uint16_t seed,
                                      uint8_t digest[20]);

/*
 * The Community ID v1 of flow as text: "1:" and the base64 of the digest
 * (28 characters), or with MDEC_COMMUNITY_ID_HEX 40 hex digits.  Writes
 * the text and its NUL into buf (size bytes; MDEC_COMMUNITY_ID_STRLEN is
 * always enough).  Returns the text length; 0 when the flow lacks what the
 * hash needs (see mdec_community_id_digest; buf then holds "" when size >
 * 0, which is what the spec suggests a monitor report); MDEC_E_NOSPACE
 * when buf is too small (buf then holds "" when size > 0: a cut ID would
 * name another flow); MDEC_E_INVALID for flags other than
 * MDEC_COMMUNITY_ID_HEX, and under the NULL policy (flow NULL: buf then
 * holds "" when size > 0).
 */
MDEC_API int mdec_community_id(const struct mdec_flow *flow, uint16_t seed, unsigned flags,
                               char *buf, size_t size);

/*
 * mdec_community_id() of res->flow: the mirrored packet's flow (or, for a
 * frame that carries no tunnel, the frame's own packet's).  Only res->flow
 * is read, so res->frame need not be valid any more.  Returns as
 * mdec_community_id().
 */
MDEC_API int mdec_community_id_result(const struct mdec_result *res, uint16_t seed,
                                      unsigned flags, char *buf, size_t size);

/* ------------------------------------------------------------- flow hash */

/*
 * A 128-bit key for the keyed hashes (the flow hash, dedup.h).  Pick it at
 * random (getrandom(2)) when the hash only spreads load inside one
 * program; share one key between programs or hosts that must agree.
 */
struct mdec_hash_key {
    uint8_t bytes[16];
};

/*
 * A symmetric keyed hash of flow's 5-tuple: SipHash-1-3 under key over the
 * address family, the protocol (0 without MDEC_FLOW_PROTO), the two
 * endpoints in order (the smaller address first, with equal addresses the
 * smaller port) and their ports (0 and 0 without MDEC_FLOW_PORTS, and for
 * a later fragment, MDEC_FLOW_FRAGMENT).  Both directions of a flow give
 * the same value; ICMP type and code are left out, so echo request and
 * reply hash alike.  The tunnel, its id, the session and VLAN tags are not
 * part of it.  A flow without MDEC_FLOW_IP hashes to one fixed value per
 * key: a caller spreading load keeps such packets where they are.  Reads
 * flow and key only.  (NULL policy: 0.)
 */
MDEC_API uint64_t mdec_flow_hash(const struct mdec_flow *flow, const struct mdec_hash_key *key);

/*
 * mdec_flow_hash() of res->flow, with the ports also left out when the
 * mirrored packet is a first IP fragment (anomaly MDEC_A_IP_FRAGMENT at
 * the innermost level), so that every fragment of a datagram hashes alike
 * and, spread by this hash, reaches the same worker.  Reads res (not the
 * frame) and key.  (NULL policy: 0.)
 */
MDEC_API uint64_t mdec_flow_hash_result(const struct mdec_result *res,
                                        const struct mdec_hash_key *key);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_FLOWID_H */
