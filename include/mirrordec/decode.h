/*
 * mirrordec/decode.h - decapsulate one mirrored frame down to its inner flow.
 *
 * Include <mirrordec.h> rather than this file.
 *
 *   struct mdec_config cfg;            // settings; build once, share freely
 *   struct mdec_result res;            // per call; lives on the caller's stack
 *   mdec_config_init(&cfg);
 *   mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, caplen, wirelen, &res);
 *   if (res.status == MDEC_STATUS_OK || res.status == MDEC_STATUS_TRUNCATED) ... res.flow ...
 *
 * Memory: the library keeps nothing between calls and allocates nothing.
 * The result describes the frame with offsets, and with pointers into the
 * frame (res.frame, GENEVE option views): those stay valid only while the
 * caller keeps the frame's bytes unchanged.  A config is read, never written,
 * by the decode functions, so any number of threads may share one; a result
 * belongs to one call at a time.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_DECODE_H
#define MIRRORDEC_DECODE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ link types */

/*
 * The outer framing of what is handed to mdec_decode().  The values are
 * libpcap's LINKTYPE_ numbers; the DLT_ numbers that pcap_datalink() returns
 * for the same formats on Linux and the BSDs are accepted as well (DLT_RAW is
 * 12 or 14 where LINKTYPE_RAW is 101), so a pcap user passes either through.
 */
enum mdec_linktype {
    MDEC_LINK_ETHERNET = 1,     /* Ethernet II, 802.1Q and 802.1ad tags       */
    MDEC_LINK_RAW = 101,        /* bare IPv4 or IPv6, told apart by version   */
    MDEC_LINK_LINUX_SLL = 113,  /* Linux cooked capture v1 ("any" device)     */
    MDEC_LINK_IPV4 = 228,       /* bare IPv4                                  */
    MDEC_LINK_IPV6 = 229,       /* bare IPv6                                  */
    MDEC_LINK_LINUX_SLL2 = 276  /* Linux cooked capture v2                    */
};

/* ---------------------------------------------------------------- tunnels */

enum mdec_tunnel_type {
    MDEC_TUNNEL_NONE = 0,
    MDEC_TUNNEL_VXLAN = 1,     /* RFC 7348, UDP 4789 and 8472 by default          */
    MDEC_TUNNEL_VXLAN_GPE = 2, /* draft-ietf-nvo3-vxlan-gpe, UDP 4790 by default  */
    MDEC_TUNNEL_GENEVE = 3,    /* RFC 8926, UDP 6081 by default                   */
    MDEC_TUNNEL_ERSPAN = 4,    /* ERSPAN I/II (GRE 0x88BE), III (GRE 0x22EB)      */
    MDEC_TUNNEL_GRE = 5        /* RFC 2784/2890 carrying Ethernet (NVGRE) or IP   */
    /* New tunnel types take 6..63; session key kinds of 64 and above are
     * not tunnel types (session.h). */
};


/* ---------------------------------------------------------- configuration */

#define MDEC_MAX_PORTS 16   /* UDP port mappings a config holds          */
#define MDEC_MAX_TUNNELS 8  /* hard cap on tunnels peeled from one frame */
#define MDEC_MAX_TRANSPORTS 8      /* trusted transports a config holds     */
#define MDEC_TRANSPORT_PREFIXES 8  /* source prefixes of one transport      */

/* Bits of mdec_config.flags. */
enum {
    /*
     * Reserved bits that the RFCs say to send as zero and ignore on receipt
     * (VXLAN, VXLAN-GPE, GENEVE, GRE, ERSPAN) make the packet MALFORMED.
     * Without this flag they are only reported as anomalies.
     */
    MDEC_CFG_STRICT = 1u << 0,
    /*
     * Also recognise a tunnel by the UDP source port, as tcpdump does.  By
     * default only the destination port is matched, as Suricata does since
     * 2025: a source port is chosen by the sender and proves nothing.
     */
    MDEC_CFG_MATCH_SRC_PORT = 1u << 1
};

struct mdec_port_map {
    uint16_t port;
    uint8_t type; /* enum mdec_tunnel_type: VXLAN, VXLAN_GPE or GENEVE */
};

