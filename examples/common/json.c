/*
 * json.c - one JSON object per decoded packet.
 *
 * The keys are documented in docs/man/mirrordec.1 (JSON OUTPUT).  Strings
 * are escaped as RFC 8259 requires; bytes that are not valid UTF-8 become
 * U+FFFD.  IPv4 addresses are written here, IPv6 addresses by
 * mdec_addr_format (RFC 5952).  64-bit ids are hex strings ("0x" and 16
 * digits): JSON readers often hold numbers in doubles, which lose bits
 * above 2^53.  ts is written from the integer seconds and nanoseconds, so
 * it is exact.
 *
 * The line is the hot path of --json (bench/json_cost.sh): no printf
 * family, keys joined with their comma at compile time, and the text that
 * repeats from packet to packet (the second of ts and timestamp, the
 * session key) kept per thread.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <assert.h>
#include <string.h>

/*
 * The writer.  A line is written through a cursor, d, into the memory of
 * the worker's struct mt_buf, which keeps its capacity from line to line:
 * the helpers take the cursor and return it moved, so it stays in a
 * register, and b->len is set once, at the end.  Room: need() makes sure
 * that SLACK bytes are free at the start of the line, of every tunnel and
 * of every array element, and after every piece of unbounded length
 * (strings, bytes); the pieces of bounded length between two such points
 * (keys, numbers, hex, addresses, the time; at most about 600 bytes in a
 * row, an ERSPAN type III tunnel's fields) are written without a check,
 * which debug builds assert (FITS).  Numbers, hex, addresses and the time
 * are formatted by hand: the printf family costs hundreds of instructions
 * a call.
 */
#define SLACK 2048

/* d, with more than n bytes free after it. */
static char *need(struct mt_buf *b, char *d, size_t n)
{
    if ((size_t)(b->p + b->cap - d) <= n) {
        b->len = (size_t)(d - b->p);
        mt_buf_reserve(b, n);
        d = b->p + b->len;
    }
    return d;
}

/* The writing macros use the b and d of the function they are in. */
#ifdef NDEBUG
#define FITS(n) ((void)b)
#else
#define FITS(n) assert((size_t)(b->p + b->cap - d) > (size_t)(n))
#endif
#define NEED() (d = need(b, d, SLACK))
#define PUT_LIT(lit) (FITS(sizeof lit), memcpy(d, lit, sizeof lit - 1), d += sizeof lit - 1)
#define PUT_C(c) (FITS(1), *d++ = (c))
#define PUT_U64(v) (FITS(20), d = fmt_u64(d, v))
#define PUT_HEX(v, digits) (FITS(20), d = fmt_hex(d, v, digits))
#define PUT_ADDR(a) (FITS(MDEC_ADDR_STRLEN + 2), d = fmt_addr(d, a))
#define PUT_STR(str) (d = put_str(b, d, str))
#define PUT_BYTES(p, n) (d = put_bytes(b, d, p, n))
#define PUT_BOOL(v) ((v) ? PUT_LIT("true") : PUT_LIT("false"))
/* A comma before an array element unless it is the first. */
#define SEP()                                                                                  \
    do {                                                                                       \
        if (d[-1] != '[')                                                                      \
            PUT_C(',');                                                                        \
    } while (0)
/* The keys are literals: comma, quotes and colon are joined to them at
 * compile time and copied with a constant length.  KEY is for every key
 * but the first of its object, which OPEN writes with the brace. */
#define KEY(k) PUT_LIT(",\"" k "\":")
#define OPEN(k) PUT_LIT("{\"" k "\":")
#define KV_U64(k, v) (KEY(k), PUT_U64(v))
#define KV_STR(k, v) (KEY(k), PUT_STR(v))
#define KV_BOOL(k, v) (KEY(k), PUT_BOOL(v))
#define KV_HEX(k, v, digits) (KEY(k), PUT_HEX(v, digits))
#define KV_BYTES(k, p, n) (KEY(k), PUT_BYTES(p, n))
#define KV_ADDR(k, a) (KEY(k), PUT_ADDR(a))

/* "00" "01" ... "99": two digits at a time. */
#define D10(t) t "0" t "1" t "2" t "3" t "4" t "5" t "6" t "7" t "8" t "9"
static const char digits2[] = D10("0") D10("1") D10("2") D10("3") D10("4") D10("5") D10("6")
    D10("7") D10("8") D10("9");
#undef D10
static const char hexdig[] = "0123456789abcdef";

