/*
 * mirrordec-dpdk.c - decode mirrored traffic received through DPDK: the
 * NIC's rx bursts go straight into mdec_decode_burst() and the session
 * table's burst call, one table per lcore, for the rates where a socket
 * is the bottleneck.
 *
 *   mirrordec-dpdk --json -- -l 0-3 -a 0000:3b:00.0
 *   mirrordec-dpdk --idle-exit 1 -- -l 0 --no-huge --no-pci --in-memory \
 *       --vdev net_pcap0,rx_pcap=examples/captures/demo.pcap
 *
 * The tool's options come first, DPDK's EAL arguments after "--".
 *
 * Lcores, queues and flows.  Every lcore of the EAL's set (-l) is a worker
 * with its own session table; the main lcore works too, so "-l 0" is one
 * worker.  The port gets one rx queue per worker, or as many as it has
 * (net_pcap has one per rx_pcap file): a worker without a queue only takes
 * the frames other workers hand it.  With several queues the NIC spreads
 * frames by RSS over the *outer* IP addresses and ports, with the
 * symmetric key (0x6d5a repeated: both directions of an outer flow hash
 * alike).  The outer headers do not identify a mirrored flow (AWS picks a
 * VXLAN source port per flow and direction; the two directions of a
 * conversation may come from two ENIs; a GWLB stream carries every flow of
 * an appliance), so, as mirrordec-afpacket does, software steering then
 * gives each inner flow one owner:
 *
 *   1. the worker that receives a burst decodes it;
 *   2. it hashes each frame's inner flow with mdec_flow_hash_result(), as
 *      mirrordec-afpacket does: symmetric, blind to the tunnel (both mirror
 *      copies of a packet reach one worker and its --dedup window), ports
 *      left out for IP fragments, keyed by --flow-hash-key;
 *   3. hash % workers names the owner; a frame another worker owns is
 *      handed over as it is, the mbuf itself, through the owner's rte_ring
 *      (no copy), and decoded again there.
 *
 * So every packet of an inner flow, both directions, is counted, filtered
 * and written by one worker.  Frames without an inner flow stay where they
 * were received.  A worker whose frame finds the owner's ring full waits
 * for room (taking its own ring meanwhile): frames the NIC delivered are
 * never dropped; when the lcores cannot keep up, the rx queues fill and
 * the NIC counts what it drops (imissed).  steer_waits counts the waits.
 *
 * Loss.  The port's counters (rte_eth_stats_get) go to the summary and to
 * --stats-json: imissed (the rx queues were full), ierrors, rx_nombuf (no
 * mbuf to receive into); their sum is kernel_drops, the key every tool
 * uses for what was lost before it read the frame, and nic_drops.
 *
 * Stopping.  SIGINT or SIGTERM, -c N, or --idle-exit SECONDS: no frame on
 * any queue for that long (a net_pcap device delivers its file and then
 * nothing).  On a signal each worker takes what its queue holds (at most
 * --rx-desc frames), then every handed-over frame is processed before the
 * summary.
 *
 * Frames are Ethernet (VLAN tags left in place: VLAN stripping stays off).
 * Timestamps are the host's clock when a burst is taken from the queue.  A
 * frame spread over several mbufs (scatter, jumbo frames) is copied into
 * one buffer before decoding; frames longer than 64 KiB are decoded as
 * captured to that length.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _GNU_SOURCE
#include "common/mt.h"

#include <errno.h>
#include <getopt.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_version.h>

static const char help[] =
    "Usage: mirrordec-dpdk [OPTION...] -- [EAL ARGUMENT...]\n"
    "Decode mirrored traffic received through DPDK: rx bursts go straight into the\n"
    "burst decoder and the session table.  Every lcore of the EAL's set is a worker\n"
    "with its own session table and (when the port has enough) its own rx queue;\n"
    "each inner flow, both directions, is handled by one worker.  Runs until SIGINT\n"
    "or SIGTERM (or -c N, or --idle-exit), then prints the per-session summary with\n"
    "the port's drop counters.\n"
    "\n"
    "Input:\n"
    "      --port ID          the DPDK port to receive on (default 0)\n"
    "      --rx-desc N        descriptors per rx queue (default 1024)\n"
    "      --idle-exit SECONDS\n"
    "                         stop once no frame has arrived for SECONDS (for a\n"
    "                         net_pcap device, which delivers its file and then\n"
    "                         nothing)\n"
    "      --no-promisc       leave the port out of promiscuous mode\n"
    "\n"
    "EAL arguments (after '--'; see the DPDK documentation for all):\n"
    "  -l LIST                the cores to run on (0-3, 0,2): one worker each\n"
    "      --lcores MAP       lcores on CPUs (0@2,1@3; (0-1)@2 puts two on CPU 2)\n"
    "  -a PCI                 use this device only (0000:3b:00.0)\n"
    "      --vdev DEVICE      a virtual device, e.g. net_pcap0,rx_pcap=FILE\n"
    "      --no-huge          no hugepages (slower; for tests and small machines)\n"
    "      --no-pci           no PCI devices\n"
    "      --in-memory        beside other DPDK processes (with hugepages; with\n"
    "                         --no-huge: --no-shconf --file-prefix NAME)\n"
    "\n";

#define SCRATCH_FRAME 65536u /* the longest frame decoded whole             */
#define STEER_RING 4096u     /* frames waiting for one worker (power of 2): a
                                few ms of a busy port, should its lcore be
                                preempted                                   */
