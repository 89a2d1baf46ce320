/*
 * json.c - one JSON object per decoded packet.
 *
 * The keys are documented in docs/man/mirrordec.1 (JSON OUTPUT).  Strings
 * are escaped as RFC 8259 requires; bytes that are not valid UTF-8 become
 * U+FFFD.  Addresses are written by mdec_addr_format (RFC 5952 for IPv6).
 * 64-bit ids are hex strings ("0x" and 16 digits): JSON readers often hold
 * numbers in doubles, which lose bits above 2^53.
 *
 * A key is preceded by a comma unless it opens its object: sep() looks at
 * the last byte written, so no state travels between the helpers.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <inttypes.h>
#include <string.h>

static void sep(struct mt_buf *b)
{
    const char last = b->len ? b->p[b->len - 1] : '{';
    if (last != '{' && last != '[')
        mt_buf_putc(b, ',');
}

static void key(struct mt_buf *b, const char *k)
{
    sep(b);
    mt_buf_putc(b, '"');
    mt_buf_puts(b, k);
    mt_buf_puts(b, "\":");
}

static void kv_u64(struct mt_buf *b, const char *k, uint64_t v)
{
    key(b, k);
    mt_buf_printf(b, "%" PRIu64, v);
}

static void kv_str(struct mt_buf *b, const char *k, const char *v)
{
    key(b, k);
    mt_json_str(b, v);
}

static void kv_bool(struct mt_buf *b, const char *k, int v)
{
    key(b, k);
    mt_buf_puts(b, v ? "true" : "false");
}

static void kv_hex(struct mt_buf *b, const char *k, uint64_t v, int digits)
{
    key(b, k);
    mt_buf_printf(b, "\"0x%0*" PRIx64 "\"", digits, v);
}

static void kv_bytes(struct mt_buf *b, const char *k, const uint8_t *p, size_t n)
{
    key(b, k);
    mt_buf_reserve(b, 2 * n + 2);
    mt_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++)
        mt_buf_printf(b, "%02x", p[i]);
    mt_buf_putc(b, '"');
}

static void kv_addr(struct mt_buf *b, const char *k, const struct mdec_addr *a)
{
    key(b, k);
    mt_json_addr(b, a);
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = s[0] & 0x1Fu;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = s[0] & 0x0Fu;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void mt_json_str(struct mt_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    mt_buf_putc(b, '"');
    while (*p) {
        const unsigned char c = *p;
        if (c == '"' || c == '\\') {
            mt_buf_putc(b, '\\');
            mt_buf_putc(b, (char)c);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            static const char esc[] = "btnvfr";
            if (c >= 8 && c <= 13 && c != 11)
                mt_buf_printf(b, "\\%c", esc[c - 8]);
            else
                mt_buf_printf(b, "\\u%04x", c);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                mt_buf_puts(b, "\\ufffd");
                p++;
            } else {
                mt_buf_put(b, p, n);
                p += n;
            }
        }
    }
    mt_buf_putc(b, '"');
}

void mt_json_addr(struct mt_buf *b, const struct mdec_addr *a)
{
    char text[MDEC_ADDR_STRLEN];
    if (a->family == MDEC_AF_NONE) {
        mt_buf_puts(b, "null");
        return;
    }
    (void)mdec_addr_format(a, text, sizeof text);
    mt_json_str(b, text);
}

static const char *ethertype_name(uint16_t et)
{
    switch (et) {
    case 0x6558:
        return "ethernet";
    case 0x0800:
        return "ipv4";
    case 0x86DD:
        return "ipv6";
    case 0x0806:
        return "arp";
    default:
        return NULL;
    }
}

static void kv_ethertype(struct mt_buf *b, const char *k, uint16_t et)
{
    const char *name = ethertype_name(et);
    if (name)
        kv_str(b, k, name);
    else
        kv_hex(b, k, et, 4);
}

static void geneve_fields(struct mt_buf *b, const struct mdec_result *r, unsigned i)
{
    const struct mdec_tunnel *t = &r->tunnels[i];
    const struct mdec_geneve_info *g = &t->u.geneve;
    if (!(t->flags & MDEC_TF_ID))
        return; /* the fixed header was not read */
    kv_u64(b, "vni", t->id);
    kv_hex(b, "protocol", g->proto, 4);
    kv_bool(b, "oam", g->flags & 0x80);
    kv_bool(b, "critical", g->flags & 0x40);
    key(b, "options");
    mt_buf_putc(b, '[');
    struct mdec_geneve_iter it;
    struct mdec_geneve_opt opt;
    int rc;
    mdec_geneve_iter_result(&it, r, i);
    while ((rc = mdec_geneve_next(&it, &opt)) == MDEC_ITER_OPTION) {
        sep(b);
        mt_buf_putc(b, '{');
        kv_hex(b, "class", opt.cls, 4);
        kv_u64(b, "type", opt.type);
        kv_bytes(b, "data", opt.data, opt.len);
        mt_buf_putc(b, '}');
    }
    mt_buf_putc(b, ']');
    if (rc == MDEC_ITER_TRUNCATED)
        kv_str(b, "options_error", "truncated");
    else if (rc == MDEC_ITER_MALFORMED)
        kv_str(b, "options_error", "malformed");
    if (g->have & MDEC_GWLB_ENDPOINT)
        kv_hex(b, "gwlb_endpoint_id", g->gwlb_endpoint, 16);
    if (g->have & MDEC_GWLB_ATTACHMENT)
        kv_hex(b, "gwlb_attachment_id", g->gwlb_attachment, 16);
    if (g->have & MDEC_GWLB_COOKIE)
        kv_hex(b, "gwlb_flow_cookie", g->gwlb_cookie, 8);
    if (g->have & MDEC_GCP_NETWORK) {
        kv_u64(b, "gcp_network_id", g->gcp_network);
        kv_str(b, "gcp_direction", g->gcp_direction ? "egress" : "ingress");
    }
    if ((g->have & MDEC_GCP_ENDPOINT) && g->gcp_endpoint_off <= r->cap_len &&
        g->gcp_endpoint_len <= r->cap_len - g->gcp_endpoint_off)
        kv_bytes(b, "gcp_endpoint_id", r->frame + g->gcp_endpoint_off, g->gcp_endpoint_len);
    if (g->have & MDEC_GCP_PROFILE)
        kv_hex(b, "gcp_profile_id", g->gcp_profile, 16);
}