/* Two digits, 0..99. */
static inline void put_2(char *d, uint64_t v)
{
    memcpy(d, digits2 + v * 2, 2);
}

/* Digits of v in decimal. */
static inline unsigned dec_len(uint64_t v)
{
    unsigned n = 1;
    for (uint64_t t = 10; n < 20 && v >= t; t *= 10)
        n++;
    return n;
}

/* Writes v in decimal so that it ends just before end (byte stores, not a
 * call to memcpy: most numbers are a few digits). */
static inline void dec_back(char *end, uint64_t v)
{
    while (v >= 100) {
        const size_t i = (size_t)(v % 100) * 2;
        v /= 100;
        *--end = digits2[i + 1];
        *--end = digits2[i];
    }
    if (v >= 10) {
        *--end = digits2[v * 2 + 1];
        *--end = digits2[v * 2];
    } else {
        *--end = (char)('0' + v);
    }
}

/* v in decimal at d (at most 20 bytes); returns the end. */
static char *fmt_u64(char *d, uint64_t v)
{
    if (v < 100) { /* flags, versions, most ids and lengths below: straight */
        if (v < 10) {
            *d = (char)('0' + v);
            return d + 1;
        }
        put_2(d, v);
        return d + 2;
    }
    const unsigned n = v < 1000 ? 3 : v < 10000 ? 4 : dec_len(v);
    dec_back(d + n, v);
    return d + n;
}

/* v with at least width (at most 20) digits, zeros in front (printf's %0*u). */
static char *fmt_dec_width(char *d, uint64_t v, unsigned width)
{
    const unsigned n = dec_len(v);
    if (n < width) {
        memset(d, '0', width - n);
        d += width - n;
    }
    dec_back(d + n, v);
    return d + n;
}

/* "0x" and v in lowercase hex, at least digits digits, in quotes (at most
 * 20 bytes). */
static char *fmt_hex(char *d, uint64_t v, unsigned digits)
{
    unsigned n = digits;
    while (n < 16 && (v >> (4 * n)) != 0)
        n++;
    d[0] = '"';
    d[1] = '0';
    d[2] = 'x';
    for (unsigned i = 0; i < n; i++)
        d[3 + i] = hexdig[(v >> (4 * (n - 1 - i))) & 0xf];
    d[3 + n] = '"';
    return d + n + 4;
}

/* The bytes in hex, two lowercase digits each, in quotes. */
static char *put_bytes(struct mt_buf *b, char *d, const uint8_t *p, size_t n)
{
    d = need(b, d, 2 * n + 2 + SLACK);
    *d++ = '"';
    for (size_t i = 0; i < n; i++) {
        *d++ = hexdig[p[i] >> 4];
        *d++ = hexdig[p[i] & 0xf];
    }
    *d++ = '"';
    return d;
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

/* 1 for the bytes a JSON string takes as they are: printable ASCII but '"'
 * and '\\' (the NUL is 0: it ends a run). */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t plain_byte[256] = {
    R16(0), R16(0),                                        /* controls */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,          /* ' ' '!' '"' ... */
    R16(1), R16(1),                                        /* 0x30..0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,          /* ... '\\' ... */
    R16(1),                                                /* 0x60..0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,          /* ... DEL */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), /* not ASCII */
};
#undef R16

static char *put_str(struct mt_buf *b, char *d, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    /* The usual string is a short name that needs no escaping: copied byte
     * by byte as it is checked, in one pass, without a call. */
    enum { SHORT = 64 };
    d = need(b, d, SHORT + 2 + SLACK);
    *d++ = '"';
    size_t i = 0;
    while (i < SHORT && plain_byte[p[i]]) {
        d[i] = (char)p[i];
        i++;
    }
    d += i;
    p += i;
    /* The rest: runs of plain bytes, and what needs escaping. */
    while (*p) {
        const unsigned char c = *p;
        if (plain_byte[c]) {
            const unsigned char *q = p;
            while (plain_byte[*q])
                q++;
            const size_t n = (size_t)(q - p);
            d = need(b, d, n + SLACK);
            memcpy(d, p, n);
            d += n;
            p = q;
            continue;
        }
        d = need(b, d, 6 + SLACK);
        if (c == '"' || c == '\\') {
            d[0] = '\\';
            d[1] = (char)c;
            d += 2;
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            static const char esc[] = "btnvfr";
            d[0] = '\\';
            if (c >= 8 && c <= 13 && c != 11) {
                d[1] = esc[c - 8];
                d += 2;
            } else {
                memcpy(d + 1, "u00", 3);
                d[4] = hexdig[c >> 4];
                d[5] = hexdig[c & 0xf];
                d += 6;
            }
            p++;
        } else {
            const size_t n = utf8_len(p);
            if (n == 0) {
                memcpy(d, "\\ufffd", 6);
                d += 6;
                p++;
            } else {
                memcpy(d, p, n);
                d += n;
                p += n;
            }
        }
    }
    *d++ = '"';
    return d;
}