#define MBUF_CACHE 256u
#define JUMBO_MTU 9600u      /* asked for when the port can scatter          */
#define MAX_WORKERS 128u
_Static_assert(MAX_WORKERS <= MT_WAKE_MAX, "every worker can be woken");

/* The symmetric Toeplitz key: with 0x6d5a repeated, swapping the source and
 * destination (addresses and ports) gives the same hash. */
static uint8_t rss_key[64];

struct ctx;

/* One worker: an lcore, its table (in app), maybe an rx queue, an inbox. */
struct dworker {
    struct ctx *c;
    struct mt_worker *w;
    unsigned id, lcore;
    int queue;               /* its rx queue, or -1                       */
    struct rte_ring *inbox;  /* frames other workers hand over; NULL: one worker */
    uint8_t *scratch;        /* MT_BURST frames made contiguous            */
    atomic_uint_fast64_t last_rx; /* TSC of the last burst received        */
    uint64_t steer_waits;    /* hand-overs that waited for a full inbox     */
    int dirty;               /* --json lines may wait to be flushed        */
    /* the burst being processed */
    struct rte_mbuf *pkts[MT_BURST];
    struct mt_frame fr[MT_BURST];
    struct mdec_frame f[MT_BURST];
    struct mdec_result r[MT_BURST];
    struct mdec_match m[MT_BURST];
    struct rte_mbuf **out;   /* per owner, MT_BURST each: frames to hand over */
    unsigned *n_out;
};

struct ctx {
    struct mt_app *app;
    const struct mt_opts *o;
    uint16_t port;
    char port_name[RTE_ETH_NAME_MAX_LEN];
    unsigned n, n_queues;
    int rss;                 /* the queues are fed by RSS                  */
    struct dworker *wk;
    struct rte_mempool *pool;
    uint64_t idle_tsc;       /* --idle-exit in TSC cycles; 0 never         */
    atomic_uint rx_done;     /* workers that have stopped receiving        */
};

/* The frame's index and timestamp travel with it, in the mbuf's private
 * area, when it is handed to another worker. */
static struct mt_frame *frame_of(struct rte_mbuf *m)
{
    return (struct mt_frame *)rte_mbuf_to_priv(m);
}

/* ------------------------------------------------------------- steering */

/*
 * The worker that owns the packet's inner flow, or -1 when it has none:
 * mdec_flow_hash_result(), as mirrordec-afpacket steers, so both tools split
 * flows alike: symmetric (both directions alike), blind to the tunnel and
 * session (both mirror copies of a packet alike, for --dedup), ports left
 * out for IP fragments, keyed by --flow-hash-key.
 */
static int owner_of(const struct mdec_result *r, unsigned n, const struct mdec_hash_key *key)
{
    if (!(r->flow.flags & MDEC_FLOW_IP))
        return -1;
    return (int)(mdec_flow_hash_result(r, key) % n);
}

/* ---------------------------------------------------------------- bursts */

static unsigned inbox_once(struct ctx *c, struct dworker *me);

/*
 * Decodes pkts[0..n), hands each frame another worker owns to that worker,
 * runs the rest through the session table as one burst and frees them.
 * steered: the frames come from this worker's inbox (never handed on).
 */
