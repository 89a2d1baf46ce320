/*
 * probe.c - the load balancer's health-check listener (--health-port).
 *
 * An AWS Network Load Balancer or Gateway Load Balancer marks a target
 * healthy when its health checks succeed: a TCP check succeeds when the
 * connection is accepted, an HTTP check when the answer is "200 OK".  This
 * listener serves both on one TCP port: it accepts every connection; a
 * client that sends anything (an HTTP request) gets one fixed answer,
 *
 *     HTTP/1.1 200 OK, Content-Length: 3, Connection: close, body "ok\n"
 *
 * and is closed; a client that sends nothing is closed when it closes (a
 * TCP check) or after MT_PROBE_TIMEOUT_MS.  The answer says only that the
 * receiver is running with its sockets open: the listener is opened after
 * the UDP sockets and closed before them, so a stopping receiver fails its
 * checks first and the load balancer moves flows away.
 *
 * Anyone who can reach the port can connect, so nothing here grows with
 * what a client does: at most MT_PROBE_CLIENTS connections are held (a new
 * one past that closes the oldest, counted as evicted, so idle connections
 * cannot lock the load balancer's checks out), requests are read once into
 * a fixed buffer and never parsed, and the answer is written without
 * blocking (a client that does not read it loses it).  Limit who can reach
 * the port with the security group (docs/aws.md).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _GNU_SOURCE /* accept4 */
#include "mt.h"

#ifdef __linux__

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct client {
    int fd; /* -1: free */
    uint64_t since_ms;
};

struct mt_probe {
    int fd;
    struct client c[MT_PROBE_CLIENTS];
    struct mt_probe_stats st;
};

static const char answer[] = "HTTP/1.1 200 OK\r\n"
                             "Content-Type: text/plain\r\n"
                             "Content-Length: 3\r\n"
                             "Connection: close\r\n"
                             "\r\n"
                             "ok\n";

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Splits "[ADDR:]PORT" ("[v6]:PORT" for IPv6) into host (NULL: every
 * address) and port; 0, or -1 with a message. */
static int split_spec(const char *spec, char *host, size_t hsize, char *port, size_t psize,
                      char *msg, size_t msize)
{
    const char *colon = strrchr(spec, ':');
    const char *p = colon ? colon + 1 : spec;
    size_t hn = colon ? (size_t)(colon - spec) : 0;
    const char *h = spec;
    if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
        h++;
        hn -= 2;
    } else if (colon && memchr(spec, ':', hn)) {
        snprintf(msg, msize, "an IPv6 address goes in brackets: [ADDR]:PORT");
        return -1;
    }
    if (hn >= hsize || strlen(p) >= psize || *p == '\0') {
        snprintf(msg, msize, "expected [ADDR:]PORT");
        return -1;
    }
    memcpy(host, h, hn);
    host[hn] = '\0';
    snprintf(port, psize, "%s", p);
    char *end;
    const unsigned long v = strtoul(port, &end, 10);
    if (*end != '\0' || v == 0 || v > 65535 || port[0] < '0' || port[0] > '9') {
        snprintf(msg, msize, "'%s' is not a port number (1..65535)", port);
        return -1;
    }
    return 0;
}

/* A listening socket on the first address of ai that takes it. */
static int listen_on(const struct addrinfo *ai, char *msg, size_t msize)
{
    int err = 0;
    for (; ai; ai = ai->ai_next) {
        const int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        const int one = 1, zero = 0;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6) /* the wildcard takes IPv4 too */
            (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
            return fd;
        err = errno;
        close(fd);
    }
    snprintf(msg, msize, "%s", strerror(err ? err : EADDRNOTAVAIL));
    return -1;
}

int mt_probe_open(const char *spec, struct mt_probe **out, char *msg, size_t msize)
{
    char host[64], port[8];
    *out = NULL;
    if (split_spec(spec, host, sizeof host, port, sizeof port, msg, msize) != 0)
        return -2;
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0 && !host[0]) { /* no IPv6 here: IPv4's wildcard */
        hints.ai_family = AF_INET;
        rc = getaddrinfo(NULL, port, &hints, &ai);
    }
    if (rc != 0) {
        snprintf(msg, msize, "'%s' is not a numeric address: %s", host, gai_strerror(rc));
        return -2;
    }
    const int fd = listen_on(ai, msg, msize);
    freeaddrinfo(ai);
    if (fd < 0)
        return -1;
    struct mt_probe *p = mt_xcalloc(1, sizeof *p);
    p->fd = fd;
    for (size_t i = 0; i < MT_PROBE_CLIENTS; i++)
        p->c[i].fd = -1;
    p->st.port = (uint16_t)strtoul(port, NULL, 10);
    *out = p;
    return 0;
}

