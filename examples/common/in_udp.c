/*
 * in_udp.c - mirrored traffic from UDP sockets, as an AWS mirror target (an
 * instance behind a Network Load Balancer, or an ENI) receives it.
 *
 * One socket per tunnel port and address family (IPv6 sockets are
 * IPV6_V6ONLY, so no address arrives twice), or per -b address.  Datagrams
 * are received in batches with recvmmsg(); IP_PKTINFO / IPV6_RECVPKTINFO
 * give the destination address and SO_TIMESTAMPNS the kernel's receive
 * time.  Each batch goes to mdec_decode_burst() as UDP payloads (the tunnel
 * header at each one's first byte; the socket supplies the carrier's
 * addresses and ports, so the session table can still check the sender)
 * and then, whole, to the session table's burst call.
 *
 * Loss is counted.  Each socket asks for a receive buffer of --rcvbuf
 * bytes (MT_RCVBUF_DEFAULT: mirrored traffic comes in bursts), with
 * SO_RCVBUFFORCE when allowed, else SO_RCVBUF (capped by
 * net.core.rmem_max), and reports what the kernel gave.  SO_RXQ_OVFL
 * gives, with each datagram, how many the socket has dropped so far
 * (receive buffer full, bad checksum); SO_MEMINFO gives the final count
 * when the socket closes.  Their sum over the sockets is the summary's
 * and --stats-json's kernel_drops.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _GNU_SOURCE /* recvmmsg */
#include "mt.h"

#ifdef __linux__

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DGRAM_MAX 65536 /* the largest UDP payload fits: nothing is cut */

#ifndef SO_MEMINFO
#define SO_MEMINFO 55 /* Linux 4.13; older headers lack it */
#endif
#ifndef SK_MEMINFO_DROPS
#define SK_MEMINFO_DROPS 8
#endif

struct usock {
    int fd;
    int family;
    uint16_t port;
    uint32_t ovfl;  /* the socket's drop count, as last reported */
    uint64_t drops; /* drops so far (the 32-bit count, unwrapped) */
};

struct mt_udp_in {
    struct usock *s;
    size_t n;
    char name[200];
    int rcvbuf; /* the smallest the kernel gave a socket */
    int rcvbuf_warned;
    struct mt_probe *probe; /* --health-port, or NULL */
};

/* A new value of a socket's 32-bit drop count. */
static void drops_seen(struct usock *u, uint32_t now)
{
    u->drops += (uint32_t)(now - u->ovfl);
    u->ovfl = now;
}

/* Closes the sockets; the drops they counted go to *drops when not NULL. */
static void close_all(struct mt_udp_in *in, uint64_t *drops)
{
    mt_probe_close(in->probe); /* first: the load balancer stops sending */
    in->probe = NULL;
    for (size_t i = 0; i < in->n; i++) {
        struct usock *u = &in->s[i];
        uint32_t mi[SK_MEMINFO_DROPS + 1];
        socklen_t len = sizeof mi;
        memset(mi, 0, sizeof mi);
        if (getsockopt(u->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) == 0 &&
            len >= (socklen_t)sizeof mi)
            drops_seen(u, mi[SK_MEMINFO_DROPS]);
        if (drops)
            *drops += u->drops;
        close(u->fd);
    }
    free(in->s);
    free(in);
}

void mt_udp_close(struct mt_udp_in *in)
{
    if (in)
        close_all(in, NULL);
}