/*
 * The trust rule.  Only the outermost carrier's source address is vouched
 * for by the network (it is the address the frame, or the datagram a socket
 * received, came from); everything inside a packet is written by its
 * sender.  So the decoder peels the outermost tunnel, and peels a tunnel
 * nested inside it only when the tunnel around it is a declared trusted
 * transport: a tunnel of the transport's type whose carrier source lies in
 * one of the transport's prefixes.  A trusted transport vouches for the
 * carrier source of the tunnel it carries, and so on inwards.  The first
 * tunnel that is not a trusted transport (or the innermost one peeled) is
 * the mirror's tunnel: it keys the session (session.h), its carrier source
 * is the one the session's allow-list judges, and what it carries is the
 * mirrored packet, whose own tunnels are never peeled (anomaly
 * MDEC_A_NESTED_UNTRUSTED): they cannot re-key the packet nor move it into
 * another session.  Without any declaration (the default) exactly one
 * tunnel is peeled.
 *
 * Example: AWS mirroring behind a Gateway Load Balancer arrives as GENEVE
 * from the GWLB's addresses around the mirror's VXLAN.  Declaring GENEVE
 * from the GWLB's subnet as a transport makes the decoder peel the VXLAN
 * too, and the session is the VXLAN VNI, checked against the mirrored
 * interface's address; GENEVE from anywhere else stays a single tunnel.
 */
struct mdec_transport {
    uint8_t type;   /* enum mdec_tunnel_type                                */
    uint8_t n_from; /* entries of from[] in use, 1..MDEC_TRANSPORT_PREFIXES  */
    struct mdec_prefix from[MDEC_TRANSPORT_PREFIXES]; /* trusted carrier sources */
};

/*
 * Decoder settings.  Initialise with mdec_config_init(), then change fields
 * or call mdec_config_set_port().  A config is only read while decoding.
 */
struct mdec_config {
    uint32_t flags;    /* MDEC_CFG_* bits; default 0 (permissive)          */
    uint8_t max_depth; /* most tunnels peeled from one frame, trusted
                          transports included (see the trust rule above),
                          1..MDEC_MAX_TUNNELS; default 4; values outside
                          the range are clamped into it                  */
    uint8_t n_ports;   /* entries used in ports[]; 0 removes every mapping */
    struct mdec_port_map ports[MDEC_MAX_PORTS];
    uint8_t n_transports; /* entries used in transports[]; default 0       */
    struct mdec_transport transports[MDEC_MAX_TRANSPORTS];
};

/*
 * Defaults: permissive, max_depth 4, VXLAN on UDP 4789 and 8472, VXLAN-GPE on
 * 4790, GENEVE on 6081.  GRE (IP protocol 47) needs no port: GRE carrying
 * ERSPAN, Ethernet or IP is always decoded as a tunnel.
 */
MDEC_API void mdec_config_init(struct mdec_config *cfg);

/*
 * Maps UDP port to a tunnel type, replacing any earlier mapping of that port;
 * MDEC_TUNNEL_NONE removes the mapping.  Returns 0, MDEC_E_INVALID for a type
 * that is not carried over UDP, or MDEC_E_NOSPACE when ports[] is full.
 */
MDEC_API int mdec_config_set_port(struct mdec_config *cfg, uint16_t port,
                                  enum mdec_tunnel_type type);


/*
 * Declares a trusted transport (see struct mdec_transport): tunnels of this
 * type whose carrier source lies in one of from[0..n_from) are peeled
 * through to the tunnel they carry.  The prefixes are copied.  Returns 0;
 * MDEC_E_INVALID for a type outside VXLAN..GRE, n_from 0 or above
 * MDEC_TRANSPORT_PREFIXES, a prefix of no family or too long for its
 * family (the config is then unchanged); MDEC_E_NOSPACE when
 * MDEC_MAX_TRANSPORTS are declared.  Declare "any source" explicitly, with
 * 0.0.0.0/0 and ::/0, and only where no stranger can reach the decoder.
 */
MDEC_API int mdec_config_add_transport(struct mdec_config *cfg, enum mdec_tunnel_type type,
                                       const struct mdec_prefix *from, size_t n_from);

/* ----------------------------------------------------------------- status */

/*
 * The outcome for one frame.  Decoding stops at the first problem; every
 * layer fully present before it is still decoded and reported.
 */
enum mdec_status {
    MDEC_STATUS_OK = 0,          /* at least one tunnel peeled, every layer whole */
    MDEC_STATUS_TRUNCATED = 1,   /* bytes ran out: the capture (snaplen) or the
                                    mirror (AWS PacketLength, MTU) cut the frame;
                                    see mdec_result.cut                          */
    MDEC_STATUS_MALFORMED = 2,   /* a header states something impossible, or a
                                    packet on a tunnel port fails that tunnel's
                                    checks; see the anomalies                    */
    MDEC_STATUS_UNSUPPORTED = 3, /* well formed, but mirrordec cannot go on: link
                                    type, GRE protocol, GENEVE protocol type,
                                    VXLAN-GPE next protocol, ERSPAN frame type; or
                                    a call the NULL policy refuses (common.h)    */
    MDEC_STATUS_NOT_TUNNELED = 4 /* a valid frame that carries no tunnel mirrordec
                                    recognises; flow describes the frame itself  */
};