void mt_json_str(struct mt_buf *b, const char *s)
{
    mt_buf_reserve(b, SLACK);
    char *d = put_str(b, b->p + b->len, s);
    b->len = (size_t)(d - b->p);
    *d = '\0';
}

/* An address in quotes, or null (at most MDEC_ADDR_STRLEN + 1 bytes):
 * IPv4 formatted here, IPv6 (RFC 5952's rules) by the library. */
static char *fmt_addr(char *d, const struct mdec_addr *a)
{
    if (a->family == MDEC_AF_IPV4) {
        *d++ = '"';
        for (int i = 0; i < 4; i++) {
            const unsigned v = a->a[i];
            if (i)
                *d++ = '.';
            if (v >= 100) {
                *d++ = (char)('0' + v / 100);
                put_2(d, v % 100);
                d += 2;
            } else if (v >= 10) {
                put_2(d, v);
                d += 2;
            } else {
                *d++ = (char)('0' + v);
            }
        }
        *d++ = '"';
        return d;
    }
    const int n = a->family == MDEC_AF_NONE ? 0 : mdec_addr_format(a, d + 1, MDEC_ADDR_STRLEN);
    if (n <= 0) {
        memcpy(d, "null", 4);
        return d + 4;
    }
    d[0] = '"';
    d[1 + n] = '"';
    return d + n + 2;
}