/* Opens and binds one socket; 0, 1 (skipped: no IPv6 here) or -1. */
static int open_one(struct mt_udp_in *in, const struct mt_opts *o, int family,
                    const struct mdec_addr *addr, uint16_t port, int explicit_addr)
{
    union {
        struct sockaddr sa;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } sa;
    socklen_t salen;
    memset(&sa, 0, sizeof sa);
    if (family == AF_INET) {
        sa.v4.sin_family = AF_INET;
        sa.v4.sin_port = htons(port);
        if (addr)
            memcpy(&sa.v4.sin_addr, addr->a, 4);
        salen = sizeof sa.v4;
    } else {
        sa.v6.sin6_family = AF_INET6;
        sa.v6.sin6_port = htons(port);
        if (addr)
            memcpy(&sa.v6.sin6_addr, addr->a, 16);
        salen = sizeof sa.v6;
    }
    char where[INET6_ADDRSTRLEN + 16];
    char text[INET6_ADDRSTRLEN];
    inet_ntop(family, family == AF_INET ? (const void *)&sa.v4.sin_addr
                                        : (const void *)&sa.v6.sin6_addr,
              text, sizeof text);
    snprintf(where, sizeof where, family == AF_INET ? "%s:%u" : "[%s]:%u", text, port);

    const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (family == AF_INET6 && errno == EAFNOSUPPORT && !explicit_addr)
            return 1;
        mt_msg("cannot open a UDP socket for %s: %s", where, strerror(errno));
        return -1;
    }
    const int one = 1;
    if (family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (family == AF_INET)
        (void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    else
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0)
        mt_msg("warning: UDP %s: SO_RXQ_OVFL: %s; kernel drops are counted when the socket "
               "closes only", where, strerror(errno));
    const int want = o->rcvbuf ? o->rcvbuf : MT_RCVBUF_DEFAULT;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    int got = 0;
    socklen_t got_len = sizeof got;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &got_len) != 0)
        got = 0;
    /* The kernel doubles what it is asked for (bookkeeping overhead) and
     * reports the doubled value; less than asked means it was capped. */
    if (o->rcvbuf && got / 2 < want && !in->rcvbuf_warned) {
        in->rcvbuf_warned = 1;
        mt_msg("warning: --rcvbuf %d: the kernel gave %d bytes (net.core.rmem_max caps it "
               "without CAP_NET_ADMIN)", want, got);
    }
    if (got > 0 && (in->rcvbuf == 0 || got < in->rcvbuf))
        in->rcvbuf = got;
    if (bind(fd, &sa.sa, salen) != 0) {
        const int e = errno;
        close(fd);
        if (family == AF_INET6 && e == EADDRNOTAVAIL && !explicit_addr)
            return 1; /* IPv6 disabled on this host */
        mt_msg("cannot receive on UDP %s: %s%s", where, strerror(e),
               e == EADDRINUSE ? " (another receiver, or a Linux vxlan or geneve device, "
                                 "holds the port)"
               : e == EACCES   ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
                               : "");
        return -1;
    }
    struct usock *p = realloc(in->s, (in->n + 1) * sizeof *p);
    if (!p) {
        close(fd);
        mt_msg("out of memory");
        return -1;
    }
    in->s = p;
    memset(&in->s[in->n], 0, sizeof in->s[in->n]);
    in->s[in->n].fd = fd;
    in->s[in->n].family = family;
    in->s[in->n].port = port;
    in->n++;
    return 0;
}

int mt_udp_open(const struct mt_opts *o, struct mt_udp_in **inp)
{
    struct mt_udp_in *in = mt_xcalloc(1, sizeof *in);
    size_t at = (size_t)snprintf(in->name, sizeof in->name, "UDP port%s",
                                 o->cfg.n_ports > 1 ? "s" : "");
    for (unsigned i = 0; i < o->cfg.n_ports; i++) {
        const uint16_t port = o->cfg.ports[i].port;
        if (at < sizeof in->name)
            at += (size_t)snprintf(in->name + at, sizeof in->name - at, "%s%u", i ? ", " : " ",
                                   port);
        int rc = 0;
        if (o->n_binds == 0) {
            rc = open_one(in, o, AF_INET, NULL, port, 0);
            if (rc >= 0)
                rc = open_one(in, o, AF_INET6, NULL, port, 0);
        }
        for (size_t b = 0; b < o->n_binds && rc >= 0; b++) {
            struct mdec_addr a;
            struct mdec_parse_error pe;
            if (mdec_addr_parse(o->binds[b], strlen(o->binds[b]), &a, &pe) != 0) {
                mt_msg("-b '%s': not an IPv4 or IPv6 address: %s", o->binds[b], pe.message);
                mt_udp_close(in);
                return MT_EXIT_USAGE;
            }
            rc = open_one(in, o, a.family == MDEC_AF_IPV4 ? AF_INET : AF_INET6, &a, port, 1);
        }
        if (rc < 0) {
            mt_udp_close(in);
            return MT_EXIT_RUNTIME;
        }
    }
    if (o->health_port) { /* after the sockets: healthy means receiving */
        char msg[200];
        const int prc = mt_probe_open(o->health_port, &in->probe, msg, sizeof msg);
        if (prc != 0) {
            mt_msg("--health-port '%s': %s", o->health_port, msg);
            mt_udp_close(in);
            return prc == -2 ? MT_EXIT_USAGE : MT_EXIT_RUNTIME;
        }
    }
    *inp = in;
    return MT_EXIT_OK;
}

