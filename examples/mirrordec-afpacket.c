/*
 * mirrordec-afpacket.c - decode mirrored traffic from a raw AF_PACKET socket
 * with a TPACKET_V3 ring, optionally across N worker threads, for a sensor
 * that sniffs the mirror target's interface.
 *
 *   mirrordec-afpacket -i eth0 --json
 *   mirrordec-afpacket -i eth0 --workers 4 --split /var/spool/mirror
 *
 * Threads and flows.  Each worker has its own socket and ring, all joined
 * to one PACKET_FANOUT group, and its own session table: nothing of the
 * per-packet path is shared but the output files.  The kernel's fanout
 * modes look at the *outer* packet: PACKET_FANOUT_HASH hashes the carrier's
 * addresses and ports, and a mirror's carrier does not identify the
 * mirrored flow (AWS picks the VXLAN source port per flow and direction,
 * both directions of a conversation may come from two different ENIs, a
 * GWLB stream carries every flow of an appliance).  So the kernel only
 * spreads the load (--fanout hash, the default, keeps each carrier flow
 * on one worker, with PACKET_FANOUT_FLAG_DEFRAG so that the fragments of a
 * carrier stay together); software steering then gives each inner flow
 * one owner:
 *
 *   1. the worker that receives a frame decodes it;
 *   2. it hashes the inner flow with mdec_flow_hash_result(): symmetric, so
 *      both directions hash alike, blind to the tunnel and the session, so
 *      both mirror copies of a packet do too (--dedup sees them on one
 *      worker), ports left out for IP fragments (which hold none past the
 *      first), keyed by --flow-hash-key;
 *   3. hash % N names the owning worker; a frame the receiver does not own
 *      is copied into the owner's inbox (a mutex-protected buffer, an
 *      eventfd to wake it) and decoded again there.
 *
 * So every packet of an inner flow, in both directions, is counted, filtered
 * and written by one worker, whatever the kernel did.  Frames without an
 * inner flow (ARP, packets malformed before their inner IP header) stay
 * with the worker that received them.  Order is kept within each carrier
 * flow; frames of the two directions may interleave differently than on
 * the wire (as they may already between the kernel's rings).
 *
 * The kernel strips an outer VLAN tag into the ring's metadata: it is put
 * back before decoding, so the outer VLAN shows in the JSON output.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _GNU_SOURCE
#include "common/mt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Usage: mirrordec-afpacket -i IFACE [OPTION...]\n"
    "Decode mirrored traffic seen on IFACE through a raw AF_PACKET socket with a\n"
    "TPACKET_V3 ring (needs root or CAP_NET_RAW).  With --workers N, N threads\n"
    "share the traffic through PACKET_FANOUT; each inner flow, both directions,\n"
    "is handled by one worker, which has its own session table.  Runs until\n"
    "SIGINT or SIGTERM (or -c N), then prints the per-session summary.\n"
    "\n"
    "Input:\n"
    "  -i, --interface IFACE  the interface to sniff\n"
    "      --workers N        worker threads, 1..64 (default 1)\n"
    "      --fanout MODE      how the kernel spreads frames over the workers:\n"
    "                         hash (by carrier flow, default), lb (round robin),\n"
    "                         cpu (by receiving CPU), qm (by receive queue); the\n"
    "                         inner flow decides the worker in every mode\n"
    "      --ring-mb N        ring size per worker in MiB (default 8)\n"
    "      --snaplen N        bytes kept of each frame (default 262144)\n"
    "      --no-promisc       leave IFACE out of promiscuous mode\n"
    "      --outgoing         also decode frames the host sends on IFACE\n"
    "\n";

#define BLOCK_SIZE (1u << 20)
/* TPACKET_ALIGN(sizeof(struct tpacket3_hdr)), without the macro's signed
 * arithmetic: the struct sockaddr_ll of a frame follows at this offset. */
#define HDR3_LEN ((sizeof(struct tpacket3_hdr) + TPACKET_ALIGNMENT - 1u) & \
                  ~(size_t)(TPACKET_ALIGNMENT - 1u))