/* ----------------------------------------------------------------- layers */

/* The protocol layers the decoder knows; names where bytes ran out or an
 * anomaly was found. */
enum mdec_layer {
    MDEC_LAYER_NONE = 0,
    MDEC_LAYER_FRAME = 1,      /* the frame as a whole                    */
    MDEC_LAYER_ETHERNET = 2,   /* Ethernet II and its VLAN tags           */
    MDEC_LAYER_SLL = 3,        /* Linux cooked v1 or v2                   */
    MDEC_LAYER_IPV4 = 4,
    MDEC_LAYER_IPV6 = 5,       /* fixed header and extension headers      */
    MDEC_LAYER_UDP = 6,
    MDEC_LAYER_GRE = 7,
    MDEC_LAYER_VXLAN = 8,
    MDEC_LAYER_VXLAN_GPE = 9,
    MDEC_LAYER_GENEVE = 10,    /* header and options                      */
    MDEC_LAYER_ERSPAN = 11,
    MDEC_LAYER_ARP = 12,
    MDEC_LAYER_TCP = 13,
    MDEC_LAYER_SCTP = 14,
    MDEC_LAYER_ICMP = 15,
    MDEC_LAYER_ICMPV6 = 16,
    MDEC_LAYER_PAYLOAD = 17    /* the innermost L4 payload: headers whole */
};


/*
 * Where one layer sits in the frame.  All offsets count from the first byte
 * handed to the decode function.
 */
struct mdec_span {
    uint32_t off;      /* first byte of the layer                              */
    uint32_t hdr_len;  /* its header: options, tags, extension headers included */
    uint32_t cap_len;  /* bytes of the layer (header and payload) present       */
    uint32_t wire_len; /* bytes of the layer when it was sent, as its own header
                          or its carrier states (saturates at UINT32_MAX)       */
};

/*
 * Indexes of mdec_result.span[].  "Outer" is the frame's own first IP packet
 * (the carrier of the outermost tunnel); "inner" is the innermost packet,
 * which for MDEC_STATUS_NOT_TUNNELED is the frame's own packet again.
 */
enum mdec_span_id {
    MDEC_SPAN_OUTER_LINK = 0, /* Ethernet (with tags) or Linux cooked header */
    MDEC_SPAN_OUTER_IP = 1,   /* IPv4 or IPv6, extension headers included     */
    MDEC_SPAN_OUTER_L4 = 2,   /* UDP; GRE with any ERSPAN header behind it;
                                 the L4 of a not-tunneled frame             */
    MDEC_SPAN_INNER_LINK = 3, /* inner Ethernet, when the tunnel carries one  */
    MDEC_SPAN_INNER_IP = 4,   /* inner IPv4/IPv6, or ARP                      */
    MDEC_SPAN_INNER_L4 = 5,   /* inner TCP, UDP, SCTP, ICMP, ICMPv6           */
    MDEC_SPAN_PAYLOAD = 6,    /* inner L4 payload (hdr_len 0)                 */
    MDEC_SPAN_COUNT = 7
};

/* True when span i of result r is valid. */
#define MDEC_HAS_SPAN(r, i) ((((r)->spans_present) >> (i)) & 1u)

/* ------------------------------------------------- per-tunnel information */

/* Bits of mdec_tunnel.flags. */
enum {
    MDEC_TF_ID = 1u << 0,      /* id holds the tunnel's VNI, session id or key  */
    MDEC_TF_CARRIER = 1u << 1, /* src/dst hold the carrier's IP addresses        */
    MDEC_TF_PORTS = 1u << 2,   /* sport/dport hold the carrier's UDP ports       */
    MDEC_TF_COMPLETE = 1u << 3, /* the whole tunnel header was present and valid */
    MDEC_TF_HEADER = 1u << 4,   /* its fixed header was read: the type-specific
                                   part u.* holds what that header says (for
                                   an incomplete tunnel too, e.g. the GRE
                                   protocol or ERSPAN frame type refused)      */
    MDEC_TF_TRANSPORT = 1u << 5 /* a declared trusted transport: its type and
                                   carrier source match an entry of
                                   mdec_config.transports (see the trust rule) */
};

/* Bits of mdec_geneve_info.have: which AWS / Google options were decoded. */
enum {
    MDEC_GWLB_ENDPOINT = 1u << 0,   /* class 0x0108 type 1: 8-byte endpoint id   */
    MDEC_GWLB_ATTACHMENT = 1u << 1, /* class 0x0108 type 2: 8-byte attachment id */
    MDEC_GWLB_COOKIE = 1u << 2,     /* class 0x0108 type 3: 4-byte flow cookie   */
    MDEC_GCP_NETWORK = 1u << 3,     /* class 0x0132 type 1: network id, direction */
    MDEC_GCP_ENDPOINT = 1u << 4,    /* class 0x0132 type 2: endpoint id (bytes)   */
    MDEC_GCP_PROFILE = 1u << 5      /* class 0x0132 type 3: profile id            */
};