static void sockaddr_to_meta(const struct sockaddr_storage *ss, struct mdec_addr *a, uint16_t *port)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)ss;
        a->family = MDEC_AF_IPV4;
        memcpy(a->a, &s4->sin_addr, 4);
        *port = ntohs(s4->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)ss;
        a->family = MDEC_AF_IPV6;
        memcpy(a->a, &s6->sin6_addr, 16);
        *port = ntohs(s6->sin6_port);
    }
}

/* Destination address, receive time and the socket's drop count from the
 * control messages. */
static void read_cmsgs(struct msghdr *mh, struct mdec_addr *dst, struct mt_frame *fr,
                       struct usock *u)
{
    int have_ts = 0;
    memset(dst, 0, sizeof *dst);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            dst->family = MDEC_AF_IPV4;
            memcpy(dst->a, &pi.ipi_addr, 4);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            dst->family = MDEC_AF_IPV6;
            memcpy(dst->a, &pi.ipi6_addr, 16);
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            fr->sec = (int64_t)ts.tv_sec;
            fr->nsec = (uint32_t)ts.tv_nsec;
            have_ts = 1;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            uint32_t dropped;
            memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
            drops_seen(u, dropped);
        }
    }
    if (!have_ts) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        fr->sec = (int64_t)ts.tv_sec;
        fr->nsec = (uint32_t)ts.tv_nsec;
    }
}

struct batch {
    unsigned n;
    uint8_t *data;
    struct mmsghdr *msgs;
    struct iovec *iov;
    struct sockaddr_storage *names;
    char (*ctl)[256];
    /* What the library takes, a burst at a time. */
    struct mdec_frame *frames;
    struct mdec_udp_meta *meta;
    struct mt_frame *fr;
    struct mdec_result *res;
    struct mdec_match *m;
};

static void batch_init(struct batch *b, unsigned n)
{
    b->n = n;
    b->data = mt_xmalloc((size_t)n * DGRAM_MAX);
    b->msgs = mt_xcalloc(n, sizeof *b->msgs);
    b->iov = mt_xcalloc(n, sizeof *b->iov);
    b->names = mt_xcalloc(n, sizeof *b->names);
    b->ctl = mt_xcalloc(n, sizeof *b->ctl);
    b->frames = mt_xcalloc(n, sizeof *b->frames);
    b->meta = mt_xcalloc(n, sizeof *b->meta);
    b->fr = mt_xcalloc(n, sizeof *b->fr);
    b->res = mt_xcalloc(n, sizeof *b->res);
    b->m = mt_xcalloc(n, sizeof *b->m);
}

static void batch_reset(struct batch *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        b->iov[i].iov_base = b->data + (size_t)i * DGRAM_MAX;
        b->iov[i].iov_len = DGRAM_MAX;
        struct msghdr *mh = &b->msgs[i].msg_hdr;
        memset(mh, 0, sizeof *mh);
        mh->msg_name = &b->names[i];
        mh->msg_namelen = sizeof b->names[i];
        mh->msg_iov = &b->iov[i];
        mh->msg_iovlen = 1;
        mh->msg_control = b->ctl[i];
        mh->msg_controllen = sizeof b->ctl[i];
    }
}