#define RETIRE_MS 50 /* a block is handed over at the latest this long after its first frame */
#define INBOX_MAX ((size_t)64 << 20) /* bytes waiting for one worker */

struct fwd_rec { /* a frame handed to its owner, followed by its bytes */
    uint64_t index;
    int64_t sec;
    uint32_t nsec, cap, wire, pad;
};

struct inbox {
    pthread_mutex_t mu;
    struct mt_buf buf;
    int efd;
    uint64_t dropped;
};

struct wctx {
    struct mt_worker *w;
    int fd;
    uint8_t *map;
    size_t map_len;
    unsigned block_nr, cur;
    struct inbox in;
    struct mt_buf local; /* the inbox's records being processed */
    uint8_t *scratch;    /* frames with their VLAN tag put back, MT_BURST of them */
    struct wburst *b;    /* the burst being gathered */
    pthread_t th;
};

/*
 * A burst: frames of one ring block (or of the inbox) decoded together; the
 * ones this worker owns then go through the session table together.  The
 * frames' bytes stay where they are (the ring block, the inbox buffer, the
 * scratch) until the burst is done.
 */
struct wburst {
    size_t n;
    struct mt_frame fr[MT_BURST];
    struct mdec_frame f[MT_BURST];
    struct mdec_result r[MT_BURST];
    /* the frames this worker owns, gathered for the table */
    size_t k;
    struct mt_frame mine_fr[MT_BURST];
    struct mdec_result mine[MT_BURST];
    struct mdec_match m[MT_BURST];
};

#define SCRATCH_FRAME (65536 + 4) /* the largest frame a VLAN tag is put back into */

struct ctx {
    struct mt_app *app;
    struct wctx *wc;
    unsigned n;
    int link;
    int outgoing;
    atomic_int failed; /* a worker hit an error */
};

/* ------------------------------------------------------------- steering */

/*
 * The worker that owns the packet's inner flow, or -1 when it has none:
 * mdec_flow_hash_result(), symmetric (both directions alike), blind to the
 * tunnel and session (both mirror copies of a packet alike, for --dedup),
 * ports left out for IP fragments, keyed by --flow-hash-key.
 */
static int owner_of(const struct mdec_result *r, unsigned n, const struct mdec_hash_key *key)
{
    if (!(r->flow.flags & MDEC_FLOW_IP))
        return -1;
    return (int)(mdec_flow_hash_result(r, key) % n);
}

static void inbox_push(struct ctx *c, struct wctx *to, const struct mt_frame *fr,
                       const uint8_t *data, uint32_t cap, uint32_t wire)
{
    struct fwd_rec rec = {fr->index, fr->sec, fr->nsec, cap, wire, 0};
    const size_t padded = (cap + 7u) & ~(size_t)7;
    pthread_mutex_lock(&to->in.mu);
    const int was_empty = to->in.buf.len == 0;
    if (to->in.buf.len + sizeof rec + padded > INBOX_MAX) {
        to->in.dropped++;
        pthread_mutex_unlock(&to->in.mu);
        return;
    }
    mt_buf_put(&to->in.buf, &rec, sizeof rec);
    mt_buf_put(&to->in.buf, data, cap);
    mt_buf_put(&to->in.buf, "\0\0\0\0\0\0\0", padded - cap);
    pthread_mutex_unlock(&to->in.mu);
    if (was_empty) {
        const uint64_t one = 1;
        if (write(to->in.efd, &one, sizeof one) < 0 && errno != EAGAIN)
            c->failed = 1;
    }
}

/*
 * Decodes the gathered frames, hands each to its owner, and runs the ones
 * this worker owns through the table as one burst.  steered: the frames
 * come from another worker's inbox (never forwarded again).
 */
