/*
 * test_loss.c - the capture-loss estimate: a small conversation worked out
 * by hand with Zeek's definition, then the generated conversations of
 * tests/health/fixtures (packets removed at random, in bursts, from one
 * side, one direction entirely, across a sequence wrap, with the handshake
 * missed, and network loss the sender repaired) against the truth the
 * generator wrote.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S (MDEC_NS_PER_S)
#define C_IP "198.51.100.7"
#define S_IP "10.0.1.15"
#define F 0x01u
#define SYN 0x02u
#define ACK 0x10u

static void seg(struct mdec_flows *t, int from_server, uint32_t seq, uint32_t ack, unsigned flags,
                size_t len, uint64_t ts)
{
    struct pb p;
    hu_frame(&p, 201, from_server ? S_IP : C_IP, from_server ? C_IP : S_IP, 6,
             from_server ? 443 : 51000, from_server ? 51000 : 443, seq, ack, flags, NULL, len);
    assert_int_not_equal(hu_feed(t, p.b, p.n, p.n, ts), MDEC_TRACK_NONE);
}

/*
 * The conversation below, with the mirror losing packets 5, 9 and 10.
 * Zeek's capture_loss counts an "ack event" for every ACK that moves the
 * acknowledged point of a stream it has seen, and a "gap event" for each of
 * those that acknowledges bytes it never saw; percent_lost = gaps / acks.
 * By hand:
 *
 *   #  packet                          client stream   server stream
 *   1  C SYN seq 0                     [0,1) seen
 *   2  S SYN-ACK seq 100 ack 1         ack 0->1: event  [100,101) seen
 *   3  C ACK ack 101                                   ack 100->101: event
 *   4  S seq 101 len 100                               [101,201) seen
 *   5  S seq 201 len 100  (lost)
 *   6  C ACK ack 301                                   ack 101->301: event,
 *                                                       [201,301) unseen: GAP 100
 *   7  S seq 301 len 100                               [301,401) seen
 *   8  C ACK ack 401                                   ack 301->401: event
 *   9  S seq 401 len 100  (lost)
 *  10  S seq 501 len 100  (lost)
 *  11  C ACK ack 601                                   ack 401->601: event,
 *                                                       [401,601) unseen: GAP 200
 *  12  S FIN seq 601                                   [601,602) seen
 *  13  C FIN-ACK seq 1 ack 602         [1,2) seen      ack 601->602: event
 *  14  S ACK seq 602 ack 2             ack 1->2: event
 *
 *   acks 7, gaps 2 (Zeek: percent_lost 2/7 = 28.6 %), bytes acknowledged
 *   1 + 1 + 200 + 100 + 200 + 1 + 1 = 504, of which 300 were never seen:
 *   59.5 % of the bytes (the truth: 300 of the 500 payload bytes, 60 %).
 */
static void test_zeek_by_hand(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 1, 60 * S);
    seg(t, 0, 0, 0, SYN, 0, 1);
    seg(t, 1, 100, 1, SYN | ACK, 0, 2);
    seg(t, 0, 1, 101, ACK, 0, 3);
    seg(t, 1, 101, 1, ACK, 100, 4);
    seg(t, 0, 1, 301, ACK, 0, 6);
    seg(t, 1, 301, 1, ACK, 100, 7);
    seg(t, 0, 1, 401, ACK, 0, 8);
    seg(t, 0, 1, 601, ACK, 0, 11);
    seg(t, 1, 601, 1, F | ACK, 0, 12);
    seg(t, 0, 1, 602, F | ACK, 0, 13);
    seg(t, 1, 602, 2, ACK, 0, 14);
    const struct mdec_health *h = mdec_flows_counters(t, 0);
    assert_int_equal(h->acks, 7);
    assert_int_equal(h->gaps, 2);
    assert_int_equal(h->ack_bytes, 504);
    assert_int_equal(h->gap_bytes, 300);
    assert_int_equal(h->acks_one_way, 0);
    struct mdec_health_summary s;
    mdec_health_summarize(h, &s);
    assert_int_equal(s.evidence, MDEC_LOSS_ACKS);
    assert_true(fabs(s.gap_ack_percent - 200.0 / 7) < 1e-9);
    assert_true(fabs(s.loss_percent - 30000.0 / 504) < 1e-9);
    free(t);
}

/* Retransmissions and reordering fill a hole before an ACK judges it; a
 * hole the ACK passes is loss; sequence numbers wrap. */
