/*
 * health_util.h - what the health tests share: mirrored TCP and UDP frames
 * built in C, the fixtures of tests/health/fixtures run through the decoder
 * and a tracker, and their expected.txt.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_HEALTH_UTIL_H
#define MDEC_HEALTH_UTIL_H

#include "testutil.h"

#include "pktbuild.h"

/* An AWS-style mirror copy (VXLAN vni) of an IPv4 packet: TCP with the
 * given numbers and flags (proto 6) or UDP (proto 17), `n` payload bytes
 * from `payload` (NULL: 'x' bytes). */
void hu_frame(struct pb *p, uint32_t vni, const char *src, const char *dst, unsigned proto,
              unsigned sport, unsigned dport, uint32_t seq, uint32_t ack, unsigned flags,
              const uint8_t *payload, size_t n);

/* A tracker in heap memory (16-byte key 0, 1, ..., 15); free() it. */
struct mdec_flows *hu_flows(uint32_t capacity, uint32_t n_sessions, uint64_t idle_ns);

/* Decodes frame and feeds it to t as session 0 at ts; fails the test
 * unless the decode reached the inner flow.  Returns what the tracker did. */
enum mdec_track hu_feed(struct mdec_flows *t, const uint8_t *frame, size_t cap, size_t wire,
                        uint64_t ts);

/* Every record of the fixture tests/health/fixtures/NAME through a fresh
 * tracker (session 0); the session's counters into *h.  The fixture's
 * first 40 records are also fed at shorter captured lengths (every one
 * through 16 bytes, then in growing steps) to a second tracker, on a
 * guard page (no byte past the capture may be read). */
void hu_run_fixture(const char *name, struct mdec_health *h);

/* The expected.txt line of fixture NAME: value of key (NULL when absent). */
const char *hu_expected(const char *name, const char *key, char *buf, size_t size);

#endif /* MDEC_HEALTH_UTIL_H */
