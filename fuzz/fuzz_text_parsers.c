/*
 * fuzz_text_parsers.c - the small text parsers: mdec_addr_parse(),
 * mdec_prefix_parse() and mdec_key_parse().
 *
 * Input: byte 0 chooses the parser (b % 3); the rest is the text, in an
 * exactly sized heap buffer without a terminating NUL.
 *
 * Checks: on success the value formats back to text that parses to the
 * same value (addresses and keys compare whole; prefixes by address and
 * length), and for addresses libc's inet_pton agrees on the bytes; on
 * failure the error names line 1, a column inside the text (or just past
 * it) and says something, and the output is untouched.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _POSIX_C_SOURCE 200809L /* inet_pton */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

static void check_error(int rc, const struct mdec_parse_error *e, size_t len)
{
    FUZZ_CHECK(rc == MDEC_E_SYNTAX);
    FUZZ_CHECK(e->line == 1);
    FUZZ_CHECK(e->column >= 1 && e->column <= len + 1);
    FUZZ_CHECK(memchr(e->message, '\0', sizeof e->message) != NULL && e->message[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const unsigned which = fuzz_u8(&in) % 3;
    char *text = fuzz_malloc(in.n ? in.n : 1);
    memcpy(text, in.p, in.n);
    struct mdec_parse_error e;
    char buf[64];
    if (which == 0) {
        struct mdec_addr a, b;
        memset(&a, 0x77, sizeof a);
        const struct mdec_addr untouched = a;
        const int rc = mdec_addr_parse(text, in.n, &a, &e);
        if (rc != 0) {
            check_error(rc, &e, in.n);
            FUZZ_CHECK(memcmp(&a, &untouched, sizeof a) == 0);
        } else {
            const int n = mdec_addr_format(&a, buf, sizeof buf);
            FUZZ_CHECK(n > 0 && (size_t)n < MDEC_ADDR_STRLEN);
            FUZZ_CHECK(mdec_addr_parse(buf, (size_t)n, &b, NULL) == 0);
            FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);
            char z[128];
            if (in.n < sizeof z) {
                uint8_t bin[16];
                memcpy(z, text, in.n);
                z[in.n] = '\0';
                FUZZ_CHECK(inet_pton(a.family == MDEC_AF_IPV4 ? AF_INET : AF_INET6, z, bin) == 1);
                FUZZ_CHECK(memcmp(bin, a.a, a.family == MDEC_AF_IPV4 ? 4 : 16) == 0);
            }
        }
    } else if (which == 1) {
        struct mdec_prefix p, q;
        memset(&p, 0x77, sizeof p);
        const struct mdec_prefix untouched = p;
        const int rc = mdec_prefix_parse(text, in.n, &p, &e);
        if (rc != 0) {
            check_error(rc, &e, in.n);
            FUZZ_CHECK(memcmp(&p, &untouched, sizeof p) == 0);
        } else {
            FUZZ_CHECK(p.len <= (p.addr.family == MDEC_AF_IPV4 ? 32 : 128));
            FUZZ_CHECK(mdec_prefix_contains(&p, &p.addr));
            int n = mdec_addr_format(&p.addr, buf, sizeof buf);
            FUZZ_CHECK(n > 0);
            buf[n++] = '/';
            n += snprintf(buf + n, sizeof buf - (size_t)n, "%u", p.len);
            FUZZ_CHECK(mdec_prefix_parse(buf, (size_t)n, &q, NULL) == 0);
            FUZZ_CHECK(memcmp(&p.addr, &q.addr, sizeof p.addr) == 0 && p.len == q.len);
        }
    } else {
        struct mdec_key k, j;
        memset(&k, 0x77, sizeof k);
        const struct mdec_key untouched = k;
        const int rc = mdec_key_parse(text, in.n, &k, &e);
        if (rc != 0) {
            check_error(rc, &e, in.n);
            FUZZ_CHECK(memcmp(&k, &untouched, sizeof k) == 0);
        } else {
            const int n = mdec_key_format(&k, buf, sizeof buf);
            FUZZ_CHECK(n > 0 && n < 32);
            FUZZ_CHECK(mdec_key_parse(buf, (size_t)n, &j, NULL) == 0);
            FUZZ_CHECK(j.kind == k.kind && j.has_id == k.has_id && j.id == k.id);
        }
    }
    free(text);
    return 0;
}