#define MDEC_GENEVE_CLASS_AWS_GWLB 0x0108
#define MDEC_GENEVE_CLASS_GCP 0x0132

struct mdec_geneve_info {
    uint16_t proto;     /* Protocol Type: 0x6558 Ethernet, 0x0800, 0x86DD  */
    uint8_t flags;      /* second header byte: O 0x80, C 0x40, reserved    */
    uint8_t opt_len;    /* option bytes (Opt Len * 4), 0..252              */
    uint32_t opt_off;   /* frame offset of the first option                */
    uint8_t have;       /* MDEC_GWLB_* and MDEC_GCP_* bits                 */
    uint8_t gcp_direction;    /* MDEC_GCP_NETWORK: 0 ingress, 1 egress     */
    uint8_t gcp_endpoint_len; /* MDEC_GCP_ENDPOINT: bytes at gcp_endpoint_off */
    uint8_t reserved;         /* the header's last byte                      */
    uint32_t gcp_endpoint_off;
    uint32_t gcp_network;     /* MDEC_GCP_NETWORK: 28-bit network id         */
    uint32_t gwlb_cookie;     /* MDEC_GWLB_COOKIE                            */
    uint64_t gwlb_endpoint;   /* MDEC_GWLB_ENDPOINT                          */
    uint64_t gwlb_attachment; /* MDEC_GWLB_ATTACHMENT                        */
    uint64_t gcp_profile;     /* MDEC_GCP_PROFILE                            */
};

struct mdec_gre_info {
    uint16_t flags_ver; /* first 16 bits: C R K S s Recur A Flags Ver      */
    uint16_t proto;     /* Protocol Type                                   */
    uint32_t key;       /* key, valid when K (0x2000) is set               */
    uint32_t seq;       /* sequence number, valid when S (0x1000) is set   */
};

struct mdec_erspan_info {
    struct mdec_gre_info gre; /* the GRE header that carries ERSPAN        */
    uint8_t version;   /* ERSPAN type: 1 (I), 2 (II), 3 (III)               */
    uint8_t cos;       /* II, III: class of service                         */
    uint8_t en_bso;    /* II: En (trunk encapsulation); III: BSO            */
    uint8_t t;         /* II, III: T, frame was truncated by the switch     */
    uint16_t vlan;     /* II, III: original VLAN                             */
    uint8_t ft;        /* III: frame type, 0 Ethernet, 2 IP                 */
    uint8_t hw_id;     /* III: hardware id                                   */
    uint8_t d;         /* III: direction, 0 ingress, 1 egress               */
    uint8_t gra;       /* III: timestamp granularity                        */
    uint8_t o;         /* III: platform sub-header present                  */
    uint8_t p;         /* III: P bit                                        */
    uint16_t sgt;      /* III: security group tag                            */
    uint32_t index;    /* II: port index; III: timestamp                     */
    uint64_t platform; /* III with o: the 8-byte platform sub-header         */
};

struct mdec_gpe_info {
    uint8_t flags;      /* first byte: Ver 0x30, I 0x08, P 0x04, B 0x02, O 0x01 */
    uint8_t next_proto; /* 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH                  */
};

/* One tunnel of the stack. */
struct mdec_tunnel {
    uint8_t type;        /* enum mdec_tunnel_type                              */
    uint8_t flags;       /* MDEC_TF_* bits                                     */
    uint16_t payload;    /* ethertype of what it carries: 0x6558 Ethernet,
                            0x0800 IPv4, 0x86DD IPv6; 0 unknown                */
    uint32_t id;         /* MDEC_TF_ID: VNI (24 bits), ERSPAN session id
                            (10 bits) or GRE key (32 bits)                     */
    uint32_t off;        /* frame offset of the tunnel header; for ERSPAN and
                            GRE the GRE header                                 */
    uint32_t hdr_len;    /* bytes from off to the payload                      */
    struct mdec_addr src, dst; /* MDEC_TF_CARRIER: carrier IP addresses        */
    uint16_t sport, dport;     /* MDEC_TF_PORTS: carrier UDP ports             */
    union {                             /* valid with MDEC_TF_HEADER */
        struct mdec_geneve_info geneve; /* type GENEVE    */
        struct mdec_erspan_info erspan; /* type ERSPAN    */
        struct mdec_gre_info gre;       /* type GRE       */
        struct mdec_gpe_info gpe;       /* type VXLAN_GPE */
    } u;
};

