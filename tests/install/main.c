/* A program built against an installed mirrordec: decodes one VXLAN frame. */
#include <mirrordec.h>
#include <stdio.h>
#include <string.h>

static const unsigned char frame[] = {
    2, 0, 0, 0, 0xb, 2, 2, 0, 0, 0, 0xa, 1, 0x08, 0x00,              /* Ethernet */
    0x45, 0, 0, 0x4e, 0, 1, 0, 0, 0x40, 0x11, 0, 0, 10, 0, 1, 15, 10, 0, 9, 9, /* IPv4 */
    0xc8, 0x22, 0x12, 0xb5, 0, 0x3a, 0, 0,                          /* UDP 4789 */
    0x08, 0, 0, 0, 0, 0, 0x7b, 0,                                   /* VXLAN 123 */
    2, 0, 0, 0, 0xa, 1, 2, 0, 0, 0, 0xb, 2, 0x08, 0x00,             /* Ethernet */
    0x45, 0, 0, 0x1c, 0, 7, 0, 0, 0x40, 0x11, 0, 0, 10, 0, 1, 15, 10, 0, 0, 2,
    0xc3, 0x50, 0, 0x35, 0, 8, 0, 0,                                /* UDP 50000 > 53 */
};

int main(void)
{
    struct mdec_config cfg;
    struct mdec_result res;
    mdec_config_init(&cfg);
    if (mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, sizeof frame, sizeof frame, &res) != MDEC_STATUS_OK ||
        res.tunnels[0].id != 123 || res.flow.dport != 53) {
        fprintf(stderr, "consumer: unexpected result %s\n", mdec_status_name(res.status));
        return 1;
    }
    if (strcmp(mdec_version(), MDEC_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: header %s, library %s\n", MDEC_VERSION_STRING, mdec_version());
        return 1;
    }
    printf("consumer: mirrordec %s decoded vxlan %u, udp port %u\n", mdec_version(),
           res.tunnels[0].id, res.flow.dport);
    return 0;
}
