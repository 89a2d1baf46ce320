/*
 * report.c - the health counters summed and turned into figures.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

void mdec_health_add(struct mdec_health *sum, const struct mdec_health *c)
{
    if (!sum || !c)
        return;
    sum->packets += c->packets;
    sum->untracked += c->untracked;
    sum->flows += c->flows;
    sum->tcp_packets += c->tcp_packets;
    sum->acks += c->acks;
    sum->ack_bytes += c->ack_bytes;
    sum->gaps += c->gaps;
    sum->gap_bytes += c->gap_bytes;
    sum->acks_one_way += c->acks_one_way;
    sum->hole_merges += c->hole_merges;
    for (unsigned v = 0; v < MDEC_VIS_COUNT; v++) {
        sum->vis_packets[v] += c->vis_packets[v];
        sum->vis_bytes[v] += c->vis_bytes[v];
    }
    for (unsigned a = 0; a < MDEC_APP_MAX; a++) {
        sum->app_flows[a] += c->app_flows[a];
        sum->app_bytes[a] += c->app_bytes[a];
    }
}

void mdec_health_summarize(const struct mdec_health *c, struct mdec_health_summary *s)
{
    if (!c || !s)
        return;
    memset(s, 0, sizeof *s);
    s->evidence = c->acks ? MDEC_LOSS_ACKS : c->acks_one_way ? MDEC_LOSS_ONE_WAY : MDEC_LOSS_NO_TCP;
    if (c->acks) {
        s->loss_percent = c->ack_bytes ? 100.0 * (double)c->gap_bytes / (double)c->ack_bytes : 0.0;
        s->gap_ack_percent = 100.0 * (double)c->gaps / (double)c->acks;
    }
    for (unsigned v = 0; v < MDEC_VIS_COUNT; v++)
        s->payload_bytes += c->vis_bytes[v];
    if (s->payload_bytes)
        for (unsigned v = 0; v < MDEC_VIS_COUNT; v++)
            s->vis_percent[v] = 100.0 * (double)c->vis_bytes[v] / (double)s->payload_bytes;
}
