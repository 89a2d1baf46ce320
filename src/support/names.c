/*
 * names.c - the names of every enum value the API returns, from one table
 * per enum.  Names are stable: tools print them and users grep for them.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mirrordec/decode.h"
#include "mirrordec/health.h"

#define NAME_OF(table, v) \
    ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) && (table)[(unsigned)(v)] ? (table)[(unsigned)(v)] : "?")

static const char *const status_names[] = {
    [MDEC_STATUS_OK] = "ok",
    [MDEC_STATUS_TRUNCATED] = "truncated",
    [MDEC_STATUS_MALFORMED] = "malformed",
    [MDEC_STATUS_UNSUPPORTED] = "unsupported",
    [MDEC_STATUS_NOT_TUNNELED] = "not_tunneled",
};

const char *mdec_status_name(enum mdec_status status)
{
    return NAME_OF(status_names, status);
}

static const char *const tunnel_names[] = {
    [MDEC_TUNNEL_NONE] = "none",     [MDEC_TUNNEL_VXLAN] = "vxlan",
    [MDEC_TUNNEL_VXLAN_GPE] = "vxlan-gpe", [MDEC_TUNNEL_GENEVE] = "geneve",
    [MDEC_TUNNEL_ERSPAN] = "erspan", [MDEC_TUNNEL_GRE] = "gre",
};

const char *mdec_tunnel_name(enum mdec_tunnel_type type)
{
    return NAME_OF(tunnel_names, type);
}

static const char *const layer_names[] = {
    [MDEC_LAYER_NONE] = "none",     [MDEC_LAYER_FRAME] = "frame",
    [MDEC_LAYER_ETHERNET] = "ethernet", [MDEC_LAYER_SLL] = "sll",
    [MDEC_LAYER_IPV4] = "ipv4",     [MDEC_LAYER_IPV6] = "ipv6",
    [MDEC_LAYER_UDP] = "udp",       [MDEC_LAYER_GRE] = "gre",
    [MDEC_LAYER_VXLAN] = "vxlan",   [MDEC_LAYER_VXLAN_GPE] = "vxlan-gpe",
    [MDEC_LAYER_GENEVE] = "geneve", [MDEC_LAYER_ERSPAN] = "erspan",
    [MDEC_LAYER_ARP] = "arp",       [MDEC_LAYER_TCP] = "tcp",
    [MDEC_LAYER_SCTP] = "sctp",     [MDEC_LAYER_ICMP] = "icmp",
    [MDEC_LAYER_ICMPV6] = "icmpv6", [MDEC_LAYER_PAYLOAD] = "payload",
};

const char *mdec_layer_name(enum mdec_layer layer)
{
    return NAME_OF(layer_names, layer);
}

struct anomaly_desc {
    const char *name;
    const char *text;
};

/* By code; the codes are sparse (grouped by layer, decode.h), the gaps NULL. */
static const struct anomaly_desc anomalies[MDEC_A_LIMIT] = {
    [MDEC_A_NONE] = {"none", "no anomaly"},
    [MDEC_A_CAPTURE_CUT] = {"capture_cut", "the capture ended inside this layer (snaplen)"},
    [MDEC_A_MIRROR_CUT] = {"mirror_cut", "the layer states more bytes than the tunnel delivered: "
                                         "the mirror truncated the packet"},
    [MDEC_A_LINKTYPE] = {"frame.linktype", "unsupported link type"},
    [MDEC_A_WIRE_LT_CAP] = {"frame.wire_lt_cap",
                            "wire length below captured length; taken as equal"},
    [MDEC_A_FRAME_TOO_LONG] = {"frame.too_long", "frame of 4 GiB or more"},
    [MDEC_A_HEADER_BEYOND] = {"header_beyond_length",
                              "a header does not fit in the length its carrier states"},
    [MDEC_A_VLAN_DEPTH] = {"ethernet.vlan_depth", "more than 8 VLAN tags"},
    [MDEC_A_SLL_PROTOCOL] = {"sll.protocol",
                             "Linux cooked protocol is not an EtherType: no IP inside"},
    [MDEC_A_ETHER_LENGTH] = {"ethernet.length_field",
                             "802.3 length field instead of an EtherType (LLC frame)"},
    [MDEC_A_IP_VERSION] = {"ip.version", "IP version field does not match the header"},
    [MDEC_A_IPV4_IHL] = {"ipv4.ihl", "IPv4 header length below 20 bytes"},
    [MDEC_A_IP_LEN_SHORT] = {"ip.length_short", "IP length below the header length"},
    [MDEC_A_IP_LEN_BEYOND] = {"ip.length_beyond_frame",
                              "IP length beyond the length of the frame"},
    [MDEC_A_IP_LEN_ZERO] = {"ip.length_zero",
                            "IP length 0: taken from the frame (GSO / BIG TCP capture)"},
    [MDEC_A_IP_FRAGMENT] = {"ip.fragment", "IP fragment"},
    [MDEC_A_IPV6_EXT_LIMIT] = {"ipv6.ext_limit", "more than 16 IPv6 extension headers"},
    [MDEC_A_IPV6_EXT_BEYOND] = {"ipv6.ext_beyond",
                                "IPv6 extension header beyond the payload length"},
    [MDEC_A_IPV6_JUMBO] = {"ipv6.jumbo", "malformed IPv6 jumbo payload option"},
    [MDEC_A_IPV6_ESP] = {"ipv6.esp", "ESP ends the IPv6 header walk"},
    [MDEC_A_UDP_LEN_SHORT] = {"udp.length_short", "UDP length below 8"},
    [MDEC_A_UDP_LEN_BEYOND] = {"udp.length_beyond_ip", "UDP length beyond the IP payload"},
    [MDEC_A_UDP_LEN_ZERO] = {"udp.length_zero",
                             "UDP length 0: taken from IP (GSO / BIG TCP capture)"},
    [MDEC_A_TCP_OFFSET] = {"tcp.data_offset", "TCP data offset below 5 or beyond the segment"},
    [MDEC_A_VXLAN_I_FLAG] = {"vxlan.i_flag_clear", "VXLAN I flag clear: no valid VNI"},
    [MDEC_A_VXLAN_RESERVED] = {"vxlan.reserved", "VXLAN reserved bits set"},
    [MDEC_A_GPE_VERSION] = {"vxlan_gpe.version", "VXLAN-GPE version not 0"},
    [MDEC_A_GPE_P_FLAG] = {"vxlan_gpe.p_flag_clear",
                           "VXLAN-GPE P flag clear: no next protocol"},
    [MDEC_A_GPE_OAM] = {"vxlan_gpe.oam", "VXLAN-GPE OAM packet: nothing mirrored"},
    [MDEC_A_GPE_NEXT_PROTO] = {"vxlan_gpe.next_protocol",
                               "VXLAN-GPE next protocol is NSH or unknown"},
    [MDEC_A_GENEVE_VERSION] = {"geneve.version", "GENEVE version not 0"},
    [MDEC_A_GENEVE_OPT_LEN] = {"geneve.options_length",
                               "GENEVE options do not add up to the option length"},
    [MDEC_A_GENEVE_RESERVED] = {"geneve.reserved", "GENEVE reserved bits set"},
    [MDEC_A_GENEVE_OAM] = {"geneve.oam", "GENEVE control (O) packet"},
    [MDEC_A_GENEVE_CRITICAL] = {"geneve.critical_option",
                                "GENEVE critical option that mirrordec does not interpret"},
    [MDEC_A_GENEVE_PROTO] = {"geneve.protocol",
                             "GENEVE protocol type is neither Ethernet nor IP"},
    [MDEC_A_GENEVE_CLOUD_OPT] = {"geneve.cloud_option_length",
                                 "AWS or Google GENEVE option of the wrong length"},
    [MDEC_A_GRE_VERSION] = {"gre.version", "GRE version not 0 (1 is PPTP)"},
    [MDEC_A_GRE_RESERVED] = {"gre.reserved", "GRE reserved flag bits set"},
    [MDEC_A_GRE_ROUTING] = {"gre.routing", "malformed GRE routing entries (RFC 1701)"},
    [MDEC_A_GRE_PROTO] = {"gre.protocol", "GRE protocol that mirrordec does not decode"},
    [MDEC_A_ERSPAN_VERSION] = {"erspan.version", "ERSPAN version field contradicts the type"},
    [MDEC_A_ERSPAN_FRAME_TYPE] = {"erspan.frame_type",
                                  "ERSPAN type III frame type neither Ethernet nor IP"},
    [MDEC_A_ERSPAN_RESERVED] = {"erspan.reserved", "ERSPAN reserved bits set"},
    [MDEC_A_DEPTH_LIMIT] = {"tunnel.depth_limit",
                            "another tunnel inside the deepest one max_depth allows"},
    [MDEC_A_CARRIER_FRAGMENT] = {"tunnel.carrier_fragment",
                                 "the tunnel's carrier is an IP fragment: the rest of the "
                                 "tunnel payload is in fragments not reassembled"},
    [MDEC_A_NESTED_UNTRUSTED] = {"tunnel.nested_untrusted",
                                 "the mirrored packet carries a tunnel of its own, left "
                                 "unpeeled: the tunnel around it is not a trusted transport"},
    [MDEC_A_GENEVE_DUP_OPTION] = {"geneve.duplicate_option",
                                  "an AWS or Google GENEVE option appears twice"},
};