/* ------------------------------------------------------------ inner flow */

/* Bits of mdec_flow.flags. */
enum {
    MDEC_FLOW_IP = 1u << 0,        /* src and dst are set                        */
    MDEC_FLOW_PORTS = 1u << 1,     /* sport and dport are set (TCP, UDP, SCTP)   */
    MDEC_FLOW_TCP_FLAGS = 1u << 2, /* tcp_flags is set                           */
    MDEC_FLOW_ICMP = 1u << 3,      /* icmp_type and icmp_code are set            */
    MDEC_FLOW_FRAGMENT = 1u << 4,  /* a fragment other than the first: no L4     */
    MDEC_FLOW_TUNNEL_ID = 1u << 5, /* tunnel_id is the innermost tunnel's id     */
    MDEC_FLOW_PROTO = 1u << 6      /* proto is the upper-layer protocol: always
                                      with IPv4; with IPv6 once the extension
                                      header chain was wholly present          */
};

/*
 * The innermost packet's flow key: the packet inside the innermost tunnel,
 * or with no tunnel (MDEC_STATUS_NOT_TUNNELED) the frame's own packet; never a
 * carrier.  Addresses and protocol come from the innermost IP header (after
 * IPv6 extension headers); ports only when the capture holds them.
 */
struct mdec_flow {
    struct mdec_addr src, dst;
    uint8_t proto;       /* MDEC_FLOW_PROTO: 6 TCP, 17 UDP, 132 SCTP, 1, 58   */
    uint8_t flags;       /* MDEC_FLOW_* bits                                  */
    uint8_t tcp_flags;   /* CWR ECE URG ACK PSH RST SYN FIN, high to low bit  */
    uint8_t tunnel_type; /* enum mdec_tunnel_type of the innermost tunnel      */
    uint16_t sport, dport;
    uint8_t icmp_type, icmp_code;
    uint32_t tunnel_id;
};

/* The innermost packet: what a mirror copied, ready to write to a pcap. */
struct mdec_inner {
    uint32_t off;      /* its first byte: Ethernet header, or the IP header
                          when the tunnel carries bare IP                     */
    uint32_t cap_len;  /* bytes of it present                                 */
    uint32_t wire_len; /* its length when mirrored: the larger of what its
                          carrier states and its link header plus the length
                          its IP header claims (a mirror that cut the packet
                          leaves the IP claim the larger; trailing Ethernet
                          padding leaves the carrier's)                      */
    uint32_t ip_len;   /* length the IP header claims (IPv4 total length,
                          IPv6 40 + payload or jumbo length); 0 without IP    */
    uint16_t ethertype; /* what it carries: 0x0800, 0x86DD, 0x0806 ARP, ...   */
    uint8_t ethernet;   /* 1 when it starts with an Ethernet header           */
    uint8_t n_vlan;     /* 802.1Q/802.1ad tags seen (vlan[] keeps two)        */
    uint16_t vlan[2];   /* VLAN ids, outermost first                          */
};

/* ------------------------------------------------------------- anomalies */

/*
 * Anomaly codes.  "info" ones never change the status; the others say why
 * the status is what it is.  mdec_anomaly_name() gives a stable dotted name
 * ("vxlan.i_flag_clear"), mdec_anomaly_text() a sentence.  The values are
 * pinned and grouped by layer, 16 to a group: a new code takes a free value
 * of its group, existing ones never move (see "Stability" in common.h).
 */