static void burst_run(struct ctx *c, struct dworker *me, size_t n, int steered)
{
    for (size_t i = 0; i < n; i++) {
        struct rte_mbuf *mb = me->pkts[i];
        const uint32_t len = rte_pktmbuf_pkt_len(mb);
        const uint32_t cap = len < SCRATCH_FRAME ? len : SCRATCH_FRAME;
        me->fr[i] = *frame_of(mb);
        me->f[i].data = rte_pktmbuf_read(mb, 0, cap, me->scratch + i * (size_t)SCRATCH_FRAME);
        me->f[i].cap_len = cap;
        me->f[i].wire_len = len;
    }
    (void)mdec_decode_burst(c->app->cfg, MDEC_LINK_ETHERNET, me->f, NULL, n, me->r);

    size_t k = 0; /* the frames this worker owns, moved to the front */
    int handed = 0;
    for (size_t i = 0; i < n; i++) {
        const int owner =
            c->n > 1 && !steered ? owner_of(&me->r[i], c->n, &c->app->o->flow_key) : -1;
        if (owner >= 0 && (unsigned)owner != me->id) {
            me->out[(size_t)owner * MT_BURST + me->n_out[owner]++] = me->pkts[i];
            me->w->steered_out++;
            handed = 1;
            continue;
        }
        if (steered)
            me->w->steered_in++;
        if (k != i) {
            me->pkts[k] = me->pkts[i];
            me->fr[k] = me->fr[i];
            me->r[k] = me->r[i]; /* its data stays put until the burst ends */
        }
        k++;
    }
    mt_app_burst(me->w, me->fr, me->r, k, me->m);
    rte_pktmbuf_free_bulk(me->pkts, (unsigned)k);
    me->dirty |= k > 0;
    if (!handed)
        return;
    for (unsigned d = 0; d < c->n; d++) {
        const unsigned cnt = me->n_out[d];
        if (!cnt)
            continue;
        struct rte_mbuf **list = me->out + (size_t)d * MT_BURST;
        unsigned sent = rte_ring_enqueue_burst(c->wk[d].inbox, (void *const *)list, cnt, NULL);
        if (sent < cnt)
            me->steer_waits++;
        while (sent < cnt) {
            /* The owner is behind.  Wait for room rather than drop what
             * the NIC delivered: this worker's queue then fills, and the
             * NIC counts what it cannot deliver (imissed).  Meanwhile take
             * this worker's own inbox (those frames are never handed on),
             * so two workers waiting for each other both get room. */
            if (!inbox_once(c, me))
                rte_pause();
            sent += rte_ring_enqueue_burst(c->wk[d].inbox, (void *const *)(list + sent),
                                           cnt - sent, NULL);
        }
        me->n_out[d] = 0;
    }
}

