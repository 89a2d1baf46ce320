/*
 * testutil.h - helpers shared by the unit tests.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_TESTUTIL_H
#define MDEC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mirrordec.h"

/*
 * A copy of some bytes placed so that the last one is the last readable
 * byte of a page: the next page is PROT_NONE, so any read past the end
 * crashes the test (picohttpparser's technique).
 */
struct guard {
    void *map;
    size_t map_len;
    uint8_t *p; /* the copy */
};
void guard_copy(struct guard *g, const void *data, size_t len);
void guard_free(struct guard *g);

/* Checks the invariants every result of decoding frame[0..cap_len) must
 * hold (result_check() of tests/result_check.c), failing the test with
 * what is violated. */
void check_result(const struct mdec_result *r, const uint8_t *frame, size_t cap_len);

/*
 * Decodes pkt (cap bytes present of a wire-byte frame) as it is, then at
 * every shorter length, in two ways: cut by the capture (wire length stays)
 * and as a shorter frame (wire length = captured length).  Each decode runs on a guard-page copy
 * and is checked with check_result(); capture cuts must also agree with the
 * full decode on everything they still hold (result_check_cut(): never
 * malformed when the full frame was fine, same tunnel ids, same addresses).
 * Returns the full-length status.
 */
enum mdec_status check_every_length(const struct mdec_config *cfg, int linktype,
                                    const uint8_t *pkt, size_t cap, size_t wire);

/* The same for a UDP payload decoded with mdec_decode_udp(). */
enum mdec_status check_every_length_udp(const struct mdec_config *cfg, const uint8_t *pkt,
                                        size_t cap, size_t wire,
                                        const struct mdec_udp_meta *meta);

/* Parses an address for a test, failing the test on error. */
struct mdec_addr addr_of(const char *text);

/* Reads a whole file into buf (at most cap bytes); fails the test on error.
 * Returns the length. */
size_t read_file(const char *path, uint8_t *buf, size_t cap);

/*
 * Minimal pcap file reader for fixtures (classic pcap, either byte order,
 * micro or nanosecond timestamps; not pcapng).
 */
struct pcap_reader {
    const uint8_t *data;
    size_t len, pos;
    int swap;
    uint32_t linktype;
    uint32_t ts_sec, ts_frac; /* the last record's timestamp (micro or nano) */
};
int pcap_reader_open(struct pcap_reader *rd, const uint8_t *data, size_t len);
/* 1 and the record, 0 at the end, -1 on a damaged file. */
int pcap_reader_next(struct pcap_reader *rd, const uint8_t **pkt, uint32_t *caplen,
                     uint32_t *wirelen);

#endif /* MDEC_TESTUTIL_H */
