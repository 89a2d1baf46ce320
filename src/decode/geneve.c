/*
 * geneve.c - GENEVE (RFC 8926), UDP 6081: AWS Gateway Load Balancer and
 * Google Cloud out-of-band mirroring; and the public option iterator.
 *
 * Header (section 3.4):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Virtual Network Identifier (VNI)       |    Reserved   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Variable-Length Options                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Option (section 3.5):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Option Class         |      Type     |R|R|R| Length  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Variable-Length Option Data (Length * 4)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Checks: version 0 ("a receiver must drop an unknown version"); the options
 * must add up to exactly Opt Len * 4 bytes; Protocol Type 0x6558 (Ethernet),
 * 0x0800 or 0x86DD (bare IP, what AWS GWLB and Google send), else
 * unsupported.  Reserved bits of header and options: noted, or rejected in
 * strict mode.  O (control packet) is noted.  A critical option (type high
 * bit) that mirrordec does not interpret is noted: a tunnel endpoint must
 * drop it, a passive decoder reports it.
 *
 * Cloud options decoded into mdec_geneve_info:
 *   AWS GWLB, class 0x0108: type 1 endpoint id (8 bytes), type 2 attachment
 *     id (8), type 3 flow cookie (4).
 *   Google Cloud, class 0x0132: type 1 (4 bytes) network id in the top 28
 *     bits and direction in the lowest bit (1 = egress), as Wireshark reads
 *     it; type 2 endpoint id (opaque bytes, given as a view); type 3 profile
 *     id (8 bytes).  Google says to walk options as TLVs whose number and
 *     order may change, which is what the iterator does.
 *   An AWS or Google option of another length is noted and skipped.  Each
 *   may appear once: a copy is noted (malformed in strict mode), and two
 *   copies with different values leave the option unknown (its `have` bit
 *   clear), so that no key depends on the order of the options.
 *
 * No fast-path twin: the fast path calls this decoder (mdec__peel).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

/* ------------------------------------------------------------- iterator */

void mdec_geneve_iter_init(struct mdec_geneve_iter *it, const uint8_t *opts, size_t cap,
                           size_t len)
{
    if (it == NULL)
        return;
    it->p = opts;
    it->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    it->cap = cap > it->len ? it->len : (uint32_t)cap;
    if (opts == NULL)
        it->cap = 0;
    it->pos = 0;
    it->done = 0;
}

void mdec_geneve_iter_result(struct mdec_geneve_iter *it, const struct mdec_result *res,
                             unsigned index)
{
    if (it == NULL)
        return;
    mdec_geneve_iter_init(it, NULL, 0, 0);
    if (res == NULL || index >= res->n_tunnels || index >= MDEC_MAX_TUNNELS)
        return;
    const struct mdec_tunnel *t = &res->tunnels[index];
    if (t->type != MDEC_TUNNEL_GENEVE || res->frame == NULL)
        return;
    const struct mdec_geneve_info *g = &t->u.geneve;
    if (g->opt_off > res->cap_len)
        return;
    mdec_geneve_iter_init(it, res->frame + g->opt_off, res->cap_len - g->opt_off, g->opt_len);
}

/*
 * One step of the walk over options: len bytes stated, cap of them present
 * at p, the next option at *pos.  MDEC_ITER_OPTION and *opt, the option
 * consumed; or how the walk ends.  Inline: the decoder below walks every
 * GENEVE packet's options with it, the public iterator with the same code.
 */
static inline int step(const uint8_t *p, uint32_t cap, uint32_t len, uint32_t *pos,
                       struct mdec_geneve_opt *opt)
{
    if (*pos >= len)
        return MDEC_ITER_END;
    /* The options as a window: present up to cap, stated up to len. */
    const struct win w = {p, *pos, cap, len, MDEC_CUT_CAPTURE, 0};
    if ((uint64_t)*pos + 4 > len)
        return MDEC_ITER_MALFORMED;
    const uint8_t *h = rd_view(&w, 0, 4);
    if (h == NULL)
        return MDEC_ITER_TRUNCATED;
    const uint32_t dlen = (uint32_t)(h[3] & 0x1F) * 4;
    if ((uint64_t)*pos + 4 + dlen > len)
        return MDEC_ITER_MALFORMED;
    const uint8_t *data = rd_view(&w, 4, dlen);
    if (data == NULL)
        return MDEC_ITER_TRUNCATED;
    opt->cls = rd_get16(h);
    opt->type = h[2];
    opt->flags = (uint8_t)(h[3] >> 5);
    opt->len = (uint8_t)dlen;
    opt->data = data;
    *pos += 4 + dlen;
    return MDEC_ITER_OPTION;
}