static void batch_free(struct batch *b)
{
    free(b->data);
    free(b->msgs);
    free(b->iov);
    free(b->names);
    free(b->ctl);
    free(b->frames);
    free(b->meta);
    free(b->fr);
    free(b->res);
    free(b->m);
}

/* Receives what one socket holds, in batches; -1 on a receive error. */
static int drain(struct mt_app *app, struct usock *s, struct batch *b)
{
    while (!mt_stop) {
        batch_reset(b);
        const int got = recvmmsg(s->fd, b->msgs, b->n, MSG_DONTWAIT, NULL);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            mt_msg("UDP port %u: receive error: %s", s->port, strerror(errno));
            return -1;
        }
        /* The batch is one burst: decoded and classified together. */
        size_t n = 0;
        int last = 0;
        for (int i = 0; i < got && !last; i++) {
            struct msghdr *mh = &b->msgs[i].msg_hdr;
            struct mt_frame *fr = &b->fr[n];
            struct mdec_udp_meta *meta = &b->meta[n];
            fr->index = mt_app_next_index(app);
            if (!fr->index)
                break; /* -c reached */
            last = mt_stop;
            sockaddr_to_meta(&b->names[i], &meta->src, &meta->sport);
            read_cmsgs(mh, &meta->dst, fr, s);
            meta->dport = s->port;
            b->frames[n].data = b->data + (size_t)i * DGRAM_MAX;
            b->frames[n].cap_len = b->frames[n].wire_len = b->msgs[i].msg_len;
            n++;
        }
        if (n) {
            (void)mdec_decode_burst(app->cfg, 0, b->frames, b->meta, n, b->res);
            mt_app_burst(&app->workers[0], b->fr, b->res, n, b->m);
        }
        if ((size_t)n < (size_t)got || (unsigned)got < b->n)
            return 0;
    }
    return 0;
}

/* The health checks' figures as --stats-json members, in place of what
 * app->extra_json held. */
static void probe_json(struct mt_app *app, const struct mt_probe_stats *ps)
{
    app->extra_json.len = 0;
    mt_buf_printf(&app->extra_json,
                  ",\"health_checks\":{\"port\":%u,\"connections\":%llu,\"answered\":%llu,"
                  "\"timeouts\":%llu,\"evicted\":%llu}",
                  ps->port, (unsigned long long)ps->connections,
                  (unsigned long long)ps->answered, (unsigned long long)ps->timeouts,
                  (unsigned long long)ps->evicted);
}