static void gre_common(struct mt_buf *b, const struct mdec_gre_info *g)
{
    if (g->flags_ver & 0x1000)
        kv_u64(b, "gre_seq", g->seq);
}

static void erspan_fields(struct mt_buf *b, const struct mdec_tunnel *t)
{
    const struct mdec_erspan_info *e = &t->u.erspan;
    kv_u64(b, "version", e->version);
    if (e->gre.flags_ver & 0x2000)
        kv_u64(b, "gre_key", e->gre.key);
    gre_common(b, &e->gre);
    if (e->version == 1 || !(t->flags & MDEC_TF_ID))
        return;
    kv_u64(b, "vlan", e->vlan);
    kv_u64(b, "cos", e->cos);
    kv_bool(b, "truncated", e->t);
    if (e->version == 2) {
        kv_u64(b, "encap", e->en_bso);
        kv_u64(b, "index", e->index);
        return;
    }
    kv_u64(b, "bso", e->en_bso);
    kv_u64(b, "timestamp", e->index);
    kv_u64(b, "granularity", e->gra);
    kv_u64(b, "sgt", e->sgt);
    kv_u64(b, "p", e->p);
    kv_u64(b, "frame_type", e->ft);
    kv_u64(b, "hw_id", e->hw_id);
    kv_str(b, "direction", e->d ? "egress" : "ingress");
    if (e->o)
        kv_hex(b, "platform", e->platform, 16);
}