/* Receives one burst from the worker's queue; the frames received. */
static unsigned rx_once(struct ctx *c, struct dworker *me)
{
    const uint16_t got = rte_eth_rx_burst(c->port, (uint16_t)me->queue, me->pkts, MT_BURST);
    if (got == 0)
        return 0;
    atomic_store_explicit(&me->last_rx, rte_rdtsc(), memory_order_relaxed);
    /* One index per frame, taken for the whole burst at once (the counter
     * is shared by every lcore); -c N keeps the first N. */
    struct mt_app *app = c->app;
    const uint64_t first = (uint64_t)atomic_fetch_add(&app->frames_total, got) + 1;
    size_t keep = got;
    if (c->o->count && first + got - 1 >= c->o->count) {
        mt_stop = 1;
        keep = first > c->o->count ? 0 : (size_t)(c->o->count - first + 1);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (size_t i = 0; i < keep; i++) {
        struct mt_frame *fr = frame_of(me->pkts[i]);
        fr->index = first + i;
        fr->sec = (int64_t)ts.tv_sec;
        fr->nsec = (uint32_t)ts.tv_nsec;
    }
    if (keep < got)
        rte_pktmbuf_free_bulk(me->pkts + keep, (unsigned)(got - keep));
    if (keep)
        burst_run(c, me, keep, 0);
    return got;
}

/* Processes one burst of what other workers handed over; the frames. */
static unsigned inbox_once(struct ctx *c, struct dworker *me)
{
    if (!me->inbox)
        return 0;
    const unsigned got =
        rte_ring_dequeue_burst(me->inbox, (void **)me->pkts, MT_BURST, NULL);
    if (got)
        burst_run(c, me, got, 1);
    return got;
}

/* Worker 0, when idle: stops everything once no queue has had a frame for
 * --idle-exit seconds. */
static void idle_check(struct ctx *c)
{
    const uint64_t now = rte_rdtsc();
    for (unsigned i = 0; i < c->n; i++) {
        const uint64_t t = atomic_load_explicit(&c->wk[i].last_rx, memory_order_relaxed);
        if (now - t < c->idle_tsc)
            return;
    }
    mt_stop = 1;
}

static int worker_main(void *arg)
{
    struct dworker *me = arg;
    struct ctx *c = me->c;
    if (me->id) /* the main lcore takes the signals: see mt_wake_workers() */
        mt_wake_add(me->id, pthread_self());
    unsigned idle = 0;
    while (!mt_stop) {
        unsigned got = 0;
        if (me->queue >= 0)
            got += rx_once(c, me);
        got += inbox_once(c, me);
        if (got) {
            idle = 0;
            continue;
        }
        if (me->dirty) { /* the lines of a quiet moment go out now */
            mt_app_flush(c->app);
            me->dirty = 0;
        }
        if (me->id == 0 && c->idle_tsc && (++idle & 1023) == 0)
            idle_check(c);
        rte_pause();
    }
    /* What the queue held when the stop came (at most a ring's worth: a
     * queue that never empties must not keep the program running). */
    if (me->queue >= 0 && !c->o->count)
        for (unsigned taken = 0, got = 1; got && taken < c->o->rx_desc; taken += got)
            got = rx_once(c, me);
    /* Once every worker has stopped receiving, no more frames are handed
     * over: drain the inbox until then, and then until it is empty. */
    atomic_fetch_add(&c->rx_done, 1);
    while (atomic_load(&c->rx_done) < c->n)
        if (!inbox_once(c, me))
            rte_pause();
    while (inbox_once(c, me))
        ;
    mt_app_flush(c->app);
    return 0;
}

/* -------------------------------------------------------------- signals */

/*
 * SIGINT and SIGTERM go to the main lcore's thread (the other lcores, and
 * every thread the EAL starts, are created with them blocked).  The first
 * stops the workers cleanly.  From the second on, a worker blocked writing
 * --json to a reader that does not read is woken with SIGUSR1 (an empty
 * handler without SA_RESTART: its write fails with EINTR) and gives up, as
 * mirrordec-afpacket's workers do.  The main lcore repeats the wake-up
 * while it waits for the others, in case one was about to block when it
 * came.
 */

/* ----------------------------------------------------------------- port */

static const char *eal_hint(int e)
{
    switch (e) {
    case EACCES: /* also what the EAL says when it finds no hugepages */
    case EPERM:
        return " (no hugepages, or no permission to use them: reserve some, e.g. echo 512 > "
               "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages, or add --no-huge; "
               "devices and hugepages need root or the capabilities DPDK's guide lists)";
    case ENOMEM:
        return " (out of memory: reserve more hugepages, or with --no-huge give -m MB)";
    case EALREADY:
        return " (another DPDK process holds the runtime directory: add --in-memory or "
               "--file-prefix NAME)";
    case EINVAL:
        return " (an EAL argument was refused: see the message above)";
    default:
        return "";
    }
}

/* Configures the port's rx queues (not started yet); 0, or -1 after a
 * message. */
static int port_setup(struct ctx *c)
{
    const struct mt_opts *o = c->o;
    if (o->port >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)o->port)) {
        const unsigned avail = rte_eth_dev_count_avail();
        if (avail == 0)
            mt_msg("--port %u: DPDK found no port: give a device with -a PCI_ADDRESS (bound "
                   "to vfio-pci or uio) or --vdev (e.g. --vdev net_pcap0,rx_pcap=FILE) "
                   "after '--'",
                   o->port);
        else
            mt_msg("--port %u: no such DPDK port (there %s %u: 0..%u)", o->port,
                   avail == 1 ? "is" : "are", avail, avail - 1);
        return -1;
    }
    c->port = (uint16_t)o->port;
    if (rte_eth_dev_get_name_by_port(c->port, c->port_name) != 0)
        snprintf(c->port_name, sizeof c->port_name, "port %u", o->port);

    struct rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(c->port, &info);
    if (rc != 0) {
        mt_msg("port %u (%s): cannot read its capabilities: %s", o->port, c->port_name,
               rte_strerror(-rc));
        return -1;
    }
    c->n_queues = c->n < info.max_rx_queues ? c->n : info.max_rx_queues;
    if (c->n_queues == 0) {
        mt_msg("port %u (%s) has no rx queue", o->port, c->port_name);
        return -1;
    }

    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    const uint64_t want_hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP |
                             RTE_ETH_RSS_SCTP;
    const uint64_t hf = want_hf & info.flow_type_rss_offloads;
    if (c->n_queues > 1 && hf) {
        for (size_t i = 0; i < sizeof rss_key; i += 2) {
            rss_key[i] = 0x6d;
            rss_key[i + 1] = 0x5a;
        }
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        c->rss = 1;
        conf.rx_adv_conf.rss_conf.rss_key = rss_key;
        conf.rx_adv_conf.rss_conf.rss_key_len =
            info.hash_key_size && info.hash_key_size <= sizeof rss_key ? info.hash_key_size : 40;
        conf.rx_adv_conf.rss_conf.rss_hf = hf;
    }
    /* A port without RSS (net_pcap: a queue per rx_pcap file) still gets
     * its queues, each polled by its worker: frames arrive on whichever
     * the device chooses, and steering sorts the flows out. */
    if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) {
        /* Jumbo frames, in chains of mbufs: mirrored traffic is the
         * mirrored packet plus the tunnel, often past 1500 bytes. */
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
        if (info.max_mtu > RTE_ETHER_MTU)
            conf.rxmode.mtu = info.max_mtu < JUMBO_MTU ? info.max_mtu : JUMBO_MTU;
    }
    rc = rte_eth_dev_configure(c->port, (uint16_t)c->n_queues, 0, &conf);
    if (rc != 0) {
        mt_msg("port %u (%s): cannot configure %u rx queue%s: %s", o->port, c->port_name,
               c->n_queues, c->n_queues == 1 ? "" : "s", rte_strerror(-rc));
        return -1;
    }
    uint16_t nb_rx = (uint16_t)o->rx_desc, nb_tx = 0;
    rc = rte_eth_dev_adjust_nb_rx_tx_desc(c->port, &nb_rx, &nb_tx);
    if (rc != 0) {
        mt_msg("port %u (%s): --rx-desc %u: %s", o->port, c->port_name, o->rx_desc,
               rte_strerror(-rc));
        return -1;
    }

    /* mbufs: every rx ring full, every inbox full, every worker's burst
     * and every lcore's cache. */
    const int socket = rte_eth_dev_socket_id(c->port);
    const unsigned socket_id = socket < 0 ? (unsigned)SOCKET_ID_ANY : (unsigned)socket;
    const unsigned n_mbufs = c->n_queues * nb_rx + c->n * (2 * MT_BURST + MBUF_CACHE) +
                             (c->n > 1 ? c->n * STEER_RING : 0);
    const uint16_t priv =
        (uint16_t)RTE_ALIGN(sizeof(struct mt_frame), RTE_MBUF_PRIV_ALIGN);
    c->pool = rte_pktmbuf_pool_create("mdec_rx", n_mbufs, MBUF_CACHE, priv,
                                      RTE_MBUF_DEFAULT_BUF_SIZE, (int)socket_id);
    if (!c->pool) {
        mt_msg("cannot create a pool of %u mbufs (%zu MiB): %s (more hugepages, -m MB, or a "
               "smaller --rx-desc)",
               n_mbufs, (size_t)n_mbufs * (RTE_MBUF_DEFAULT_BUF_SIZE + 128 + priv) >> 20,
               rte_strerror(rte_errno));
        return -1;
    }
    for (unsigned q = 0; q < c->n_queues; q++) {
        struct rte_eth_rxconf rxc = info.default_rxconf;
        rxc.offloads = conf.rxmode.offloads;
        rc = rte_eth_rx_queue_setup(c->port, (uint16_t)q, nb_rx, socket_id, &rxc, c->pool);
        if (rc != 0) {
            mt_msg("port %u (%s): cannot set up rx queue %u with %u descriptors: %s", o->port,
                   c->port_name, q, nb_rx, rte_strerror(-rc));
            return -1;
        }
    }
    if (o->promisc) {
        rc = rte_eth_promiscuous_enable(c->port);
        if (rc != 0 && rc != -ENOTSUP)
            mt_msg("warning: port %u (%s): cannot enter promiscuous mode: %s", o->port,
                   c->port_name, rte_strerror(-rc));
    }
    return 0;
}

