/*
 * main.c - the main() of the tools that read one input on one thread:
 * mirrordec (libpcap), mirrordec-udp (UDP sockets) and mirrordec-tap
 * (either).  Options, then the input (opened first, so that an unreadable
 * file or a port in use is reported before anything is created), then the
 * session tables and outputs, the run, and the summary.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

int mt_main(enum mt_tool tool, const char *prog, const char *help, int argc, char **argv)
{
    struct mt_opts o;
    mt_opts_parse(&o, tool, prog, help, argc, argv);
    /* Before the input opens: opening a FIFO blocks until a writer comes,
     * and SIGINT or SIGTERM then must stop the program cleanly too. */
    mt_signals_install(NULL);

    const int use_pcap = o.read_file || o.iface;
    struct mt_pcap_in *pin = NULL;
    struct mt_udp_in *uin = NULL;
    int nano = 1;
    int rc = use_pcap ? mt_pcap_open(&o, &pin, &nano) : mt_udp_open(&o, &uin);
    if (rc) {
        mt_opts_free(&o);
        return rc;
    }
    struct mt_app app;
    rc = mt_app_init(&app, &o, 1, nano);
    if (rc) {
        mt_pcap_close(pin);
        mt_udp_close(uin);
    } else {
        rc = use_pcap ? mt_pcap_run(&app, pin) : mt_udp_run(&app, uin);
    }
    rc = mt_app_finish(&app, rc);
    mt_opts_free(&o);
    return rc;
}