static void tunnel(struct mt_buf *b, const struct mdec_result *r, unsigned i)
{
    const struct mdec_tunnel *t = &r->tunnels[i];
    const int last = i + 1 == r->n_tunnels;
    sep(b);
    mt_buf_putc(b, '{');
    kv_str(b, "type", mdec_tunnel_name((enum mdec_tunnel_type)t->type));
    if (t->flags & MDEC_TF_TRANSPORT)
        kv_bool(b, "transport", 1);
    key(b, "id");
    if (t->flags & MDEC_TF_ID)
        mt_buf_printf(b, "%" PRIu32, t->id);
    else
        mt_buf_puts(b, "null");
    if (t->flags & MDEC_TF_CARRIER) {
        kv_addr(b, "outer_src", &t->src);
        kv_addr(b, "outer_dst", &t->dst);
    }
    if (t->flags & MDEC_TF_PORTS) {
        kv_u64(b, "outer_sport", t->sport);
        kv_u64(b, "outer_dport", t->dport);
    }
    if (t->payload)
        kv_ethertype(b, "payload", t->payload);
    switch (t->type) {
    case MDEC_TUNNEL_GENEVE:
        geneve_fields(b, r, i);
        break;
    case MDEC_TUNNEL_VXLAN_GPE:
        if (t->flags & (MDEC_TF_ID | MDEC_TF_COMPLETE)) {
            kv_hex(b, "flags", t->u.gpe.flags, 2);
            kv_u64(b, "next_protocol", t->u.gpe.next_proto);
        }
        break;
    case MDEC_TUNNEL_ERSPAN:
        erspan_fields(b, t);
        break;
    case MDEC_TUNNEL_GRE:
        /* The GRE fields are only known to be set once the header was
         * read: when the tunnel is complete, or when decoding stopped at
         * it as unsupported (which happens after reading its first four
         * bytes, before the key and sequence number). */
        if ((t->flags & MDEC_TF_COMPLETE) || (last && r->status == MDEC_STATUS_UNSUPPORTED))
            kv_hex(b, "protocol", t->u.gre.proto, 4);
        if (t->flags & MDEC_TF_COMPLETE) /* the sequence number was read */
            gre_common(b, &t->u.gre);
        break;
    default:
        break;
    }
    mt_buf_putc(b, '}');
}

static void vlans(struct mt_buf *b, const char *k, const uint16_t *v, unsigned n)
{
    if (!n)
        return;
    key(b, k);
    mt_buf_putc(b, '[');
    for (unsigned i = 0; i < n && i < 2; i++) {
        sep(b);
        mt_buf_printf(b, "%u", v[i]);
    }
    mt_buf_putc(b, ']');
}

/*
 * The IANA keyword of an IP protocol number ("Assigned Internet Protocol
 * Numbers", the Keyword column), spelt as IANA spells it, which is what
 * Suricata's EVE log writes as "proto": "TCP", "UDP", "ICMP", "IPv6-ICMP".
 * NULL for the numbers IANA gives no keyword (61, 63, 68, 99, 114, the
 * unassigned 146..252, the experimental 253 and 254, the reserved 255).
 */