size_t mt_probe_pollfds(const struct mt_probe *p, struct pollfd *pfd)
{
    if (!p)
        return 0;
    size_t n = 0;
    pfd[n].fd = p->fd;
    pfd[n++].events = POLLIN;
    for (size_t i = 0; i < MT_PROBE_CLIENTS; i++) {
        pfd[n].fd = p->c[i].fd; /* negative: poll() ignores it */
        pfd[n++].events = POLLIN;
    }
    return n;
}

static void drop(struct client *c)
{
    close(c->fd);
    c->fd = -1;
}

static void accept_all(struct mt_probe *p, uint64_t now)
{
    for (;;) {
        const int fd = accept4(p->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or an error the next poll sees again */
        p->st.connections++;
        size_t i = 0, oldest = 0;
        while (i < MT_PROBE_CLIENTS && p->c[i].fd >= 0) {
            if (p->c[i].since_ms < p->c[oldest].since_ms)
                oldest = i;
            i++;
        }
        if (i == MT_PROBE_CLIENTS) {
            drop(&p->c[oldest]);
            p->st.evicted++;
            i = oldest;
        }
        p->c[i].fd = fd;
        p->c[i].since_ms = now;
    }
}

/* A client with something to read: a request (answered), its end, or an
 * error; each closes it. */
static void serve(struct mt_probe *p, struct client *c)
{
    char req[1024];
    ssize_t k;
    do
        k = recv(c->fd, req, sizeof req, 0);
    while (k < 0 && errno == EINTR);
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (k > 0) {
        if (send(c->fd, answer, sizeof answer - 1, MSG_NOSIGNAL | MSG_DONTWAIT) ==
            (ssize_t)(sizeof answer - 1))
            p->st.answered++;
        (void)shutdown(c->fd, SHUT_WR);
    }
    drop(c);
}

void mt_probe_handle(struct mt_probe *p, const struct pollfd *pfd, size_t n)
{
    if (!p || n == 0)
        return;
    const uint64_t now = now_ms();
    for (size_t i = 0; i < MT_PROBE_CLIENTS && i + 1 < n; i++) {
        struct client *c = &p->c[i];
        if (c->fd < 0 || pfd[i + 1].fd != c->fd)
            continue;
        if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
            serve(p, c);
        else if (now - c->since_ms >= MT_PROBE_TIMEOUT_MS) {
            p->st.timeouts++;
            drop(c);
        }
    }
    if (pfd[0].revents & POLLIN)
        accept_all(p, now);
}

void mt_probe_stats(const struct mt_probe *p, struct mt_probe_stats *st)
{
    memset(st, 0, sizeof *st);
    if (p)
        *st = p->st;
}

void mt_probe_close(struct mt_probe *p)
{
    if (!p)
        return;
    close(p->fd); /* first: a stopping receiver fails its checks */
    for (size_t i = 0; i < MT_PROBE_CLIENTS; i++)
        if (p->c[i].fd >= 0)
            close(p->c[i].fd);
    free(p);
}

#else /* not Linux */

int mt_probe_open(const char *spec, struct mt_probe **out, char *msg, size_t msize)
{
    (void)spec;
    *out = NULL;
    snprintf(msg, msize, "the health-check listener needs Linux");
    return -1;
}

size_t mt_probe_pollfds(const struct mt_probe *p, struct pollfd *pfd)
{
    (void)p, (void)pfd;
    return 0;
}

void mt_probe_handle(struct mt_probe *p, const struct pollfd *pfd, size_t n)
{
    (void)p, (void)pfd, (void)n;
}

void mt_probe_stats(const struct mt_probe *p, struct mt_probe_stats *st)
{
    (void)p;
    memset(st, 0, sizeof *st);
}

void mt_probe_close(struct mt_probe *p)
{
    (void)p;
}

#endif