enum mdec_anomaly_code {
    MDEC_A_NONE = 0,
    /* bytes ran out (1..15) */
    MDEC_A_CAPTURE_CUT = 1,        /* the capture ended inside the layer (snaplen) */
    MDEC_A_MIRROR_CUT = 2,         /* the layer states more bytes than the tunnel
                                      delivered: the mirror truncated the packet  */
    MDEC_A_CARRIER_FRAGMENT = 3,   /* the tunnel's carrier is a first IP fragment:
                                      its rest is in fragments not reassembled    */
    /* the frame (16..31) */
    MDEC_A_LINKTYPE = 16,          /* unsupported link type                        */
    MDEC_A_WIRE_LT_CAP = 17,       /* info: wire length below captured length,
                                      taken as equal                              */
    MDEC_A_FRAME_TOO_LONG = 18,    /* frame of 4 GiB or more                       */
    MDEC_A_HEADER_BEYOND = 19,     /* a header does not fit in the length its
                                      carrier states (a runt frame, a datagram
                                      shorter than its UDP header ...)           */
    /* link (32..47) */
    MDEC_A_VLAN_DEPTH = 32,        /* more than 8 VLAN tags                        */
    MDEC_A_SLL_PROTOCOL = 33,      /* Linux cooked protocol is not an ethertype    */
    MDEC_A_ETHER_LENGTH = 34,      /* info: 802.3 length field, not an ethertype   */
    /* IP (48..63) */
    MDEC_A_IP_VERSION = 48,        /* version nibble does not match the header     */
    MDEC_A_IPV4_IHL = 49,          /* header length below 20 bytes                 */
    MDEC_A_IP_LEN_SHORT = 50,      /* total/payload length below the header length */
    MDEC_A_IP_LEN_BEYOND = 51,     /* IP length beyond the frame's wire length     */
    MDEC_A_IP_LEN_ZERO = 52,       /* info: length 0, taken from the frame (GSO,
                                      BIG TCP)                                    */
    MDEC_A_IP_FRAGMENT = 53,       /* info: a fragment; later fragments hold the
                                      rest, non-first ones hold no L4 header      */
    MDEC_A_IPV6_EXT_LIMIT = 54,    /* more than 16 IPv6 extension headers          */
    MDEC_A_IPV6_EXT_BEYOND = 55,   /* extension header beyond the IPv6 payload     */
    MDEC_A_IPV6_JUMBO = 56,        /* jumbo payload option malformed (RFC 2675)    */
    MDEC_A_IPV6_ESP = 57,          /* info: ESP ends the header walk               */
    /* L4 (64..79) */
    MDEC_A_UDP_LEN_SHORT = 64,     /* UDP length below 8                           */
    MDEC_A_UDP_LEN_BEYOND = 65,    /* UDP length beyond the IP payload             */
    MDEC_A_UDP_LEN_ZERO = 66,      /* info: UDP length 0, taken from IP (GSO)      */
    MDEC_A_TCP_OFFSET = 67,        /* TCP data offset below 5 or beyond segment    */
    /* VXLAN and VXLAN-GPE (80..95) */
    MDEC_A_VXLAN_I_FLAG = 80,      /* I flag clear: no VNI                         */
    MDEC_A_VXLAN_RESERVED = 81,    /* reserved bits set                            */
    MDEC_A_GPE_VERSION = 82,       /* version not 0                                */
    MDEC_A_GPE_P_FLAG = 83,        /* P flag clear: next protocol absent           */
    MDEC_A_GPE_OAM = 84,           /* O flag set: an OAM packet, nothing mirrored  */
    MDEC_A_GPE_NEXT_PROTO = 85,    /* next protocol is NSH or unknown              */
    /* GENEVE (96..111) */
    MDEC_A_GENEVE_VERSION = 96,    /* version not 0: RFC 8926 says drop            */
    MDEC_A_GENEVE_OPT_LEN = 97,    /* options do not add up to Opt Len             */
    MDEC_A_GENEVE_RESERVED = 98,   /* reserved bits set (header or option)         */
    MDEC_A_GENEVE_OAM = 99,        /* info: O flag set, a control packet           */
    MDEC_A_GENEVE_CRITICAL = 100,  /* info: critical option mirrordec ignores      */
    MDEC_A_GENEVE_PROTO = 101,     /* protocol type neither Ethernet nor IP        */
    MDEC_A_GENEVE_CLOUD_OPT = 102, /* AWS or Google option of the wrong length     */
    MDEC_A_GENEVE_DUP_OPTION = 103, /* an AWS or Google option appears twice; two
                                      different values cancel each other (neither
                                      is used); malformed in strict mode          */
    /* GRE and ERSPAN (112..127) */
    MDEC_A_GRE_VERSION = 112,      /* GRE version not 0 (1 is PPTP)                */
    MDEC_A_GRE_RESERVED = 113,     /* reserved flag bits set                       */
    MDEC_A_GRE_ROUTING = 114,      /* RFC 1701 routing entries malformed           */
    MDEC_A_GRE_PROTO = 115,        /* GRE protocol mirrordec does not decode       */
    MDEC_A_ERSPAN_VERSION = 116,   /* ERSPAN version field contradicts the type    */
    MDEC_A_ERSPAN_FRAME_TYPE = 117, /* ERSPAN III frame type neither Ethernet nor IP */
    MDEC_A_ERSPAN_RESERVED = 118,  /* reserved bits set                            */
    /* the tunnel stack (128..143) */
    MDEC_A_DEPTH_LIMIT = 128,      /* info: another tunnel inside the last one
                                      max_depth allows; left undecoded            */
    MDEC_A_NESTED_UNTRUSTED = 129, /* info: the mirrored packet carries a tunnel of
                                      its own; left unpeeled, because the tunnel
                                      around it is not a trusted transport        */
    MDEC_A_LIMIT = 256             /* every code is below this (mdec_anomaly.code
                                      is 8 bits); not a code                      */
};