const char *mdec_anomaly_name(enum mdec_anomaly_code code)
{
    if ((unsigned)code >= MDEC_A_LIMIT || !anomalies[code].name)
        return "?";
    return anomalies[code].name;
}

const char *mdec_anomaly_text(enum mdec_anomaly_code code)
{
    if ((unsigned)code >= MDEC_A_LIMIT || !anomalies[code].text)
        return "unknown anomaly";
    return anomalies[code].text;
}

static const char *const direction_names[] = {
    [MDEC_DIR_UNKNOWN] = "unknown",
    [MDEC_DIR_INGRESS] = "ingress",
    [MDEC_DIR_EGRESS] = "egress",
};

const char *mdec_direction_name(enum mdec_direction dir)
{
    return NAME_OF(direction_names, dir);
}

static const char *const verdict_names[] = {
    [MDEC_VERDICT_ACCEPT] = "accept",
    [MDEC_VERDICT_REJECT] = "reject",
    [MDEC_VERDICT_FORGED] = "forged",
    [MDEC_VERDICT_UNKNOWN_SESSION] = "unknown_session",
    [MDEC_VERDICT_DUPLICATE] = "duplicate",
};

const char *mdec_verdict_name(enum mdec_verdict verdict)
{
    return NAME_OF(verdict_names, verdict);
}