/* Writes all of b to descriptor fd, retrying after a signal; -1 on error. */
static int write_all(int fd, const struct mt_buf *b)
{
    size_t done = 0;
    while (done < b->len) {
        const ssize_t k = write(fd, b->p + done, b->len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        done += (size_t)k;
    }
    return 0;
}

/*
 * --stats-interval: the figures so far (kernel drops as counted on the
 * packets received, health checks) as one JSON line on standard error, with
 * the time, and in the --stats-json file.  A write error is reported and
 * the sensor goes on: stats must not stop it.
 */
static void periodic_stats(struct mt_app *app, struct mt_udp_in *in)
{
    uint64_t drops = 0;
    for (size_t i = 0; i < in->n; i++)
        drops += in->s[i].drops;
    app->kernel_drops = drops;
    if (in->probe) {
        struct mt_probe_stats ps;
        mt_probe_stats(in->probe, &ps);
        probe_json(app, &ps);
    }
    char when[32];
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct mt_stats *st = mt_stats_collect(app);
    struct mt_buf line = {0};
    mt_stats_json(st, app, when, &line);
    if (write_all(STDERR_FILENO, &line) != 0 && !app->stats_err_said) {
        mt_msg("--stats-interval: cannot write to standard error: %s", strerror(errno));
        app->stats_err_said = 1;
    }
    if (app->o->stats_json)
        (void)mt_stats_write_json(st, app, app->o->stats_json); /* it says why */
    mt_buf_free(&line);
    mt_stats_free(st);
}

/* Seconds on a clock that does not jump. */
static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mt_udp_run(struct mt_app *app, struct mt_udp_in *in)
{
    snprintf(app->input_name, sizeof app->input_name, "%s", in->name);
    app->live = 1;
    app->have_kernel_drops = 1;
    app->rcvbuf = in->rcvbuf;
    if (!app->o->quiet)
        mt_msg("receiving on %s (%zu sockets, receive buffer %d bytes each)", in->name, in->n,
               in->rcvbuf);
    if (in->probe && !app->o->quiet)
        mt_msg("answering health checks on TCP %s", app->o->health_port);
    struct pollfd *pfd = mt_xcalloc(in->n + MT_PROBE_POLLFDS, sizeof *pfd);
    for (size_t i = 0; i < in->n; i++) {
        pfd[i].fd = in->s[i].fd;
        pfd[i].events = POLLIN;
    }
    struct batch b;
    batch_init(&b, app->o->batch);
    int rc = MT_EXIT_OK;
    const double every = (double)app->o->stats_interval;
    double next = monotonic_s() + every;
    while (!mt_stop && rc == MT_EXIT_OK) {
        const size_t np = mt_probe_pollfds(in->probe, pfd + in->n);
        const int ready = poll(pfd, (nfds_t)(in->n + np), 250);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            mt_msg("poll: %s", strerror(errno));
            rc = MT_EXIT_RUNTIME;
            break;
        }
        for (size_t i = 0; i < in->n && ready > 0; i++)
            if ((pfd[i].revents & POLLIN) && drain(app, &in->s[i], &b) != 0)
                rc = MT_EXIT_RUNTIME;
        mt_probe_handle(in->probe, pfd + in->n, np);
        mt_app_flush(app);
        const double now = monotonic_s();
        if (every > 0 && now >= next) {
            periodic_stats(app, in);
            next += every;
            if (next <= now) /* stalled past a whole interval: none to catch up */
                next = now + every;
        }
    }
    batch_free(&b);
    free(pfd);
    struct mt_probe_stats ps;
    mt_probe_stats(in->probe, &ps);
    const int probed = in->probe != NULL;
    app->kernel_drops = 0;
    close_all(in, &app->kernel_drops);
    mt_buf_printf(&app->extra,
                  "UDP sockets: the kernel dropped %llu datagrams (receive buffer of %d bytes "
                  "full, or bad checksum; SO_RXQ_OVFL)\n",
                  (unsigned long long)app->kernel_drops, app->rcvbuf);
    if (probed) {
        mt_buf_printf(&app->extra,
                      "health checks on TCP port %u: %llu connections, %llu HTTP requests "
                      "answered, %llu timed out, %llu evicted (%d were open)\n",
                      ps.port, (unsigned long long)ps.connections,
                      (unsigned long long)ps.answered, (unsigned long long)ps.timeouts,
                      (unsigned long long)ps.evicted, MT_PROBE_CLIENTS);
        probe_json(app, &ps);
    }
    return rc;
}

#else /* not Linux: recvmmsg, IP_PKTINFO and SO_TIMESTAMPNS are Linux's */

struct mt_udp_in {
    int unused;
};

int mt_udp_open(const struct mt_opts *o, struct mt_udp_in **in)
{
    (void)o;
    *in = NULL;
    mt_msg("the UDP input needs Linux; read a capture with -r FILE or -i IFACE");
    return MT_EXIT_RUNTIME;
}

int mt_udp_run(struct mt_app *app, struct mt_udp_in *in)
{
    (void)app, (void)in;
    return MT_EXIT_RUNTIME;
}

void mt_udp_close(struct mt_udp_in *in)
{
    (void)in;
}

#endif
