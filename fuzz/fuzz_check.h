/*
 * fuzz_check.h - what the fuzz targets share: reading settings off the
 * front of an input, the invariants every decode result must hold, and the
 * comparison of a capture cut with the full decode.
 *
 * The invariants of a result and of a capture cut are tests/result_check.c's
 * (shared with the unit tests), reported here with abort() (fuzz targets do
 * not link cmocka); added are a few the fuzzer can afford: the result
 * depends on nothing but the input, the fast path equals the walk, GENEVE
 * option views lie inside the frame, and the decoder's AWS / Google option
 * fields match what the public option iterator finds.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_FUZZ_CHECK_H
#define MDEC_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "mirrordec.h"

/* The entry point each fuzz_<name>.c defines: libFuzzer calls it, and so
 * does replay.c in the replay programs. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__)
#define FUZZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FUZZ_PRINTF(a, b)
#endif

/* A finding: prints what was violated and aborts (libFuzzer then saves the
 * input as crash-<sha1>). */
_Noreturn FUZZ_PRINTF(1, 2) void fuzz_fail(const char *fmt, ...);

/* malloc that aborts when memory runs out (n > 0). */
void *fuzz_malloc(size_t n);

#define FUZZ_CHECK(cond)                                                                     \
    do {                                                                                     \
        if (!(cond))                                                                         \
            fuzz_fail("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);                 \
    } while (0)

/* --------------------------------------------------------------- input */

/* The unread rest of a fuzz input.  Reads past its end give zeros. */
struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_be16(struct fuzz_in *in);
uint32_t fuzz_be32(struct fuzz_in *in);

/*
 * Decoder settings, 2 + 3k bytes (see fuzz/README.md):
 *   byte 0: bit 0 MDEC_CFG_STRICT, bit 1 MDEC_CFG_MATCH_SRC_PORT, bit 2 clear
 *           the default ports first, bits 3-4 the number of port changes k
 *           (0, 1, 2, or 3 meaning 16, enough to fill the table), bits 5-7
 *           set as unknown config flag bits 29-31 (must be ignored)
 *   byte 1: bits 0-6 max_depth as is (0 and values above MDEC_MAX_TUNNELS
 *           included); bit 7 declares every tunnel type a trusted transport
 *           from any source, so that nested tunnels are peeled
 *   k times: port (big-endian 16 bits), type byte % 8 handed to
 *           mdec_config_set_port (0 removes, 1-3 map, 4-7 must be refused)
 */
void fuzz_take_config(struct fuzz_in *in, struct mdec_config *cfg);

/*
 * Lengths, 7 bytes: mode, value (big-endian 32), cut (big-endian 16).
 * mode & 3: 0 wire = cap; 1 wire = cap + value (larger; 4 GiB and more when
 * value is near 2^32); 2 wire = cap - value % (cap + 1) (smaller, 0 meaning
 * unknown); 3 wire = value.  The second decode keeps cut % cap bytes.
 */
struct fuzz_lengths {
    uint8_t mode;
    uint32_t value;
    uint16_t cut;
};
void fuzz_take_lengths(struct fuzz_in *in, struct fuzz_lengths *len);
size_t fuzz_wire(const struct fuzz_lengths *len, size_t cap);

/* ------------------------------------------------------------- decoding */

/* Set by replay.c's -v: print the settings and every decode result. */
extern int fuzz_verbose;

/* Prints a result to stderr (what replay -v shows). */
void fuzz_print_result(const char *what, const struct mdec_result *r);

/* What a decode function is asked to do; the harness calls it through this
 * so one driver serves mdec_decode and mdec_decode_udp. */
struct fuzz_call {
    const struct mdec_config *cfg;
    int linktype;                     /* mdec_decode                        */
    const struct mdec_udp_meta *meta; /* non-NULL: mdec_decode_udp          */
};

/*
 * The whole run shared by fuzz_decode and fuzz_decode_udp: decodes
 * frame[0..cap) with the wire length the lengths say, from an exactly sized
 * heap copy, twice into differently poisoned results that must agree; checks
 * every invariant; then decodes cap % cut bytes of it as a capture cut (must
 * agree with the full decode) and as a shorter frame (must hold the
 * invariants).
 */
void fuzz_decode_all(const struct fuzz_call *call, const uint8_t *frame, size_t cap,
                     const struct fuzz_lengths *len);

/* result_check() of tests/result_check.c: the invariants of a result. */
void fuzz_check_result(const struct mdec_result *r, const uint8_t *frame, size_t cap);

/* result_check_cut() of tests/result_check.c: what a capture cut at n bytes
 * must keep of the full decode. */
void fuzz_check_agrees(const struct mdec_result *full, const struct mdec_result *cut, size_t n);

/* Walks every GENEVE tunnel's options with mdec_geneve_iter_result. */
void fuzz_check_geneve(const struct mdec_result *r);

#endif /* MDEC_FUZZ_CHECK_H */