static void test_holes_filled_and_wrap(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 1, 60 * S);
    const uint32_t base = 0xFFFFFF00u; /* the stream wraps after 256 bytes */
    seg(t, 1, base, 1, ACK, 100, 1);            /* [base, +100)            */
    seg(t, 1, base + 200, 1, ACK, 100, 2);      /* hole [+100, +200)       */
    seg(t, 1, base + 400, 1, ACK, 100, 3);      /* hole [+300, +400)       */
    seg(t, 1, base + 100, 1, ACK, 100, 4);      /* first hole filled, late */
    seg(t, 0, 1, base + 500, ACK, 0, 5);        /* ACK +500: 100 missing   */
    const struct mdec_health *h = mdec_flows_counters(t, 0);
    assert_int_equal(h->acks, 1);
    assert_int_equal(h->ack_bytes, 500);
    assert_int_equal(h->gap_bytes, 100);
    /* Three holes at once: the third is merged into the second. */
    const uint32_t b2 = base + 500;
    seg(t, 1, b2 + 100, 1, ACK, 10, 6);
    seg(t, 1, b2 + 200, 1, ACK, 10, 7);
    seg(t, 1, b2 + 300, 1, ACK, 10, 8);
    assert_int_equal(h->hole_merges, 1);
    seg(t, 1, b2 + 150, 1, ACK, 10, 9); /* inside the merged hole: no room to split it */
    assert_int_equal(h->hole_merges, 2);
    seg(t, 0, 1, b2 + 310, ACK, 0, 10);
    assert_int_equal(h->acks, 2);
    /* Truly missing: 100 + (90 - 10, the late segment) + 90 = 270.  The
     * merged hole [b2+110, b2+300) also counts the seen [b2+200, b2+210)
     * and the late 10 bytes: 290, an over-estimate hole_merges owns up to. */
    assert_int_equal(h->gap_bytes, 100 + 290);
    /* An old or duplicate ACK is no event; an ACK a gigabyte ahead is a
     * new start, not a gigabyte lost. */
    seg(t, 0, 1, b2 + 310, ACK, 0, 11);
    seg(t, 0, 1, b2 + 200, ACK, 0, 12);
    seg(t, 0, 1, b2 + 310 + (1u << 30) + 5, ACK, 0, 13);
    assert_int_equal(h->acks, 2);
    free(t);
}

/* A mirror of one direction: the sender of the acknowledged stream is
 * never seen, so its ACKs are no evidence, and the summary says so. */
static void test_one_way_and_no_tcp(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 1, 60 * S);
    for (uint32_t i = 0; i < 5; i++)
        seg(t, 0, 1, 101 + 100 * i, ACK, 0, i + 1);
    const struct mdec_health *h = mdec_flows_counters(t, 0);
    assert_int_equal(h->acks, 0);
    assert_int_equal(h->acks_one_way, 4);
    struct mdec_health_summary s;
    mdec_health_summarize(h, &s);
    assert_int_equal(s.evidence, MDEC_LOSS_ONE_WAY);
    assert_true(s.loss_percent == 0.0);
    /* UDP only: no TCP evidence at all. */
    struct mdec_flows *u = hu_flows(64, 1, 60 * S);
    struct pb p;
    hu_frame(&p, 201, C_IP, S_IP, 17, 5000, 53, 0, 0, 0, NULL, 30);
    assert_int_equal(hu_feed(u, p.b, p.n, p.n, 1), MDEC_TRACK_NEW);
    mdec_health_summarize(mdec_flows_counters(u, 0), &s);
    assert_int_equal(s.evidence, MDEC_LOSS_NO_TCP);
    assert_int_equal(s.payload_bytes, 30);
    free(t);
    free(u);
}

static void check_fixture(const char *name)
{
    char truth_s[32], tol_s[32], ev_s[32];
    assert_non_null(hu_expected(name, "truth", truth_s, sizeof truth_s));
    assert_non_null(hu_expected(name, "tol", tol_s, sizeof tol_s));
    assert_non_null(hu_expected(name, "evidence", ev_s, sizeof ev_s));
    struct mdec_health h;
    hu_run_fixture(name, &h);
    struct mdec_health_summary s;
    mdec_health_summarize(&h, &s);
    const double truth = atof(truth_s), tol = atof(tol_s);
    print_message("%-22s truth %6.3f %%  estimate %6.3f %% (bytes %llu of %llu; Zeek's gaps/acks "
                  "%llu/%llu = %.2f %%)  evidence %s\n",
                  name, truth, s.loss_percent, (unsigned long long)h.gap_bytes,
                  (unsigned long long)h.ack_bytes, (unsigned long long)h.gaps,
                  (unsigned long long)h.acks, s.gap_ack_percent,
                  mdec_loss_evidence_name((enum mdec_loss_evidence)s.evidence));
    assert_string_equal(mdec_loss_evidence_name((enum mdec_loss_evidence)s.evidence), ev_s);
    if (truth == 0.0)
        assert_int_equal(h.gap_bytes, 0);
    if (!(fabs(s.loss_percent - truth) <= tol))
        fail_msg("%s: estimate %.3f %% is not within %.2f of the truth %.3f %%", name,
                 s.loss_percent, tol, truth);
    assert_int_equal(h.untracked, 0);
}

static void test_fixtures(void **state)
{
    (void)state;
    static const char *const names[] = {
        "loss_none.pcap",  "loss_random.pcap",  "loss_bursty.pcap",  "loss_oneside.pcap",
        "loss_oneway.pcap", "loss_wrap.pcap",   "loss_midflow.pcap", "loss_retransmit.pcap"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_fixture(names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeek_by_hand),
        cmocka_unit_test(test_holes_filled_and_wrap),
        cmocka_unit_test(test_one_way_and_no_tcp),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