static const char *const proto_names[146] = {
    "HOPOPT", "ICMP", "IGMP", "GGP", "IPv4", "ST", "TCP", "CBT", "EGP", "IGP",
    "BBN-RCC-MON", "NVP-II", "PUP", "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX",
    "DCN-MEAS", "HMP", "PRM", "XNS-IDP", "TRUNK-1", "TRUNK-2", "LEAF-1", "LEAF-2", "RDP",
    "IRTP", "ISO-TP4", "NETBLT", "MFE-NSP", "MERIT-INP", "DCCP", "3PC", "IDPR", "XTP",
    "DDP", "IDPR-CMTP", "TP++", "IL", "IPv6", "SDRP", "IPv6-Route", "IPv6-Frag", "IDRP",
    "RSVP", "GRE", "DSR", "BNA", "ESP", "AH", "I-NLSP", "SWIPE", "NARP", "Min-IPv4",
    "TLSP", "SKIP", "IPv6-ICMP", "IPv6-NoNxt", "IPv6-Opts", NULL, "CFTP", NULL,
    "SAT-EXPAK", "KRYPTOLAN", "RVD", "IPPC", NULL, "SAT-MON", "VISA", "IPCV", "CPNX",
    "CPHB", "WSN", "PVP", "BR-SAT-MON", "SUN-ND", "WB-MON", "WB-EXPAK", "ISO-IP", "VMTP",
    "SECURE-VMTP", "VINES", "TTP", "NSFNET-IGP", "DGP", "TCF", "EIGRP", "OSPFIGP",
    "Sprite-RPC", "LARP", "MTP", "AX.25", "IPIP", "MICP", "SCC-SP", "ETHERIP", "ENCAP",
    NULL, "GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "A/N", "IPComp", "SNP",
    "Compaq-Peer", "IPX-in-IP", "VRRP", "PGM", NULL, "L2TP", "DDX", "IATP", "STP", "SRP",
    "UTI", "SMP", "SM", "PTP", "ISIS over IPv4", "FIRE", "CRTP", "CRUDP", "SSCOPMCE",
    "IPLT", "SPS", "PIPE", "SCTP", "FC", "RSVP-E2E-IGNORE", "Mobility Header", "UDPLite",
    "MPLS-in-IP", "manet", "HIP", "Shim6", "WESP", "ROHC", "Ethernet", "AGGFRAG", "NSH",
};

static const char *proto_name(unsigned proto)
{
    return proto < sizeof proto_names / sizeof proto_names[0] ? proto_names[proto] : NULL;
}

/* The capture time as ISO 8601 UTC, "2026-11-22T10:13:20.123456Z", with as
 * many decimals as ts: the date from the day count by the proleptic
 * Gregorian calendar's 400-year cycles (146097 days each), 1 March first
 * so that the leap day ends the year. */
static void kv_timestamp(struct mt_buf *b, const struct mt_frame *fr, int nano)
{
    int64_t days = fr->sec / 86400, rem = fr->sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    const int64_t z = days + 719468; /* days since 0000-03-01 */
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                 /* 0..146096 */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* 0..365 */
    const int64_t mp = (5 * doy + 2) / 153;                               /* 0 = March */
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2);
    key(b, "timestamp");
    mt_buf_printf(b, "\"%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64
                     ":%02" PRId64,
                  year, month, day, rem / 3600, rem / 60 % 60, rem % 60);
    if (nano)
        mt_buf_printf(b, ".%09" PRIu32 "Z\"", fr->nsec);
    else
        mt_buf_printf(b, ".%06" PRIu32 "Z\"", fr->nsec / 1000);
}

static const char *cut_by_name(unsigned by)
{
    switch (by) {
    case MDEC_CUT_CAPTURE:
        return "capture";
    case MDEC_CUT_MIRROR:
        return "mirror";
    case MDEC_CUT_FRAGMENT:
        return "fragment";
    default:
        return "none";
    }
}

