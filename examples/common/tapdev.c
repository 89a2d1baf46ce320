/*
 * tapdev.c - TAP devices for mirrordec-tap (Linux).
 *
 * A TAP device takes Ethernet frames: whatever is written to its file
 * descriptor arrives on the interface as if received from a wire, where
 * tcpdump, Zeek or Suricata capture it.  Bare IP inner packets (AWS GWLB,
 * VXLAN-GPE, GRE and ERSPAN III carrying IP) get a made-up Ethernet header
 * with locally administered addresses 02:00:00:00:00:01 -> 02:00:00:00:00:02.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "tapdev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Writes "1" to a sysctl file; best effort. */
static void sysctl_one(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (write(fd, "1\n", 2) < 0) {
        /* nothing to do: the device works without it */
    }
    close(fd);
}

int mt_tap_open(const char *name, char *err, size_t size)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        snprintf(err, size, "cannot open /dev/net/tun: %s%s", strerror(e),
                 e == ENOENT   ? " (is the tun module loaded? modprobe tun)"
                 : e == EACCES ? " (run as root, or with CAP_NET_ADMIN)"
                               : "");
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        const int e = errno;
        snprintf(err, size, "cannot create TAP device %s: %s%s", name, strerror(e),
                 e == EPERM   ? " (run as root, or with CAP_NET_ADMIN)"
                 : e == EBUSY ? " (another program holds it)"
                 : e == EINVAL ? " (an interface of that name exists and is not a TAP device)"
                               : "");
        close(fd);
        return -1;
    }
    /* No IPv6 on the device: the host would send router solicitations and
     * MLD reports out of it, which a sensor listening there would see. */
    char path[96];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifr.ifr_name);
    sysctl_one(path);

    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
        const int e = errno;
        snprintf(err, size, "cannot bring TAP device %s up: %s", name, strerror(e));
        if (s >= 0)
            close(s);
        close(fd);
        return -1;
    }
    close(s);
    return fd;
}

/* A TAP device takes a frame per write, whole or not at all: a write that
 * a signal interrupts (EINTR) took nothing and is made again. */
int mt_tap_write(int fd, const uint8_t *data, uint32_t len, int ethernet, uint16_t ethertype)
{
    ssize_t k;
    if (ethernet) {
        if (len < 14) {
            errno = EMSGSIZE;
            return -1;
        }
        do
            k = write(fd, data, len);
        while (k < 0 && errno == EINTR);
        return k == (ssize_t)len ? 0 : -1;
    }
    uint8_t eth[14] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
                       (uint8_t)(ethertype >> 8), (uint8_t)ethertype};
    struct iovec iov[2] = {{eth, sizeof eth}, {(void *)(uintptr_t)data, len}};
    do
        k = writev(fd, iov, 2);
    while (k < 0 && errno == EINTR);
    return k == (ssize_t)(sizeof eth + len) ? 0 : -1;
}

void mt_tap_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

#else /* not Linux */

int mt_tap_open(const char *name, char *err, size_t size)
{
    snprintf(err, size, "cannot create TAP device %s: TAP devices are only supported on Linux",
             name);
    errno = ENOTSUP;
    return -1;
}

int mt_tap_write(int fd, const uint8_t *data, uint32_t len, int ethernet, uint16_t ethertype)
{
    (void)fd, (void)data, (void)len, (void)ethernet, (void)ethertype;
    errno = ENOTSUP;
    return -1;
}

void mt_tap_close(int fd)
{
    (void)fd;
}

#endif