void mt_json_addr(struct mt_buf *b, const struct mdec_addr *a)
{
    mt_buf_reserve(b, SLACK);
    char *d = fmt_addr(b->p + b->len, a);
    b->len = (size_t)(d - b->p);
    *d = '\0';
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

static char *put_ethertype(struct mt_buf *b, char *d, uint16_t et)
{
    const char *name = ethertype_name(et);
    if (name)
        PUT_STR(name);
    else
        PUT_HEX(et, 4);
    return d;
}
#define KV_ETHERTYPE(k, et) (KEY(k), d = put_ethertype(b, d, et))

static char *geneve_fields(struct mt_buf *b, char *d, const struct mdec_result *r, unsigned i)
{
    const struct mdec_tunnel *t = &r->tunnels[i];
    const struct mdec_geneve_info *g = &t->u.geneve;
    if (!(t->flags & MDEC_TF_ID))
        return d; /* the fixed header was not read */
    KV_U64("vni", t->id);
    KV_HEX("protocol", g->proto, 4);
    KV_BOOL("oam", g->flags & 0x80);
    KV_BOOL("critical", g->flags & 0x40);
    KEY("options");
    PUT_C('[');
    struct mdec_geneve_iter it;
    struct mdec_geneve_opt opt;
    int rc;
    mdec_geneve_iter_result(&it, r, i);
    while ((rc = mdec_geneve_next(&it, &opt)) == MDEC_ITER_OPTION) {
        NEED();
        SEP();
        OPEN("class");
        PUT_HEX(opt.cls, 4);
        KV_U64("type", opt.type);
        KV_BYTES("data", opt.data, opt.len);
        PUT_C('}');
    }
    PUT_C(']');
    if (rc == MDEC_ITER_TRUNCATED)
        KV_STR("options_error", "truncated");
    else if (rc == MDEC_ITER_MALFORMED)
        KV_STR("options_error", "malformed");
    if (g->have & MDEC_GWLB_ENDPOINT)
        KV_HEX("gwlb_endpoint_id", g->gwlb_endpoint, 16);
    if (g->have & MDEC_GWLB_ATTACHMENT)
        KV_HEX("gwlb_attachment_id", g->gwlb_attachment, 16);
    if (g->have & MDEC_GWLB_COOKIE)
        KV_HEX("gwlb_flow_cookie", g->gwlb_cookie, 8);
    if (g->have & MDEC_GCP_NETWORK) {
        KV_U64("gcp_network_id", g->gcp_network);
        KV_STR("gcp_direction", g->gcp_direction ? "egress" : "ingress");
    }
    if ((g->have & MDEC_GCP_ENDPOINT) && g->gcp_endpoint_off <= r->cap_len &&
        g->gcp_endpoint_len <= r->cap_len - g->gcp_endpoint_off)
        KV_BYTES("gcp_endpoint_id", r->frame + g->gcp_endpoint_off, g->gcp_endpoint_len);
    if (g->have & MDEC_GCP_PROFILE)
        KV_HEX("gcp_profile_id", g->gcp_profile, 16);
    return d;
}

static char *gre_common(struct mt_buf *b, char *d, const struct mdec_gre_info *g)
{
    if (g->flags_ver & 0x1000)
        KV_U64("gre_seq", g->seq);
    return d;
}

static char *erspan_fields(struct mt_buf *b, char *d, const struct mdec_tunnel *t)
{
    const struct mdec_erspan_info *e = &t->u.erspan;
    KV_U64("version", e->version);
    if (e->gre.flags_ver & 0x2000)
        KV_U64("gre_key", e->gre.key);
    d = gre_common(b, d, &e->gre);
    if (e->version == 1 || !(t->flags & MDEC_TF_ID))
        return d;
    KV_U64("vlan", e->vlan);
    KV_U64("cos", e->cos);
    KV_BOOL("truncated", e->t);
    if (e->version == 2) {
        KV_U64("encap", e->en_bso);
        KV_U64("index", e->index);
        return d;
    }
    KV_U64("bso", e->en_bso);
    KV_U64("timestamp", e->index);
    KV_U64("granularity", e->gra);
    KV_U64("sgt", e->sgt);
    KV_U64("p", e->p);
    KV_U64("frame_type", e->ft);
    KV_U64("hw_id", e->hw_id);
    KV_STR("direction", e->d ? "egress" : "ingress");
    if (e->o)
        KV_HEX("platform", e->platform, 16);
    return d;
}

static char *tunnel(struct mt_buf *b, char *d, const struct mdec_result *r, unsigned i)
{
    const struct mdec_tunnel *t = &r->tunnels[i];
    const int last = i + 1 == r->n_tunnels;
    NEED();
    SEP();
    OPEN("type");
    PUT_STR(mdec_tunnel_name((enum mdec_tunnel_type)t->type));
    if (t->flags & MDEC_TF_TRANSPORT)
        KV_BOOL("transport", 1);
    KEY("id");
    if (t->flags & MDEC_TF_ID)
        PUT_U64(t->id);
    else
        PUT_LIT("null");
    if (t->flags & MDEC_TF_CARRIER) {
        KV_ADDR("outer_src", &t->src);
        KV_ADDR("outer_dst", &t->dst);
    }
    if (t->flags & MDEC_TF_PORTS) {
        KV_U64("outer_sport", t->sport);
        KV_U64("outer_dport", t->dport);
    }
    if (t->payload)
        KV_ETHERTYPE("payload", t->payload);
    switch (t->type) {
    case MDEC_TUNNEL_GENEVE:
        d = geneve_fields(b, d, r, i);
        break;
    case MDEC_TUNNEL_VXLAN_GPE:
        if (t->flags & (MDEC_TF_ID | MDEC_TF_COMPLETE)) {
            KV_HEX("flags", t->u.gpe.flags, 2);
            KV_U64("next_protocol", t->u.gpe.next_proto);
        }
        break;
    case MDEC_TUNNEL_ERSPAN:
        d = erspan_fields(b, d, t);
        break;
    case MDEC_TUNNEL_GRE:
        /* The GRE fields are only known to be set once the header was
         * read: when the tunnel is complete, or when decoding stopped at
         * it as unsupported (which happens after reading its first four
         * bytes, before the key and sequence number). */
        if ((t->flags & MDEC_TF_COMPLETE) || (last && r->status == MDEC_STATUS_UNSUPPORTED))
            KV_HEX("protocol", t->u.gre.proto, 4);
        if (t->flags & MDEC_TF_COMPLETE) /* the sequence number was read */
            d = gre_common(b, d, &t->u.gre);
        break;
    default:
        break;
    }
    PUT_C('}');
    return d;
}

/* The VLAN ids of a tag list (n > 0), outermost first. */
static char *put_vlans(struct mt_buf *b, char *d, const uint16_t *v, unsigned n)
{
    PUT_C('[');
    for (unsigned i = 0; i < n && i < 2; i++) {
        SEP();
        PUT_U64(v[i]);
    }
    PUT_C(']');
    return d;
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

/* v in decimal at d; returns its length. */
static size_t fmt_i64(char *d, int64_t v)
{
    size_t n = 0;
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        d[n++] = '-';
        u = (uint64_t)0 - u;
    }
    const unsigned k = dec_len(u);
    dec_back(d + n + k, u);
    return n + k;
}

/*
 * The text of one second, kept per thread while the frames stay in it: ts's
 * integer part and timestamp's "2026-11-22T10:13:20" (ISO 8601, UTC).  The
 * date comes from the day count by the proleptic Gregorian calendar's
 * 400-year cycles of 146097 days, with years starting on 1 March so that
 * the leap day ends them.
 */
struct second_text {
    int64_t sec;
    int valid;
    size_t ts_len, iso_len;
    char ts[24];
    char iso[40];
};
static _Thread_local struct second_text second_memo;

static const struct second_text *second_text(int64_t sec)
{
    struct second_text *m = &second_memo;
    if (m->valid && m->sec == sec)
        return m;
    m->sec = sec;
    m->valid = 1;
    m->ts_len = fmt_i64(m->ts, sec);

    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    const int64_t z = days + 719468; /* days since 0000-03-01 */
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                      /* 0..146096 */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
    const int64_t mp = (5 * doy + 2) / 153;                                    /* 0 = March */
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2);
    char *d = m->iso;
    if (year >= 0 && year <= 9999) {
        put_2(d, (uint64_t)year / 100);
        put_2(d + 2, (uint64_t)year % 100);
        d += 4;
    } else {
        d += fmt_i64(d, year); /* beyond ISO 8601's four digits: not from a pcap */
    }
    d[0] = '-';
    put_2(d + 1, (uint64_t)month);
    d[3] = '-';
    put_2(d + 4, (uint64_t)day);
    d[6] = 'T';
    put_2(d + 7, (uint64_t)(rem / 3600));
    d[9] = ':';
    put_2(d + 10, (uint64_t)(rem / 60 % 60));
    d[12] = ':';
    put_2(d + 13, (uint64_t)(rem % 60));
    m->iso_len = (size_t)(d + 15 - m->iso);
    return m;
}