static void burst_run(struct ctx *c, struct wctx *me, int steered)
{
    struct wburst *b = me->b;
    if (b->n == 0)
        return;
    (void)mdec_decode_burst(c->app->cfg, c->link, b->f, NULL, b->n, b->r);
    b->k = 0;
    for (size_t i = 0; i < b->n; i++) {
        const int owner =
            c->n > 1 && !steered ? owner_of(&b->r[i], c->n, &c->app->o->flow_key) : -1;
        if (owner >= 0 && &c->wc[owner] != me) {
            me->w->steered_out++;
            inbox_push(c, &c->wc[owner], &b->fr[i], b->f[i].data, b->f[i].cap_len,
                       b->f[i].wire_len);
            continue;
        }
        if (steered)
            me->w->steered_in++;
        b->mine_fr[b->k] = b->fr[i];
        b->mine[b->k] = b->r[i];
        b->k++;
    }
    mt_app_burst(me->w, b->mine_fr, b->mine, b->k, b->m);
    b->n = 0;
}

/* Adds a frame to the burst; runs it when full. */
static void frame_in(struct ctx *c, struct wctx *me, const struct mt_frame *fr,
                     const uint8_t *data, uint32_t cap, uint32_t wire, int steered)
{
    struct wburst *b = me->b;
    b->fr[b->n] = *fr;
    b->f[b->n].data = data;
    b->f[b->n].cap_len = cap;
    b->f[b->n].wire_len = wire;
    if (++b->n == MT_BURST)
        burst_run(c, me, steered);
}

/* Processes what other workers handed over; 1 when there was something. */
static int inbox_drain(struct ctx *c, struct wctx *me)
{
    uint64_t v;
    if (read(me->in.efd, &v, sizeof v) < 0) {
        /* EAGAIN: nothing signalled; records may still be there */
    }
    pthread_mutex_lock(&me->in.mu);
    struct mt_buf t = me->in.buf;
    me->in.buf = me->local;
    pthread_mutex_unlock(&me->in.mu);
    me->local = t;
    size_t at = 0;
    while (at + sizeof(struct fwd_rec) <= me->local.len) {
        struct fwd_rec rec;
        memcpy(&rec, me->local.p + at, sizeof rec);
        at += sizeof rec;
        const struct mt_frame fr = {rec.index, rec.sec, rec.nsec};
        frame_in(c, me, &fr, (const uint8_t *)me->local.p + at, rec.cap, rec.wire, 1);
        at += (rec.cap + 7u) & ~(size_t)7;
    }
    burst_run(c, me, 1); /* before the buffer is reused */
    const int any = me->local.len > 0;
    me->local.len = 0;
    return any;
}

/* ----------------------------------------------------------------- ring */

/* Walks one block of the ring. */
static void walk_block(struct ctx *c, struct wctx *me, struct tpacket_block_desc *bd)
{
    uint8_t *p = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
    const uint32_t n = bd->hdr.bh1.num_pkts;
    for (uint32_t i = 0; i < n; i++) {
        const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)(void *)p;
        const struct sockaddr_ll *sll =
            (const struct sockaddr_ll *)(void *)(p + HDR3_LEN);
        const uint8_t *data = p + h->tp_mac;
        uint32_t cap = h->tp_snaplen, wire = h->tp_len;
        p += h->tp_next_offset;
        if (sll->sll_pkttype == PACKET_OUTGOING && !c->outgoing)
            continue;
        if ((h->tp_status & TP_STATUS_VLAN_VALID) && c->link == MDEC_LINK_ETHERNET && cap >= 12 &&
            cap <= 65536) {
            /* Put the tag the kernel took out back after the MAC addresses. */
            const uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID)
                                      ? (uint16_t)h->hv1.tp_vlan_tpid
                                      : (uint16_t)0x8100;
            const uint16_t tci = (uint16_t)h->hv1.tp_vlan_tci;
            uint8_t *x = me->scratch + me->b->n * (size_t)SCRATCH_FRAME;
            memcpy(x, data, 12);
            x[12] = (uint8_t)(tpid >> 8);
            x[13] = (uint8_t)tpid;
            x[14] = (uint8_t)(tci >> 8);
            x[15] = (uint8_t)tci;
            memcpy(x + 16, data + 12, cap - 12);
            data = x;
            cap += 4;
            wire += 4;
        }
        struct mt_frame fr;
        fr.index = mt_app_next_index(c->app);
        if (!fr.index)
            break;
        fr.sec = h->tp_sec;
        fr.nsec = h->tp_nsec;
        frame_in(c, me, &fr, data, cap, wire, 0);
    }
    burst_run(c, me, 0); /* before the block goes back to the kernel */
}