/*
 * Anomalies kept per result.  n_anomalies_seen counts them all; when more
 * are found than fit, the one that sets the status (malformed, unsupported,
 * truncated) replaces the last one kept, so the reason is never lost.
 */
#define MDEC_MAX_ANOMALIES 8

/* One anomaly: what, in which layer, at which tunnel depth and offset. */
struct mdec_anomaly {
    uint8_t code;  /* enum mdec_anomaly_code                              */
    uint8_t layer; /* enum mdec_layer                                     */
    uint8_t depth; /* tunnels peeled before the layer: 0 = the carrier    */
    uint8_t pad_;
    uint32_t off;  /* frame offset of the layer's first byte              */
};

/* Why bytes ran out (mdec_result.cut.by). */
enum mdec_cut_by {
    MDEC_CUT_NONE = 0,    /* nothing ran out                                    */
    MDEC_CUT_CAPTURE = 1, /* the capture kept fewer bytes than the wire carried */
    MDEC_CUT_MIRROR = 2,  /* the tunnel delivered fewer bytes than the inner
                             packet states: the mirror truncated it             */
    MDEC_CUT_FRAGMENT = 3 /* the tunnel's carrier is a first IP fragment: the
                             rest is in later fragments (not reassembled)       */
};

/* ----------------------------------------------------------------- result */

/*
 * Everything mdec_decode() found in one frame.  The caller owns it (usually
 * on the stack); the decode functions overwrite it completely, but only the
 * parts that flags, counts and presence bits say are valid get written.
 * Reading anything else reads stale or uninitialised memory.
 */
struct mdec_result {
    uint8_t status;         /* enum mdec_status                                 */
    uint8_t n_tunnels;      /* valid entries of tunnels[], outermost first      */
    uint8_t n_anomalies;    /* valid entries of anomalies[]                     */
    uint8_t n_anomalies_seen; /* anomalies found, those that did not fit too    */
    uint8_t n_outer_vlan;   /* VLAN tags on the outer Ethernet header           */
    uint8_t has_inner;      /* 1: inner is valid (the innermost tunnel's payload
                               was reached, or a not-tunneled frame holds IP) */
    uint16_t outer_vlan[2]; /* outer VLAN ids, outermost first                  */
    uint32_t spans_present; /* bit i set: span[i] is valid (MDEC_HAS_SPAN)       */

    const uint8_t *frame;   /* the bytes handed in                              */
    uint32_t cap_len;       /* bytes of the frame present                       */
    uint32_t wire_len;      /* bytes of the frame on the wire                   */

    struct {
        uint8_t by;    /* enum mdec_cut_by                                      */
        uint8_t layer; /* enum mdec_layer that ran out                          */
        uint8_t depth; /* tunnels peeled before that layer                      */
        uint8_t pad_;
        uint32_t off;  /* frame offset of that layer                            */
    } cut;             /* valid when status is MDEC_STATUS_TRUNCATED                   */

    struct mdec_flow flow;   /* valid parts per flow.flags                       */
    struct mdec_inner inner; /* valid when has_inner                             */
    struct mdec_span span[MDEC_SPAN_COUNT];
    struct mdec_tunnel tunnels[MDEC_MAX_TUNNELS];
    struct mdec_anomaly anomalies[MDEC_MAX_ANOMALIES];
};

/* --------------------------------------------------------------- decoding */

/*
 * Decodes one frame of the given link type (enum mdec_linktype, or the
 * matching DLT_ value).  cap_len bytes at frame are present; wire_len is the
 * frame's length on the wire (pass cap_len, or 0, when unknown; a value
 * below cap_len is taken as cap_len).  frame may be NULL only when cap_len is
 * 0.  Fills *res and returns res->status.  Never reads outside
 * frame[0..cap_len), never allocates, never fails otherwise.
 */
MDEC_API enum mdec_status mdec_decode(const struct mdec_config *cfg, int linktype,
                                      const uint8_t *frame, size_t cap_len, size_t wire_len,
                                      struct mdec_result *res);

/*
 * What a UDP socket knows about a datagram besides its payload.  dport is
 * required: it selects the tunnel.  Set src.family (and dst.family) to
 * MDEC_AF_NONE when the address is unknown; the session layer then cannot
 * verify the sender.
 */
struct mdec_udp_meta {
    struct mdec_addr src, dst;
    uint16_t sport, dport;
};

/*
 * Decodes a UDP payload as a socket delivers it (recvmsg): the tunnel header
 * is at payload[0].  cap_len and wire_len as for mdec_decode() (a datagram
 * longer than the receive buffer is cut: pass the length MSG_TRUNC reports as
 * wire_len).  The outer spans stay unset; tunnels[0] takes its carrier
 * addresses and ports from meta.
 */