/* ------------------------------------------------------------ health.h */

static const char *const vis_names[] = {
    [MDEC_VIS_CLEARTEXT] = "cleartext",
    [MDEC_VIS_ENCRYPTED] = "encrypted",
    [MDEC_VIS_CUT] = "cut",
    [MDEC_VIS_UNKNOWN] = "unknown",
};
_Static_assert(sizeof vis_names / sizeof vis_names[0] == MDEC_VIS_COUNT, "a name per class");

const char *mdec_vis_name(enum mdec_vis vis)
{
    return NAME_OF(vis_names, vis);
}

static const char *const app_names[] = {
    [MDEC_APP_NONE] = "none",   [MDEC_APP_OTHER] = "other", [MDEC_APP_TEXT] = "text",
    [MDEC_APP_HTTP] = "http",   [MDEC_APP_DNS] = "dns",     [MDEC_APP_TLS] = "tls",
    [MDEC_APP_QUIC] = "quic",   [MDEC_APP_SSH] = "ssh",     [MDEC_APP_ESP] = "esp",
    [MDEC_APP_WIREGUARD] = "wireguard",
};
_Static_assert(sizeof app_names / sizeof app_names[0] <= MDEC_APP_MAX, "apps fit the counters");

const char *mdec_app_name(enum mdec_app app)
{
    return NAME_OF(app_names, app);
}

static const char *const evidence_names[] = {
    [MDEC_LOSS_NO_TCP] = "no_tcp",
    [MDEC_LOSS_ONE_WAY] = "one_way",
    [MDEC_LOSS_ACKS] = "acks",
};

const char *mdec_loss_evidence_name(enum mdec_loss_evidence e)
{
    return NAME_OF(evidence_names, e);
}

static const char *const track_names[] = {
    [MDEC_TRACK_NONE] = "none",
    [MDEC_TRACK_FOUND] = "found",
    [MDEC_TRACK_NEW] = "new",
    [MDEC_TRACK_EVICTED] = "evicted",
};

const char *mdec_track_name(enum mdec_track track)
{
    return NAME_OF(track_names, track);
}
