/*
 * bpf.c - --inner-bpf: a tcpdump expression run on the inner packet.
 *
 * libpcap compiles the expression twice, for the two kinds of inner packet:
 * Ethernet frames (DLT_EN10MB) and bare IP (DLT_RAW: AWS GWLB, VXLAN-GPE,
 * GRE or ERSPAN III carrying IP, and an untunneled frame's own packet).  An
 * expression that only one of them can take ("ether host ...") rejects
 * every inner packet of the other kind; a warning says so at start.
 * pcap_offline_filter() runs the program on the inner bytes with the inner
 * captured and wire lengths, so "greater"/"less" see the mirrored length.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

struct mt_bpf {
    struct bpf_program prog[2]; /* [0] Ethernet, [1] raw IP */
    int ok[2];
};

static int compile(const char *expr, int dlt, struct bpf_program *prog, char *err, size_t size)
{
    pcap_t *p = pcap_open_dead(dlt, 262144);
    if (!p) {
        snprintf(err, size, "libpcap cannot compile for link type %d", dlt);
        return -1;
    }
    int rc = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
    if (rc != 0)
        snprintf(err, size, "%s", pcap_geterr(p));
    pcap_close(p);
    return rc;
}

struct mt_bpf *mt_bpf_compile(const char *expr)
{
    struct mt_bpf *b = mt_xcalloc(1, sizeof *b);
    char err[2][PCAP_ERRBUF_SIZE + 64];
    b->ok[0] = compile(expr, DLT_EN10MB, &b->prog[0], err[0], sizeof err[0]) == 0;
    b->ok[1] = compile(expr, DLT_RAW, &b->prog[1], err[1], sizeof err[1]) == 0;
    if (!b->ok[0] && !b->ok[1]) {
        mt_msg("--inner-bpf '%s': %s", expr, err[0]);
        free(b);
        return NULL;
    }
    if (!b->ok[0])
        mt_msg("warning: --inner-bpf '%s' cannot apply to Ethernet inner packets (%s): they "
               "will all be rejected", expr, err[0]);
    if (!b->ok[1])
        mt_msg("warning: --inner-bpf '%s' cannot apply to bare-IP inner packets (%s): they "
               "will all be rejected", expr, err[1]);
    return b;
}

int mt_bpf_match(const struct mt_bpf *b, const struct mdec_result *r)
{
    if (!r->has_inner)
        return 0; /* no inner packet to look at */
    const int k = r->inner.ethernet ? 0 : 1;
    if (!b->ok[k] || r->inner.cap_len == 0)
        return 0;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = r->inner.cap_len;
    h.len = r->inner.wire_len > r->inner.cap_len ? r->inner.wire_len : r->inner.cap_len;
    return pcap_offline_filter(&b->prog[k], &h, r->frame + r->inner.off) != 0;
}

void mt_bpf_free(struct mt_bpf *b)
{
    if (!b)
        return;
    for (int k = 0; k < 2; k++)
        if (b->ok[k])
            pcap_freecode(&b->prog[k]);
    free(b);
}