MDEC_API enum mdec_status mdec_decode_udp(const struct mdec_config *cfg, const uint8_t *payload,
                                          size_t cap_len, size_t wire_len,
                                          const struct mdec_udp_meta *meta,
                                          struct mdec_result *res);

/* One frame of a burst: cap_len bytes present at data, wire_len on the wire
 * (as for mdec_decode: 0 or cap_len when unknown). */
struct mdec_frame {
    const uint8_t *data;
    uint32_t cap_len;
    uint32_t wire_len;
};

/*
 * Decodes frames[0..n) into res[0..n), each exactly as mdec_decode() (meta
 * NULL; frames of the given link type) or mdec_decode_udp() with meta[i]
 * (UDP payloads; linktype unused) would.  Every receive path delivers bursts
 * (pcap buffers, recvmmsg, TPACKET_V3 blocks, DPDK rx bursts): hand them
 * over whole, then to mdec_table_process_burst().  Returns how many frames
 * decoded with status MDEC_STATUS_OK.
 */
MDEC_API size_t mdec_decode_burst(const struct mdec_config *cfg, int linktype,
                                  const struct mdec_frame *frames,
                                  const struct mdec_udp_meta *meta, size_t n,
                                  struct mdec_result *res);


/* ------------------------------------------------- GENEVE option iterator */

/* One GENEVE option, a view into the frame. */
struct mdec_geneve_opt {
    uint16_t cls;         /* option class                                  */
    uint8_t type;         /* option type; 0x80 is the critical bit         */
    uint8_t flags;        /* the three reserved bits R, as sent            */
    uint8_t len;          /* data bytes, 0..124 (Length * 4)               */
    const uint8_t *data;  /* len bytes of option data                      */
};

/* Iterator state; treat as opaque.  No cleanup is needed. */
struct mdec_geneve_iter {
    const uint8_t *p;
    uint32_t cap;  /* option bytes present */
    uint32_t len;  /* option bytes the header states */
    uint32_t pos;
    int32_t done;  /* 0, or the mdec_iter_result that ended the walk */
};

enum mdec_iter_result {
    MDEC_ITER_END = 0,       /* no more options                                */
    MDEC_ITER_OPTION = 1,    /* *opt holds the next option                     */
    MDEC_ITER_TRUNCATED = 2, /* the next option is not wholly present          */
    MDEC_ITER_MALFORMED = 3  /* the next option runs past the stated length    */
};


/*
 * Starts iterating over the options of res->tunnels[index], which must be a
 * GENEVE tunnel (otherwise the iterator is empty).  res->frame must still be
 * valid.
 */
MDEC_API void mdec_geneve_iter_result(struct mdec_geneve_iter *it, const struct mdec_result *res,
                                      unsigned index);

/*
 * Returns MDEC_ITER_OPTION and fills *opt with the next option; after
 * MDEC_ITER_END, MDEC_ITER_TRUNCATED or MDEC_ITER_MALFORMED every further
 * call returns the same value.
 */
MDEC_API int mdec_geneve_next(struct mdec_geneve_iter *it, struct mdec_geneve_opt *opt);

/* ---------------------------------------------------------------- helpers */

/* Names for output: "vxlan", "vxlan-gpe", "geneve", "erspan", "gre", "none";
 * "ok", "truncated", "malformed", "unsupported", "not_tunneled"; "ethernet",
 * "ipv4", "geneve", ... "payload"; "?" for a value outside the enum. */
MDEC_API const char *mdec_tunnel_name(enum mdec_tunnel_type type);
MDEC_API const char *mdec_status_name(enum mdec_status status);
MDEC_API const char *mdec_layer_name(enum mdec_layer layer);

/* An anomaly's stable dotted name ("vxlan.i_flag_clear"; "?" for a value
 * that is no code) and a sentence ("unknown anomaly"). */
MDEC_API const char *mdec_anomaly_name(enum mdec_anomaly_code code);
MDEC_API const char *mdec_anomaly_text(enum mdec_anomaly_code code);

/* 1 when the result holds an anomaly with this code, else 0. */
MDEC_API int mdec_result_has_anomaly(const struct mdec_result *res, enum mdec_anomaly_code code);

/*
 * Starts iterating over raw GENEVE option bytes: len bytes of options as a
 * header's Opt Len states, of which cap (at most len) are present at opts.
 * The bytes must outlive the iterator.  (mdec_geneve_iter_result() does
 * this for a decoded tunnel.)
 */
MDEC_API void mdec_geneve_iter_init(struct mdec_geneve_iter *it, const uint8_t *opts,
                                    size_t cap, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_DECODE_H */