struct targ {
    struct ctx *c;
    struct wctx *me;
};

/* Processes the next block if the kernel has handed it over; 1 if so. */
static int next_block(struct ctx *c, struct wctx *me)
{
    struct tpacket_block_desc *bd =
        (struct tpacket_block_desc *)(void *)(me->map + (size_t)me->cur * BLOCK_SIZE);
    if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
        return 0;
    walk_block(c, me, bd);
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    me->cur = (me->cur + 1) % me->block_nr;
    return 1;
}

static void *worker_main(void *arg)
{
    struct ctx *c = ((struct targ *)arg)->c;
    struct wctx *me = ((struct targ *)arg)->me;
    struct pollfd pfd[2] = {{me->fd, POLLIN | POLLERR, 0}, {me->in.efd, POLLIN, 0}};
    while (!mt_stop) {
        int busy = next_block(c, me);
        if (c->n > 1)
            busy |= inbox_drain(c, me);
        if (!busy) {
            mt_app_flush(c->app);
            if (poll(pfd, c->n > 1 ? 2 : 1, 100) < 0 && errno != EINTR) {
                mt_msg("poll: %s", strerror(errno));
                c->failed = 1;
                mt_stop = 1;
            }
        }
    }
    /* Frames the kernel holds in the block it is filling come out when the
     * block retires (RETIRE_MS): wait for that and take them too, so that
     * SIGINT loses nothing already received.  (With -c, mt_app_next_index
     * refuses them.) */
    if (!c->failed) {
        const struct timespec ts = {0, 2 * RETIRE_MS * 1000000L};
        nanosleep(&ts, NULL);
        while (next_block(c, me))
            ;
    }
    return NULL;
}

/* -------------------------------------------------------------- signals */

/*
 * SIGINT and SIGTERM go to the main thread (the workers block them): the
 * first stops the workers cleanly, each writing what it holds.  A worker
 * blocked writing --json to a reader that does not read would then wait
 * for ever, so from the second signal on the main thread's handler sends
 * each worker SIGUSR1, whose empty handler (no SA_RESTART) makes the
 * worker's write fail with EINTR (or return what it had written: the
 * worker checks mt_signals before writing again): it then gives up, as a
 * single-threaded tool does.  The main thread repeats the wake-up while it
 * waits for the workers, in case one was about to block when it came.
 */

/* ---------------------------------------------------------------- setup */

static int link_of(int fd, const char *iface)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", iface);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0)
        return MDEC_LINK_ETHERNET;
    switch (ifr.ifr_hwaddr.sa_family) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:
        return MDEC_LINK_ETHERNET;
    case ARPHRD_NONE:
    case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6:
    case ARPHRD_IPGRE:
    case ARPHRD_SIT:
        return MDEC_LINK_RAW; /* layer-3 devices: frames start at IP */
    default:
        mt_msg("warning: %s has hardware type %u; decoding its frames as Ethernet", iface,
               ifr.ifr_hwaddr.sa_family);
        return MDEC_LINK_ETHERNET;
    }
}

static unsigned fanout_mode(const char *name)
{
    if (strcmp(name, "lb") == 0)
        return PACKET_FANOUT_LB;
    if (strcmp(name, "cpu") == 0)
        return PACKET_FANOUT_CPU;
    if (strcmp(name, "qm") == 0)
        return PACKET_FANOUT_QM;
    return PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
}