int mdec_geneve_next(struct mdec_geneve_iter *it, struct mdec_geneve_opt *opt)
{
    if (it == NULL || opt == NULL)
        return MDEC_ITER_END;
    if (it->done)
        return it->done;
    const int r = step(it->p, it->cap, it->len, &it->pos, opt);
    if (r != MDEC_ITER_OPTION)
        it->done = r;
    return r;
}

/* ---------------------------------------------------------------- header */

/*
 * The cloud options met so far in one header: each may appear once.  A
 * second copy is an anomaly (malformed in strict mode); a second copy with
 * another value makes the option's value unknown, so that neither copy is
 * used and the session key cannot depend on the order of the options.
 */
struct cloud_seen {
    uint8_t seen;                  /* MDEC_GWLB_* and MDEC_GCP_* bits met    */
    uint8_t conflict;              /* of those, met twice with two values   */
    const uint8_t *endpoint;       /* the first Google endpoint id's bytes  */
};

/* Records value v (an option's whole value) for option bit `bit`; false
 * when strict mode refuses a duplicate. */
static bool seen_value(struct dec *d, struct cloud_seen *cs, unsigned bit, bool same,
                       uint32_t off)
{
    if (!(cs->seen & bit)) {
        cs->seen |= (uint8_t)bit;
        return true;
    }
    if (!same)
        cs->conflict |= (uint8_t)bit;
    return mdec__reserved(d, MDEC_A_GENEVE_DUP_OPTION, MDEC_LAYER_GENEVE, off);
}

/* The value equals the one kept, read only once one was (g's fields are
 * not initialised before). */
#define SAME(bit, eq) ((cs->seen & (bit)) && (eq))

/* An AWS GWLB option (class 0x0108) into g: see cloud_option(). */
static bool aws_option(struct dec *d, const struct mdec_geneve_opt *o, uint32_t off,
                       struct mdec_geneve_info *g, struct cloud_seen *cs, bool *cloud)
{
    if (o->type == 1 && o->len == 8) {
        const uint64_t v = rd_get64(o->data);
        if (!seen_value(d, cs, MDEC_GWLB_ENDPOINT, SAME(MDEC_GWLB_ENDPOINT, v == g->gwlb_endpoint),
                        off))
            return false;
        g->gwlb_endpoint = v;
        g->have |= MDEC_GWLB_ENDPOINT;
    } else if (o->type == 2 && o->len == 8) {
        const uint64_t v = rd_get64(o->data);
        if (!seen_value(d, cs, MDEC_GWLB_ATTACHMENT,
                        SAME(MDEC_GWLB_ATTACHMENT, v == g->gwlb_attachment), off))
            return false;
        g->gwlb_attachment = v;
        g->have |= MDEC_GWLB_ATTACHMENT;
    } else if (o->type == 3 && o->len == 4) {
        const uint32_t v = rd_get32(o->data);
        if (!seen_value(d, cs, MDEC_GWLB_COOKIE, SAME(MDEC_GWLB_COOKIE, v == g->gwlb_cookie), off))
            return false;
        g->gwlb_cookie = v;
        g->have |= MDEC_GWLB_COOKIE;
    } else if (o->type >= 1 && o->type <= 3) {
        mdec__note(d, MDEC_A_GENEVE_CLOUD_OPT, MDEC_LAYER_GENEVE, off);
    } else {
        *cloud = false;
    }
    return true;
}

/* A Google Cloud option (class 0x0132) into g: see cloud_option(). */
static bool gcp_option(struct dec *d, const struct mdec_geneve_opt *o, uint32_t off,
                       struct mdec_geneve_info *g, struct cloud_seen *cs, bool *cloud)
{
    if (o->type == 1 && o->len == 4) {
        const uint32_t v = rd_get32(o->data);
        const bool same = SAME(MDEC_GCP_NETWORK, (v >> 4) == g->gcp_network &&
                                                     (v & 1) == g->gcp_direction);
        if (!seen_value(d, cs, MDEC_GCP_NETWORK, same, off))
            return false;
        g->gcp_network = v >> 4;
        g->gcp_direction = (uint8_t)(v & 1);
        g->have |= MDEC_GCP_NETWORK;
    } else if (o->type == 2 && o->len > 0) {
        const bool same = cs->endpoint != NULL && o->len == g->gcp_endpoint_len &&
                          memcmp(o->data, cs->endpoint, o->len) == 0;
        if (!seen_value(d, cs, MDEC_GCP_ENDPOINT, same, off))
            return false;
        if (cs->endpoint == NULL) {
            cs->endpoint = o->data;
            g->gcp_endpoint_off = off + 4;
            g->gcp_endpoint_len = o->len;
        }
        g->have |= MDEC_GCP_ENDPOINT;
    } else if (o->type == 3 && o->len == 8) {
        const uint64_t v = rd_get64(o->data);
        if (!seen_value(d, cs, MDEC_GCP_PROFILE, SAME(MDEC_GCP_PROFILE, v == g->gcp_profile), off))
            return false;
        g->gcp_profile = v;
        g->have |= MDEC_GCP_PROFILE;
    } else if (o->type >= 1 && o->type <= 3) {
        mdec__note(d, MDEC_A_GENEVE_CLOUD_OPT, MDEC_LAYER_GENEVE, off);
    } else {
        *cloud = false;
    }
    return true;
}