void mt_json_packet(struct mt_buf *b, const struct mt_frame *fr, const struct mdec_result *r,
                    const struct mdec_match *m, enum mdec_verdict verdict, int nano, int worker,
                    const struct mt_opts *o)
{
    const struct mdec_flow *f = &r->flow;
    mt_buf_putc(b, '{');
    kv_u64(b, "frame", fr->index);
    key(b, "ts");
    if (nano)
        mt_buf_printf(b, "%" PRId64 ".%09" PRIu32, fr->sec, fr->nsec);
    else
        mt_buf_printf(b, "%" PRId64 ".%06" PRIu32, fr->sec, fr->nsec / 1000);
    kv_timestamp(b, fr, nano);
    kv_str(b, "status", mdec_status_name((enum mdec_status)r->status));
    key(b, "tunnels");
    mt_buf_putc(b, '[');
    for (unsigned i = 0; i < r->n_tunnels && i < MDEC_MAX_TUNNELS; i++)
        tunnel(b, r, i);
    mt_buf_putc(b, ']');

    if (f->flags & MDEC_FLOW_IP) {
        kv_addr(b, "src_ip", &f->src);
        kv_addr(b, "dest_ip", &f->dst);
    }
    if (f->flags & MDEC_FLOW_PROTO) {
        kv_u64(b, "proto", f->proto);
        const char *pn = proto_name(f->proto);
        if (pn)
            kv_str(b, "proto_name", pn);
    }
    if (f->flags & MDEC_FLOW_PORTS) {
        kv_u64(b, "src_port", f->sport);
        kv_u64(b, "dest_port", f->dport);
    }
    if (f->flags & MDEC_FLOW_ICMP) {
        kv_u64(b, "icmp_type", f->icmp_type);
        kv_u64(b, "icmp_code", f->icmp_code);
    }
    if (f->flags & MDEC_FLOW_TCP_FLAGS)
        kv_u64(b, "tcp_flags", f->tcp_flags);
    if (f->flags & MDEC_FLOW_FRAGMENT)
        kv_bool(b, "fragment", 1);
    if (f->flags & MDEC_FLOW_IP) {
        char cid[MDEC_COMMUNITY_ID_STRLEN];
        if (mdec_community_id_result(r, o->cid_seed, 0, cid, sizeof cid) > 0)
            kv_str(b, "community_id", cid);
        kv_hex(b, "flow_hash", mdec_flow_hash_result(r, &o->flow_key), 16);
    }
    vlans(b, "outer_vlan", r->outer_vlan, r->n_outer_vlan);

    char keytext[32];
    (void)mdec_key_format(&m->key, keytext, sizeof keytext);
    key(b, "session");
    if (m->session)
        mt_json_str(b, m->session->name);
    else
        mt_buf_puts(b, "null");
    kv_str(b, "key", keytext);
    kv_str(b, "direction", mdec_direction_name((enum mdec_direction)m->direction));
    kv_str(b, "verdict", mdec_verdict_name(verdict));

    kv_u64(b, "cap_len", r->cap_len);
    kv_u64(b, "wire_len", r->wire_len);
    const int inner = r->has_inner;
    key(b, "inner_cap_len");
    if (inner)
        mt_buf_printf(b, "%" PRIu32, r->inner.cap_len);
    else
        mt_buf_puts(b, "null");
    key(b, "inner_wire_len");
    if (inner)
        mt_buf_printf(b, "%" PRIu32, r->inner.wire_len);
    else
        mt_buf_puts(b, "null");
    key(b, "inner_link");
    mt_buf_puts(b, !inner ? "null" : r->inner.ethernet ? "\"ethernet\"" : "\"raw\"");
    if (inner && r->inner.ethertype)
        kv_ethertype(b, "inner_ethertype", r->inner.ethertype);
    if (inner)
        vlans(b, "inner_vlan", r->inner.vlan, r->inner.n_vlan);

    if (r->status == MDEC_STATUS_TRUNCATED) {
        key(b, "cut");
        mt_buf_putc(b, '{');
        kv_str(b, "by", cut_by_name(r->cut.by));
        kv_str(b, "layer", mdec_layer_name((enum mdec_layer)r->cut.layer));
        mt_buf_putc(b, '}');
    }
    key(b, "anomalies");
    mt_buf_putc(b, '[');
    for (unsigned i = 0; i < r->n_anomalies && i < MDEC_MAX_ANOMALIES; i++) {
        sep(b);
        mt_json_str(b, mdec_anomaly_name((enum mdec_anomaly_code)r->anomalies[i].code));
    }
    mt_buf_putc(b, ']');
    if (r->n_anomalies_seen > r->n_anomalies)
        kv_u64(b, "anomalies_lost", (uint64_t)(r->n_anomalies_seen - r->n_anomalies));
    if (worker >= 0)
        kv_u64(b, "worker", (uint64_t)worker);
    mt_buf_putc(b, '}');
}
