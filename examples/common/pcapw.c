/*
 * pcapw.c - a minimal writer of classic pcap files.
 *
 * File header: magic 0xa1b2c3d4 (microsecond timestamps) or 0xa1b23c4d
 * (nanosecond), version 2.4, snaplen 262144, the link type; written in the
 * host's byte order as libpcap does.  Each record: seconds, micro- or
 * nanoseconds, incl_len (bytes that follow, never more than were present),
 * orig_len (the packet's length when it was sent: the inner wire length,
 * which exceeds incl_len for truncated mirrors).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_SNAPLEN 262144u

int mt_pcapw_open(struct mt_pcapw *w, const char *path, int linktype, int nano)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f)
        return -1;
    w->path = strdup(path);
    w->linktype = linktype;
    w->nano = nano;
    setvbuf(w->f, NULL, _IOFBF, 1u << 16);
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = {nano ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, 0, 0, PCAP_SNAPLEN, (uint32_t)linktype};
    _Static_assert(sizeof hdr == 24, "pcap file header is 24 bytes");
    errno = 0;
    if (fwrite(&hdr, 1, sizeof hdr, w->f) != sizeof hdr) {
        w->failed = 1;
        w->err = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

int mt_pcapw_write(struct mt_pcapw *w, int64_t sec, uint32_t nsec, const uint8_t *data,
                   uint32_t cap, uint32_t wire)
{
    if (w->failed)
        return -1;
    if (cap > PCAP_SNAPLEN)
        cap = PCAP_SNAPLEN;
    if (wire < cap)
        wire = cap;
    const uint32_t rec[4] = {(uint32_t)sec, w->nano ? nsec : nsec / 1000, cap, wire};
    errno = 0;
    if (fwrite(rec, 1, sizeof rec, w->f) != sizeof rec || fwrite(data, 1, cap, w->f) != cap) {
        w->failed = 1;
        w->err = errno ? errno : EIO;
        return -1;
    }
    w->packets++;
    return 0;
}

int mt_pcapw_close(struct mt_pcapw *w)
{
    int rc = 0;
    if (w->f) {
        errno = 0;
        if (fclose(w->f) != 0 && !w->failed) {
            w->failed = 1;
            w->err = errno ? errno : EIO;
        }
        w->f = NULL;
    }
    if (w->failed) {
        errno = w->err;
        rc = -1;
    }
    return rc;
}

void mt_safe_name(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < size; p++) {
        const char c = *p;
        const int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || (c == '.' && n > 0);
        out[n++] = ok ? c : '_';
    }
    if (n == 0 && size > 1) {
        /* nothing usable: a name that cannot be empty nor hidden */
        snprintf(out, size, "session");
        return;
    }
    out[n] = '\0';
}