/* The port's loss counters into the summary and --stats-json. */
static void port_stats(struct ctx *c)
{
    struct mt_app *app = c->app;
    struct rte_eth_stats st;
    memset(&st, 0, sizeof st);
    const int rc = rte_eth_stats_get(c->port, &st);
    if (rc != 0) {
        mt_buf_printf(&app->extra, "port %u (%s): no counters: %s\n", c->port, c->port_name,
                      rte_strerror(-rc));
        return;
    }
    const uint64_t drops = st.imissed + st.ierrors + st.rx_nombuf;
    app->have_kernel_drops = 1;
    app->kernel_drops = drops;
    mt_buf_printf(&app->extra,
                  "port %u (%s): the NIC received %llu frames and dropped %llu (%llu missed: "
                  "rx queues full; %llu errors; %llu without an mbuf)\n",
                  c->port, c->port_name, (unsigned long long)st.ipackets,
                  (unsigned long long)drops, (unsigned long long)st.imissed,
                  (unsigned long long)st.ierrors, (unsigned long long)st.rx_nombuf);
    mt_buf_printf(&app->extra_json,
                  ",\"nic_drops\":%llu,\"nic\":{\"port\":%u,\"name\":", (unsigned long long)drops,
                  c->port);
    mt_json_str(&app->extra_json, c->port_name);
    mt_buf_printf(&app->extra_json,
                  ",\"rx_queues\":%u,\"ipackets\":%llu,\"ibytes\":%llu,\"imissed\":%llu,"
                  "\"ierrors\":%llu,\"rx_nombuf\":%llu}",
                  c->n_queues, (unsigned long long)st.ipackets, (unsigned long long)st.ibytes,
                  (unsigned long long)st.imissed, (unsigned long long)st.ierrors,
                  (unsigned long long)st.rx_nombuf);
}

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    /* The tool's options before "--", the EAL's after it. */
    int split = 1;
    while (split < argc && strcmp(argv[split], "--") != 0)
        split++;
    char **eal_argv = mt_xcalloc((size_t)(argc - split) + 2, sizeof *eal_argv);
    int eal_argc = 0;
    eal_argv[eal_argc++] = argv[0];
    for (int i = split + 1; i < argc; i++)
        eal_argv[eal_argc++] = argv[i];

    struct mt_opts o;
    mt_opts_parse(&o, MT_DPDK, "mirrordec-dpdk", help, split, argv);

    /* Threads the EAL starts (lcores, interrupts, telemetry) inherit this
     * mask: the signals come to the main lcore's thread only. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    optind = 0; /* getopt starts afresh for the EAL */
    if (rte_eal_init(eal_argc, eal_argv) < 0) {
        const int e = rte_errno;
        mt_msg("cannot start DPDK's EAL: %s%s", rte_strerror(e), eal_hint(e));
        free(eal_argv);
        mt_opts_free(&o);
        return MT_EXIT_RUNTIME;
    }
    /* A signal that came during the EAL's start is taken now: it stops
     * the program cleanly. */
    mt_signals_install(NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    struct ctx c;
    memset(&c, 0, sizeof c);
    struct mt_app app;
    memset(&app, 0, sizeof app);
    c.app = &app;
    c.o = &o;
    c.n = rte_lcore_count();
    int rc = 0;
    if (c.n > MAX_WORKERS) {
        mt_msg("%u lcores: at most %u workers (give fewer with -l)", c.n, MAX_WORKERS);
        rc = MT_EXIT_USAGE;
    }
    if (rc == 0 && port_setup(&c) != 0)
        rc = MT_EXIT_RUNTIME;
    if (rc == 0)
        rc = mt_app_init(&app, &o, c.n, 1);
    snprintf(app.input_name, sizeof app.input_name, "%s (DPDK port %u)",
             c.port_name[0] ? c.port_name : "?", o.port);
    app.live = 1;

    if (rc == 0) {
        c.wk = rte_zmalloc("mdec_workers", c.n * sizeof *c.wk, RTE_CACHE_LINE_SIZE);
        if (!c.wk) {
            mt_msg("out of DPDK memory for %u workers", c.n);
            rc = MT_EXIT_RUNTIME;
        }
    }
    /* Worker 0 on the main lcore, then the others in order; worker i
     * receives on queue i when the port has one for it. */
    unsigned lcore = rte_get_main_lcore();
    for (unsigned i = 0; i < c.n && rc == 0; i++) {
        struct dworker *me = &c.wk[i];
        me->c = &c;
        me->w = &app.workers[i];
        me->id = i;
        me->lcore = lcore;
        me->queue = i < c.n_queues ? (int)i : -1;
        me->scratch = mt_xmalloc((size_t)MT_BURST * SCRATCH_FRAME);
        me->out = mt_xcalloc((size_t)c.n * MT_BURST, sizeof *me->out);
        me->n_out = mt_xcalloc(c.n, sizeof *me->n_out);
        if (c.n > 1) {
            char name[RTE_RING_NAMESIZE];
            snprintf(name, sizeof name, "mdec_steer%u", i);
            me->inbox = rte_ring_create(name, STEER_RING,
                                        (int)rte_lcore_to_socket_id(lcore), RING_F_SC_DEQ);
            if (!me->inbox) {
                mt_msg("cannot create worker %u's ring: %s", i, rte_strerror(rte_errno));
                rc = MT_EXIT_RUNTIME;
            }
        }
        lcore = rte_get_next_lcore(lcore, 1, 0);
    }
    if (rc == 0) {
        mt_wake_install(); /* after mt_app_init, which installs its own hook */
        const int e = rte_eth_dev_start(c.port);
        if (e != 0) {
            mt_msg("port %u (%s): cannot start: %s", c.port, c.port_name, rte_strerror(-e));
            rc = MT_EXIT_RUNTIME;
        }
    }
    if (rc == 0) {
        const uint64_t now = rte_rdtsc();
        for (unsigned i = 0; i < c.n; i++)
            atomic_store(&c.wk[i].last_rx, now);
        c.idle_tsc = (uint64_t)o.idle_exit * rte_get_tsc_hz();
        if (!o.quiet)
            mt_msg("receiving on port %u (%s) with %u worker%s, %u rx queue%s%s", c.port,
                   c.port_name, c.n, c.n > 1 ? "s" : "", c.n_queues, c.n_queues > 1 ? "s" : "",
                   c.rss ? " (symmetric RSS)" : "");
        for (unsigned i = 1; i < c.n; i++) {
            const int e = rte_eal_remote_launch(worker_main, &c.wk[i], c.wk[i].lcore);
            if (e != 0) {
                mt_msg("cannot start worker %u on lcore %u: %s", i, c.wk[i].lcore,
                       rte_strerror(-e));
                rc = MT_EXIT_RUNTIME;
                mt_stop = 1;
                /* the workers already started count it as done */
                atomic_fetch_add(&c.rx_done, c.n - i);
                break;
            }
        }
        worker_main(&c.wk[0]);
        for (unsigned i = 1; i < c.n; i++) {
            while (rte_eal_get_lcore_state(c.wk[i].lcore) == RUNNING) {
                const struct timespec ts = {0, 50 * 1000000L};
                nanosleep(&ts, NULL);
                mt_wake_workers(); /* only after a second signal */
            }
        }
        rte_eal_mp_wait_lcore();
        mt_wake_clear();
        port_stats(&c);
        (void)rte_eth_dev_stop(c.port);
    }
    uint64_t steer_waits = 0;
    for (unsigned i = 0; c.wk && i < c.n; i++)
        steer_waits += c.wk[i].steer_waits;
    if (app.ready && c.n > 1) {
        mt_buf_printf(&app.extra_json, ",\"steer_waits\":%llu",
                      (unsigned long long)steer_waits);
        if (steer_waits)
            mt_buf_printf(&app.extra,
                          "%llu hand-overs waited for a worker's full ring (the lcores are "
                          "unevenly loaded)\n",
                          (unsigned long long)steer_waits);
    }
    rc = mt_app_finish(&app, rc);
    for (unsigned i = 0; c.wk && i < c.n; i++) {
        rte_ring_free(c.wk[i].inbox);
        free(c.wk[i].scratch);
        free(c.wk[i].out);
        free(c.wk[i].n_out);
    }
    rte_free(c.wk);
    if (c.port_name[0])
        (void)rte_eth_dev_close(c.port);
    rte_mempool_free(c.pool);
    (void)rte_eal_cleanup();
    free(eal_argv);
    mt_opts_free(&o);
    return rc;
}