static const char *perm_hint(int e)
{
    return e == EPERM || e == EACCES ? " (run as root, or give the program CAP_NET_RAW: setcap "
                                       "cap_net_raw,cap_net_admin=eip mirrordec-afpacket)"
                                     : "";
}

/* Opens worker k's socket and ring and joins the fanout group. */
static int open_ring(const struct mt_opts *o, struct wctx *me, int ifindex, int group)
{
    const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) {
        mt_msg("cannot open a packet socket: %s%s", strerror(errno), perm_hint(errno));
        return -1;
    }
    me->fd = fd;
    const int v3 = TPACKET_V3;
    struct tpacket_req3 req;
    memset(&req, 0, sizeof req);
    req.tp_block_size = BLOCK_SIZE;
    req.tp_block_nr = o->ring_mb;
    req.tp_frame_size = 2048;
    req.tp_frame_nr = (BLOCK_SIZE / 2048) * o->ring_mb;
    req.tp_retire_blk_tov = RETIRE_MS; /* a sparse stream still shows up promptly */
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3) != 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
        mt_msg("cannot set up a TPACKET_V3 ring: %s", strerror(errno));
        return -1;
    }
    me->block_nr = req.tp_block_nr;
    me->map_len = (size_t)req.tp_block_size * req.tp_block_nr;
    void *map = mmap(NULL, me->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        mt_msg("cannot map the ring (%zu bytes): %s", me->map_len, strerror(errno));
        return -1;
    }
    me->map = map;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    if (bind(fd, (struct sockaddr *)(void *)&sll, sizeof sll) != 0) {
        mt_msg("cannot bind to %s: %s", o->iface, strerror(errno));
        return -1;
    }
    if (o->snaplen < 262144) {
        /* The ring keeps what a socket filter returns: "ret #snaplen". */
        struct sock_filter keep = {BPF_RET | BPF_K, 0, 0, o->snaplen};
        struct sock_fprog prog = {1, &keep};
        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0)
            mt_msg("warning: --snaplen %u not applied: %s", o->snaplen, strerror(errno));
    }
    if (o->promisc) {
        struct packet_mreq mr;
        memset(&mr, 0, sizeof mr);
        mr.mr_ifindex = ifindex;
        mr.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
            mt_msg("warning: %s: cannot enter promiscuous mode: %s", o->iface, strerror(errno));
    }
    if (group >= 0) {
        /* group id in the low 16 bits, mode and flags above (0x8000 << 16
         * does not fit an int: build it unsigned) */
        const uint32_t arg = (uint32_t)group | (uint32_t)fanout_mode(o->fanout) << 16;
        if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
            mt_msg("cannot join fanout group %d (--fanout %s): %s", group, o->fanout,
                   strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void close_ring(struct ctx *c, struct wctx *me)
{
    if (me->fd >= 0) {
        struct tpacket_stats_v3 st;
        socklen_t len = sizeof st;
        if (getsockopt(me->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
            c->app->kernel_drops += st.tp_drops;
        close(me->fd);
    }
    if (me->map)
        munmap(me->map, me->map_len);
    me->fd = -1;
    me->map = NULL;
}

int main(int argc, char **argv)
{
    struct mt_opts o;
    mt_opts_parse(&o, MT_AFPACKET, "mirrordec-afpacket", help, argc, argv);
    mt_signals_install(NULL);
    const int ifindex = (int)if_nametoindex(o.iface);
    if (!ifindex) {
        mt_msg("no interface %s: %s (ip link lists them)", o.iface, strerror(errno));
        mt_opts_free(&o);
        return MT_EXIT_RUNTIME;
    }

    struct mt_app app;
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.app = &app;
    c.n = o.workers;
    c.outgoing = o.outgoing;
    c.wc = mt_xcalloc(c.n, sizeof *c.wc);
    for (unsigned i = 0; i < c.n; i++) {
        c.wc[i].fd = c.wc[i].in.efd = -1;
        pthread_mutex_init(&c.wc[i].in.mu, NULL);
    }

    /* The sockets first, so that a refusal (permissions, no such device)
     * is reported before anything else is set up. */
    int rc = 0;
    const int group = c.n > 1 ? (int)(getpid() & 0xffff) : -1;
    for (unsigned i = 0; i < c.n && rc == 0; i++) {
        struct wctx *me = &c.wc[i];
        me->in.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        me->scratch = mt_xmalloc((size_t)MT_BURST * SCRATCH_FRAME);
        me->b = mt_xcalloc(1, sizeof *me->b);
        if (me->in.efd < 0 || open_ring(&o, me, ifindex, group) != 0)
            rc = MT_EXIT_RUNTIME;
        if (i == 0 && rc == 0)
            c.link = link_of(me->fd, o.iface);
    }
    if (rc == 0)
        rc = mt_app_init(&app, &o, c.n, 1);
    else
        memset(&app, 0, sizeof app); /* nothing to finish but the rings */
    for (unsigned i = 0; i < c.n && rc == 0; i++)
        c.wc[i].w = &app.workers[i];
    snprintf(app.input_name, sizeof app.input_name, "%s", o.iface);
    app.live = 1;

    struct targ *args = mt_xcalloc(c.n, sizeof *args);
    unsigned started = 0;
    if (rc == 0) {
        mt_wake_install();
        /* Workers leave SIGINT and SIGTERM to the main thread. */
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &block, &old);
        for (; started < c.n; started++) {
            args[started].c = &c;
            args[started].me = &c.wc[started];
            if (pthread_create(&c.wc[started].th, NULL, worker_main, &args[started]) != 0) {
                mt_msg("cannot start worker %u", started);
                rc = MT_EXIT_RUNTIME;
                mt_stop = 1;
                break;
            }
            mt_wake_add(started, c.wc[started].th);
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc == 0 && !o.quiet)
            mt_msg("capturing on %s with %u worker%s%s%s", o.iface, c.n, c.n > 1 ? "s" : "",
                   c.n > 1 ? ", fanout " : "", c.n > 1 ? o.fanout : "");
    }
    for (unsigned i = 0; i < started;) {
        /* After a second signal, wake the workers again and again: one
         * might have been about to block in a write when the first SIGUSR1
         * came. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        const int e = pthread_timedjoin_np(c.wc[i].th, NULL, &until);
        if (e == ETIMEDOUT) {
            mt_wake_workers();
            continue;
        }
        if (e != 0)
            pthread_join(c.wc[i].th, NULL);
        i++;
    }
    mt_wake_clear();
    /* What was handed over but not yet processed. */
    uint64_t dropped = 0;
    for (unsigned i = 0; i < c.n; i++) {
        struct wctx *me = &c.wc[i];
        if (me->in.efd >= 0 && rc == 0)
            (void)inbox_drain(&c, me);
        dropped += me->in.dropped;
        close_ring(&c, me);
    }
    if (rc == 0 || app.ready) {
        app.have_kernel_drops = 1;
        app.inbox_dropped = dropped;
        mt_buf_printf(&app.extra, "%s: the kernel dropped %llu frames (PACKET_STATISTICS)\n",
                      o.iface, (unsigned long long)app.kernel_drops);
        if (dropped)
            mt_buf_printf(&app.extra, "%llu frames dropped: a worker's inbox was full\n",
                          (unsigned long long)dropped);
    }
    if (c.failed && rc == 0)
        rc = MT_EXIT_RUNTIME;
    rc = mt_app_finish(&app, rc);
    for (unsigned i = 0; i < c.n; i++) {
        if (c.wc[i].in.efd >= 0)
            close(c.wc[i].in.efd);
        mt_buf_free(&c.wc[i].in.buf);
        mt_buf_free(&c.wc[i].local);
        free(c.wc[i].scratch);
        free(c.wc[i].b);
        pthread_mutex_destroy(&c.wc[i].in.mu);
    }
    free(args);
    free(c.wc);
    mt_opts_free(&o);
    return rc;
}