/* Decodes an AWS or Google option into g (once: see struct cloud_seen);
 * *cloud false when it is neither.  False when strict mode refuses it. */
static bool cloud_option(struct dec *d, const struct mdec_geneve_opt *o, uint32_t off,
                         struct mdec_geneve_info *g, struct cloud_seen *cs, bool *cloud)
{
    *cloud = true;
    if (o->cls == MDEC_GENEVE_CLASS_AWS_GWLB)
        return aws_option(d, o, off, g, cs, cloud);
    if (o->cls == MDEC_GENEVE_CLASS_GCP)
        return gcp_option(d, o, off, g, cs, cloud);
    *cloud = false;
    return true;
}

bool mdec__geneve(struct dec *d, const struct win *w, struct mdec_tunnel *t, struct win *payload)
{
    struct mdec_geneve_info *g = &t->u.geneve;
    t->hdr_len = 8;
    g->have = 0;
    g->opt_len = 0;
    g->opt_off = w->off + 8;
    const uint8_t *h = mdec__need_view(d, w, 0, 8, MDEC_LAYER_GENEVE, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    if (h[0] >> 6 != 0)
        return mdec__malformed(d, MDEC_A_GENEVE_VERSION, MDEC_LAYER_GENEVE, w->off);
    const uint32_t opt_len = (uint32_t)(h[0] & 0x3F) * 4;
    g->opt_len = (uint8_t)opt_len;
    g->flags = h[1];
    g->proto = rd_get16(h + 2);
    g->reserved = h[7];
    g->gcp_direction = 0;
    g->gcp_endpoint_len = 0;
    t->id = rd_get24(h + 4);
    t->flags |= MDEC_TF_ID | MDEC_TF_HEADER;
    t->hdr_len = 8 + opt_len;
    if ((h[1] & 0x3F) || h[7]) {
        if (!mdec__reserved(d, MDEC_A_GENEVE_RESERVED, MDEC_LAYER_GENEVE, w->off))
            return false;
    }
    if (h[1] & 0x80)
        mdec__note(d, MDEC_A_GENEVE_OAM, MDEC_LAYER_GENEVE, w->off);
    const uint8_t *opts = mdec__need_view(d, w, 8, opt_len, MDEC_LAYER_GENEVE, MDEC_A_HEADER_BEYOND);
    if (opts == NULL)
        return false;
    struct mdec_geneve_opt o;
    struct cloud_seen cs = {0, 0, NULL};
    uint32_t pos = 0;
    int r;
    while ((r = step(opts, opt_len, opt_len, &pos, &o)) == MDEC_ITER_OPTION) {
        const uint32_t off = g->opt_off + pos - 4 - o.len;
        bool cloud;
        if (o.flags && !mdec__reserved(d, MDEC_A_GENEVE_RESERVED, MDEC_LAYER_GENEVE, off))
            return false;
        if (!cloud_option(d, &o, off, g, &cs, &cloud))
            return false;
        if (!cloud && (o.type & 0x80))
            mdec__note(d, MDEC_A_GENEVE_CRITICAL, MDEC_LAYER_GENEVE, off);
    }
    if (r != MDEC_ITER_END) /* all option bytes are present: only MALFORMED */
        return mdec__malformed(d, MDEC_A_GENEVE_OPT_LEN, MDEC_LAYER_GENEVE, w->off);
    g->have &= (uint8_t)~cs.conflict; /* two values: neither is known */

    switch (g->proto) {
    case ETH_TEB:
    case ETH_IPV4:
    case ETH_IPV6:
        t->payload = g->proto;
        break;
    default:
        return mdec__unsupported(d, MDEC_A_GENEVE_PROTO, MDEC_LAYER_GENEVE, w->off);
    }
    *payload = mdec__tunnel_payload(w, 8 + opt_len);
    return true;
}
