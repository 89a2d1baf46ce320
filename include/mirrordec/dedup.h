/*
 * mirrordec/dedup.h - remove the second copy of a mirrored packet.
 *
 * Include <mirrordec.h> rather than this file.
 *
 * A mirror may deliver one packet twice: AWS mirrors both ENIs of a
 * conversation (the source ENI's egress and the destination ENI's ingress,
 * under two VNIs or one), a switch SPANs two ports of one path, a Gateway
 * Load Balancer stream is mirrored as well.  An IDS reading both copies
 * counts retransmissions that never happened and alerts twice.  A
 * de-duplication window remembers the packets of the last window_ns
 * nanoseconds and says whether a packet is a copy of one of them.
 *
 *   size_t need = mdec_dedup_size(65536);
 *   void *mem = aligned_alloc(MDEC_DEDUP_ALIGN, need);      // caller's memory
 *   struct mdec_dedup *d = mdec_dedup_init(mem, need, 65536, 10000000, &key);
 *   ...
 *   enum mdec_verdict v = mdec_table_process(t, &res, &m);
 *   if (v == MDEC_VERDICT_ACCEPT)
 *       v = mdec_dedup_check(d, &res, ts_ns, 0, &m.session->counters);
 *   if (v == MDEC_VERDICT_ACCEPT) deliver(...);              // DUPLICATE: drop
 *
 * What makes two packets copies.  Three things, all needed:
 *
 *  1. The same key: SipHash-1-3, under the window's secret key, of the
 *     mirrored packet's IP header(s) and L4 header, with the fields that
 *     legitimately differ between two mirror points masked to zero:
 *       - IPv4 TTL and IPv6 hop limit: a router between the two points
 *         decrements them;
 *       - IPv4 header checksum: it changes with the TTL;
 *       - IPv4 type of service and IPv6 traffic class (DSCP and ECN): a
 *         router between the points may re-mark DSCP or set ECN CE.
 *     Everything else stays, in particular what tells a retransmission or
 *     a re-sent datagram from a copy: the IPv4 identification, the IPv6
 *     flow label (Linux picks a new one when it retransmits after a
 *     timeout), the TCP sequence and acknowledgment numbers, window,
 *     flags and options (timestamps), and the L4 checksum.  The link
 *     header is left out (the MAC addresses differ on the two sides of a
 *     router, VLAN tags between two SPAN ports), and so is the payload:
 *     the L4 checksum, kept, sums it up, and the IP length fields give
 *     its length.  A protocol without a decoded L4 header (a later IP
 *     fragment, ESP, GRE, ...) adds up to 16 bytes of its payload (ESP's
 *     SPI and sequence number, the fragment's first bytes).  So two copies
 *     cut short differently by two sessions (AWS PacketLength is per
 *     session) are still copies as long as both hold these headers.  A
 *     packet whose headers are not wholly present, or that has no inner IP
 *     header (ARP, a frame cut or malformed before it), is not judged: it
 *     is kept (counted in unjudged).  At most MDEC_DEDUP_KEY_MAX bytes of
 *     headers are hashed (IPv6 extension headers beyond it are left out).
 *     The caller's scope value is part of the key: 0 for "across all
 *     sessions", or a session's own value (its slot index + 1, say) to
 *     find copies only within each session.
 *
 *  2. Within the time window: the packet's timestamp is at most window_ns
 *     before or after that of the first copy seen (timestamps may come out
 *     of order from several inputs).
 *
 *  3. From another mirror point.  A copy is made at a different place than
 *     the packet it copies; a retransmission or a re-sent datagram passes
 *     the same places again.  The mirror point is the mirror's tunnel (the
 *     keying tunnel, res->tunnels[n_tunnels - 1]): its type, its id (VNI,
 *     session id, GRE key; the GWLB endpoint id), its carrier source
 *     address, and for ERSPAN II the port index, for ERSPAN III the
 *     hardware id and direction.  A packet with the key of a live entry
 *     from a mirror point the entry has already seen it from is not a copy
 *     but a new sending of the same bytes (counted in repeats): it is kept
 *     and starts a new entry.  So a TCP retransmission is kept even when
 *     not one byte of it differs from the original (IPv6 without
 *     timestamps): its first copy arrives at a mirror point that saw the
 *     original.
 *
 * What cannot be told apart: two copies made at one mirror point (a switch
 * that SPANs two ports into one ERSPAN session without saying which port,
 * the same VNI and source for both ENIs): both are kept.  Two copies whose
 * masked headers differ (NAT or MSS clamping between the two points, IPv4
 * options or IPv6 hop-by-hop options changed en route, a copy taken before
 * the sender's checksum offload filled in the L4 checksum, a packet
 * fragmented between the points): both are kept.  Copies further apart
 * than the window, or whose entry was evicted (below): both kept.  A packet
 * with the same headers as a packet at another mirror point within the
 * window whose payload differs but is summed to the same L4 checksum (IPv4
 * UDP without a checksum): taken for a copy.  And when sendings interleave
 * with copies (a retransmission seen at the first point before the
 * original's copy at the second), a copy may be kept: the window errs
 * towards keeping.
 *
 * Memory and cost: the window lives entirely in the caller's buffer and
 * allocates nothing.  It holds entries in buckets of 4; a packet's key
 * picks one bucket, so a call hashes at most MDEC_DEDUP_KEY_MAX header
 * bytes and reads one bucket: O(1).  When all four entries of the bucket
 * are live (within the window), a new packet replaces the one seen
 * longest ago (counted in evicted): a copy of that packet arriving later is
 * kept, never a packet wrongly removed.  Size it for twice the packets of
 * one window (1 Mpps and a 10 ms window: 20000 entries) and watch evicted.
 * The hash is keyed by the caller's 128-bit key, so a sender who does not
 * know it cannot aim packets at one bucket nor pass one packet off as a
 * copy of another.  The window holds no pointers: it can be copied or
 * moved, and cleared.
 *
 * Threads: a window has no locks and keeps no state anywhere else.  Give
 * each worker its own window (and steer both copies of a packet to one
 * worker: mdec_flow_hash_result() leaves the tunnel and session out for
 * that), or serialise the calls on a shared one.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_DEDUP_H
#define MIRRORDEC_DEDUP_H

#include "common.h"
#include "decode.h"
#include "flowid.h"
#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDEC_DEDUP_ALIGN 64      /* alignment the window's memory must have */
#define MDEC_DEDUP_KEY_MAX 256   /* header bytes hashed into a key, at most */
#define MDEC_DEDUP_MAX_ENTRIES (1u << 28)