/* ts and timestamp: the seconds and the decimals at the capture's
 * resolution, written from integers (ts is exact: no double on the way). */
static char *put_time(struct mt_buf *b, char *d, const struct mt_frame *fr, int nano)
{
    const struct second_text *t = second_text(fr->sec);
    const uint64_t frac = nano ? fr->nsec : fr->nsec / 1000;
    const unsigned width = nano ? 9 : 6;
    char dec[24]; /* the decimals, formatted once for both keys */
    const size_t nd = (size_t)(fmt_dec_width(dec, frac, width) - dec);
    KEY("ts");
    FITS(t->ts_len);
    memcpy(d, t->ts, t->ts_len);
    d += t->ts_len;
    PUT_C('.');
    FITS(nd);
    memcpy(d, dec, nd);
    d += nd;
    KEY("timestamp");
    PUT_C('"');
    FITS(t->iso_len);
    memcpy(d, t->iso, t->iso_len);
    d += t->iso_len;
    PUT_C('.');
    FITS(nd);
    memcpy(d, dec, nd);
    d += nd;
    PUT_LIT("Z\"");
    return d;
}

/*
 * A session key's text in quotes ("vxlan:101"), from a small per-thread
 * memo of the keys seen last: mdec_key_format() is a few hundred
 * instructions and the same keys come back packet after packet.
 */
struct key_text {
    uint64_t id;
    uint8_t kind, has_id, len; /* len 0: empty; else of text, quotes included */
    char text[40];
};
#define KEY_MEMO 16
static _Thread_local struct key_text key_memo[KEY_MEMO];

