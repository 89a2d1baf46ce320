/*
 * decode_pcap.c - the smallest useful program around mirrordec: read a
 * capture with libpcap, decode every frame, print what was found, and count
 * packets per tunnel id.
 *
 *   decode_pcap FILE        one line per packet, then a summary per tunnel
 *   decode_pcap -q FILE     the summary only
 *
 * It shows the whole embedding: one mdec_config for the program, one
 * mdec_result on the stack per packet, no allocation by the library.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include <mirrordec.h>

struct tally {
    uint8_t type;
    uint32_t id;
    unsigned long packets, truncated, malformed;
};

static void print_packet(unsigned long n, const struct mdec_result *r)
{
    char src[MDEC_ADDR_STRLEN], dst[MDEC_ADDR_STRLEN];
    printf("%5lu %-12s", n, mdec_status_name((enum mdec_status)r->status));
    for (unsigned i = 0; i < r->n_tunnels; i++) {
        const struct mdec_tunnel *t = &r->tunnels[i];
        printf(i ? "/" : " ");
        if (t->flags & MDEC_TF_ID)
            printf("%s:%u", mdec_tunnel_name((enum mdec_tunnel_type)t->type), t->id);
        else
            printf("%s", mdec_tunnel_name((enum mdec_tunnel_type)t->type));
    }
    if (r->flow.flags & MDEC_FLOW_IP) {
        const int ports = (r->flow.flags & MDEC_FLOW_PORTS) != 0;
        const int v6 = r->flow.src.family == MDEC_AF_IPV6 && ports;
        mdec_addr_format(&r->flow.src, src, sizeof src);
        mdec_addr_format(&r->flow.dst, dst, sizeof dst);
        printf(v6 ? "  [%s]" : "  %s", src);
        if (ports)
            printf(":%u", r->flow.sport);
        printf(v6 ? " > [%s]" : " > %s", dst);
        if (ports)
            printf(":%u", r->flow.dport);
        if (r->flow.flags & MDEC_FLOW_PROTO)
            printf(" proto %u", r->flow.proto);
    }
    if (r->status == MDEC_STATUS_TRUNCATED)
        printf("  [cut in %s by the %s; %u of %u bytes]",
               mdec_layer_name((enum mdec_layer)r->cut.layer),
               r->cut.by == MDEC_CUT_MIRROR ? "mirror" : r->cut.by == MDEC_CUT_FRAGMENT ? "IP fragmentation" : "capture",
               r->inner.cap_len, r->inner.wire_len);
    for (unsigned i = 0; i < r->n_anomalies; i++)
        printf("  !%s", mdec_anomaly_name((enum mdec_anomaly_code)r->anomalies[i].code));
    printf("\n");
}

int main(int argc, char **argv)
{
    int quiet = argc == 3 && strcmp(argv[1], "-q") == 0;
    if (argc != 2 + quiet) {
        fprintf(stderr, "usage: %s [-q] FILE.pcap\n", argv[0]);
        return 2;
    }
    /* The shared library found at run time must be the one this program
     * was compiled for: each 0.x minor release is a new ABI. */
    if (!mdec_version_compatible()) {
        fprintf(stderr, "%s: built for mirrordec %s, but the library loaded is %s\n", argv[0],
                MDEC_VERSION_STRING, mdec_version());
        return 1;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(argv[1 + quiet], err);
    if (!pc) {
        fprintf(stderr, "%s: %s\n", argv[1 + quiet], err);
        return 1;
    }

    struct mdec_config cfg;
    mdec_config_init(&cfg); /* VXLAN 4789/8472, VXLAN-GPE 4790, GENEVE 6081 */
    const int link = pcap_datalink(pc);

    static struct tally tally[64];
    unsigned n_tally = 0;
    unsigned long n = 0, by_status[5] = {0};
    struct pcap_pkthdr *h;
    const u_char *frame;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &frame)) == 1) {
        struct mdec_result r;
        mdec_decode(&cfg, link, frame, h->caplen, h->len, &r);
        n++;
        by_status[r.status]++;
        if (!quiet)
            print_packet(n, &r);
        if (r.n_tunnels == 0)
            continue;
        /* Count by the innermost tunnel: the mirror session for AWS. */
        const struct mdec_tunnel *t = &r.tunnels[r.n_tunnels - 1];
        unsigned i = 0;
        while (i < n_tally && !(tally[i].type == t->type && tally[i].id == t->id))
            i++;
        if (i == n_tally && n_tally < 64) {
            tally[n_tally].type = t->type;
            tally[n_tally++].id = t->id;
        }
        if (i < n_tally) {
            tally[i].packets++;
            tally[i].truncated += r.status == MDEC_STATUS_TRUNCATED;
            tally[i].malformed += r.status == MDEC_STATUS_MALFORMED;
        }
    }
    if (rc == -1)
        fprintf(stderr, "%s: %s\n", argv[1 + quiet], pcap_geterr(pc));
    pcap_close(pc);

    printf("\n%lu frames: %lu ok, %lu truncated, %lu malformed, %lu unsupported, %lu not tunneled\n",
           n, by_status[MDEC_STATUS_OK], by_status[MDEC_STATUS_TRUNCATED], by_status[MDEC_STATUS_MALFORMED],
           by_status[MDEC_STATUS_UNSUPPORTED], by_status[MDEC_STATUS_NOT_TUNNELED]);
    printf("%-10s %10s %9s %10s %10s\n", "tunnel", "id", "packets", "truncated", "malformed");
    for (unsigned i = 0; i < n_tally; i++)
        printf("%-10s %10u %9lu %10lu %10lu\n", mdec_tunnel_name((enum mdec_tunnel_type)tally[i].type),
               tally[i].id, tally[i].packets, tally[i].truncated, tally[i].malformed);
    return rc == -1 ? 1 : 0;
}