/* What a window counts, kept by mdec_dedup_check(). */
struct mdec_dedup_stats {
    uint64_t checked;  /* calls with a result                               */
    uint64_t copies;   /* answered DUPLICATE: copies found (and removed by the
                          caller)                                           */
    uint64_t unjudged; /* kept unjudged: no inner IP header, or its headers
                          not wholly present                                */
    uint64_t repeats;  /* kept: the key of a live entry, from a mirror point
                          it was already seen from (retransmissions, datagrams
                          sent again)                                       */
    uint64_t expired;  /* kept: the key of an entry older than the window    */
    uint64_t evicted;  /* live entries replaced because their bucket was full:
                          a later copy of theirs is kept                    */
};

struct mdec_dedup; /* opaque: lives in the caller's buffer */

/*
 * Bytes a window of `entries` entries needs (1..MDEC_DEDUP_MAX_ENTRIES;
 * rounded up to a power of two of at least 4), or 0 when entries is out of
 * range or the size does not fit in a size_t.  32 bytes per entry, plus
 * 128.
 */
MDEC_API size_t mdec_dedup_size(uint32_t entries);

/*
 * Builds an empty window in mem (size bytes, at least
 * mdec_dedup_size(entries), aligned to MDEC_DEDUP_ALIGN; it need not be
 * zeroed) that finds copies up to window_ns nanoseconds apart
 * (1..UINT64_MAX/2), keyed by *key (copied: a secret the caller picks,
 * e.g. from getrandom(2)).  Returns the window, which starts at mem, or
 * NULL when an argument is out of range (mem or key NULL, mem misaligned,
 * size too small, entries or window_ns out of range).  O(entries).  The
 * memory stays the caller's: to discard the window, stop using it.
 */
MDEC_API struct mdec_dedup *mdec_dedup_init(void *mem, size_t size, uint32_t entries,
                                            uint64_t window_ns, const struct mdec_hash_key *key);

/*
 * Is the mirrored packet of res a copy of one this window saw within its
 * time window, from another mirror point (see the top of this header)?
 * ts_ns is the packet's timestamp in nanoseconds (any epoch, the same for
 * every call); scope is part of the key (0: across all sessions).  Reads
 * res and its frame (res->frame must still hold the decoded bytes; every
 * span is checked against res->cap_len before a byte is read); for a copy,
 * when c is not NULL, adds 1 to c->duplicates (c may be NULL; pass the
 * packet's session's counters).  Returns the packet's verdict, as the
 * per-packet calls do: MDEC_VERDICT_DUPLICATE for a copy, MDEC_VERDICT_ACCEPT
 * otherwise (the packet is then remembered, unless unjudged); counts in the
 * window's statistics.  Never fails.  (NULL policy: d or res NULL,
 * MDEC_VERDICT_ACCEPT and nothing counted.)
 */
MDEC_API enum mdec_verdict mdec_dedup_check(struct mdec_dedup *d, const struct mdec_result *res,
                                            uint64_t ts_ns, uint64_t scope,
                                            struct mdec_counters *c);

/* Forgets every packet and zeroes the statistics; keeps the key and the
 * window.  O(entries). */
MDEC_API void mdec_dedup_clear(struct mdec_dedup *d);

/* The window's statistics: a pointer into its memory, valid while the
 * window is; read them from the thread that calls mdec_dedup_check().
 * (Named _get_stats so that C++ can include this header.) */
MDEC_API const struct mdec_dedup_stats *mdec_dedup_get_stats(const struct mdec_dedup *d);

/* Entries the window holds (entries rounded up), or 0 for NULL. */
MDEC_API uint32_t mdec_dedup_capacity(const struct mdec_dedup *d);

/* The time window in nanoseconds, or 0 for NULL. */
MDEC_API uint64_t mdec_dedup_window(const struct mdec_dedup *d);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_DEDUP_H */