static char *put_key_text(struct mt_buf *b, char *d, const struct mdec_key *k)
{
    struct key_text *m = &key_memo[((k->id * 0x9E3779B97F4A7C15u) >> 60 ^ k->kind) % KEY_MEMO];
    if (!m->len || m->id != k->id || m->kind != k->kind || m->has_id != k->has_id) {
        char text[32];
        text[0] = '\0';
        (void)mdec_key_format(k, text, sizeof text);
        const size_t n = strlen(text);
        size_t plain = 0;
        while (plain < n && plain_byte[(unsigned char)text[plain]])
            plain++;
        if (plain != n || n + 2 > sizeof m->text)
            return put_str(b, d, text); /* not expected: not kept */
        m->id = k->id;
        m->kind = k->kind;
        m->has_id = k->has_id;
        m->text[0] = '"';
        memcpy(m->text + 1, text, n);
        m->text[n + 1] = '"';
        m->len = (uint8_t)(n + 2);
    }
    FITS(m->len);
    memcpy(d, m->text, m->len);
    d += m->len;
    return d;
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
    mt_buf_reserve(b, SLACK);
    char *d = b->p + b->len;
    OPEN("frame");
    PUT_U64(fr->index);
    d = put_time(b, d, fr, nano);
    KV_STR("status", mdec_status_name((enum mdec_status)r->status));
    KEY("tunnels");
    PUT_C('[');
    for (unsigned i = 0; i < r->n_tunnels && i < MDEC_MAX_TUNNELS; i++)
        d = tunnel(b, d, r, i);
    PUT_C(']');

    if (f->flags & MDEC_FLOW_IP) {
        KV_ADDR("src_ip", &f->src);
        KV_ADDR("dest_ip", &f->dst);
    }
    if (f->flags & MDEC_FLOW_PROTO) {
        KV_U64("proto", f->proto);
        const char *pn = proto_name(f->proto);
        if (pn)
            KV_STR("proto_name", pn);
    }
    if (f->flags & MDEC_FLOW_PORTS) {
        KV_U64("src_port", f->sport);
        KV_U64("dest_port", f->dport);
    }
    if (f->flags & MDEC_FLOW_ICMP) {
        KV_U64("icmp_type", f->icmp_type);
        KV_U64("icmp_code", f->icmp_code);
    }
    if (f->flags & MDEC_FLOW_TCP_FLAGS)
        KV_U64("tcp_flags", f->tcp_flags);
    if (f->flags & MDEC_FLOW_FRAGMENT)
        KV_BOOL("fragment", 1);
    if (f->flags & MDEC_FLOW_IP) {
        char cid[MDEC_COMMUNITY_ID_STRLEN];
        if (mdec_community_id_result(r, o->cid_seed, 0, cid, sizeof cid) > 0)
            KV_STR("community_id", cid);
        KV_HEX("flow_hash", mdec_flow_hash_result(r, &o->flow_key), 16);
    }
    if (r->n_outer_vlan) {
        KEY("outer_vlan");
        d = put_vlans(b, d, r->outer_vlan, r->n_outer_vlan);
    }

    KEY("session");
    if (m->session)
        PUT_STR(m->session->name);
    else
        PUT_LIT("null");
    KEY("key");
    d = put_key_text(b, d, &m->key);
    KV_STR("direction", mdec_direction_name((enum mdec_direction)m->direction));
    KV_STR("verdict", mdec_verdict_name(verdict));

    KV_U64("cap_len", r->cap_len);
    KV_U64("wire_len", r->wire_len);
    const int inner = r->has_inner;
    KEY("inner_cap_len");
    if (inner)
        PUT_U64(r->inner.cap_len);
    else
        PUT_LIT("null");
    KEY("inner_wire_len");
    if (inner)
        PUT_U64(r->inner.wire_len);
    else
        PUT_LIT("null");
    KEY("inner_link");
    if (!inner)
        PUT_LIT("null");
    else if (r->inner.ethernet)
        PUT_LIT("\"ethernet\"");
    else
        PUT_LIT("\"raw\"");
    if (inner && r->inner.ethertype)
        KV_ETHERTYPE("inner_ethertype", r->inner.ethertype);
    if (inner && r->inner.n_vlan) {
        KEY("inner_vlan");
        d = put_vlans(b, d, r->inner.vlan, r->inner.n_vlan);
    }

    if (r->status == MDEC_STATUS_TRUNCATED) {
        KEY("cut");
        OPEN("by");
        PUT_STR(cut_by_name(r->cut.by));
        KV_STR("layer", mdec_layer_name((enum mdec_layer)r->cut.layer));
        PUT_C('}');
    }
    KEY("anomalies");
    PUT_C('[');
    for (unsigned i = 0; i < r->n_anomalies && i < MDEC_MAX_ANOMALIES; i++) {
        SEP();
        PUT_STR(mdec_anomaly_name((enum mdec_anomaly_code)r->anomalies[i].code));
    }
    PUT_C(']');
    if (r->n_anomalies_seen > r->n_anomalies)
        KV_U64("anomalies_lost", (uint64_t)(r->n_anomalies_seen - r->n_anomalies));
    if (worker >= 0)
        KV_U64("worker", (uint64_t)worker);
    PUT_C('}');
    b->len = (size_t)(d - b->p);
    *d = '\0';
}
