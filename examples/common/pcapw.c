/*
 * pcapw.c - a minimal writer of classic pcap files that never leaves a
 * partial record behind.
 *
 * File header: magic 0xa1b2c3d4 (microsecond timestamps) or 0xa1b23c4d
 * (nanosecond), version 2.4, snaplen 262144, the link type; written in the
 * host's byte order as libpcap does.  Each record: seconds, micro- or
 * nanoseconds, incl_len (bytes that follow, never more than were present),
 * orig_len (the packet's length when it was sent: the inner wire length,
 * which exceeds incl_len for truncated mirrors).
 *
 * Whole records or nothing.  Records are collected in the writer's own
 * buffer and handed to write(2) (no stdio, whose buffer state after an
 * error is unspecified).  When a write fails (ENOSPC, EDQUOT, EIO, EFBIG),
 * the records that reached the file whole are counted as written, the file
 * is cut back (ftruncate) to the end of the last of them, and the others are
 * counted as lost; the next flush tries again, so the file resumes when
 * space comes back.  A file that cannot be cut back takes no more records
 * (a record after a partial one would be misread).  EINTR is retried: a
 * record is never left half written.
 *
 * Open files are a budget (outputs.c): mt_pcapw_suspend() writes the
 * buffer out and closes the descriptor, mt_pcapw_resume() opens the file
 * again in append mode; the file header is written once, at creation.
 *
 * Timestamps: classic pcap holds unsigned 32-bit seconds.  A record whose
 * seconds are negative or at least 2^32 is not written (MT_PCAPW_RANGE):
 * the caller counts it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAP_SNAPLEN 262144u
#define PCAP_HDR_LEN 24u
#define PCAP_REC_HDR 16u
#define PCAPW_BUF (32u << 10) /* per open file */

/* write(2) until done; EINTR retried.  Returns the bytes written (less than
 * n after an error, errno then set). */
static size_t write_all(int fd, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        const ssize_t k = write(fd, p + done, n - done);
        if (k > 0) {
            done += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0)
            errno = EIO; /* no progress and no error: do not spin */
        break;
    }
    return done;
}

static int open_fd(const char *path, int flags)
{
    int fd;
    do
        fd = open(path, flags | O_WRONLY | O_CLOEXEC, 0666);
    while (fd < 0 && errno == EINTR);
    return fd;
}

void mt_pcapw_init(struct mt_pcapw *w, const char *path, int linktype, int nano)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->path = strdup(path);
    if (!w->path) {
        mt_msg("out of memory");
        exit(MT_EXIT_RUNTIME);
    }
    w->linktype = linktype;
    w->nano = nano;
}

/* Creates (truncates) the file and writes its header. */
static int create(struct mt_pcapw *w)
{
    const int fd = open_fd(w->path, O_CREAT | O_TRUNC);
    if (fd < 0)
        return -1;
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = {w->nano ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, 0, 0, PCAP_SNAPLEN,
             (uint32_t)w->linktype};
    _Static_assert(sizeof hdr == PCAP_HDR_LEN, "pcap file header is 24 bytes");
    if (write_all(fd, (const uint8_t *)&hdr, sizeof hdr) != sizeof hdr) {
        /* Not even a header: leave no file that no reader would open. */
        const int e = errno;
        (void)unlink(w->path);
        close(fd);
        errno = e;
        return -1;
    }
    w->fd = fd;
    w->created = 1;
    w->size = PCAP_HDR_LEN;
    w->records = 0;
    return 0;
}

int mt_pcapw_resume(struct mt_pcapw *w)
{
    if (w->fd >= 0)
        return 0;
    if (!w->created)
        return create(w);
    const int fd = open_fd(w->path, O_APPEND);
    if (fd < 0) {
        if (errno != ENOENT)
            return -1;
        /* Someone removed the file meanwhile: start it again. */
        mt_msg("%s: the file was removed while in use; writing it again from its header",
               w->path);
        return create(w);
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size != w->size) {
        if ((uint64_t)st.st_size > w->size && ftruncate(fd, (off_t)w->size) == 0) {
            /* bytes beyond our last whole record: not ours, or a partial one */
        } else {
            mt_msg("%s: changed by someone else while closed (%lld bytes, expected %llu); "
                   "appending to it as it is",
                   w->path, (long long)st.st_size, (unsigned long long)w->size);
            w->size = (uint64_t)st.st_size;
        }
    }
    w->fd = fd;
    w->reopens++;
    return 0;
}

/* Number of whole records in the first n bytes of the buffer, and their
 * length. */
static uint32_t whole_records(const uint8_t *p, size_t n, size_t *len)
{
    size_t at = 0;
    uint32_t k = 0;
    while (at + PCAP_REC_HDR <= n) {
        uint32_t incl;
        memcpy(&incl, p + at + 8, 4);
        if (at + PCAP_REC_HDR + incl > n)
            break;
        at += PCAP_REC_HDR + incl;
        k++;
    }
    *len = at;
    return k;
}

/* Writes p[0..n) holding k whole records at the end of the file.  On a
 * failure the file is cut back to its last whole record. */
static int put(struct mt_pcapw *w, const uint8_t *p, size_t n, uint32_t k)
{
    if (n == 0)
        return 0;
    const size_t done = write_all(w->fd, p, n);
    if (done == n) {
        w->size += n;
        w->records += k;
        return 0;
    }
    const int e = errno;
    size_t whole;
    const uint32_t kept = whole_records(p, done, &whole);
    w->records += kept;
    w->lost += k - kept;
    w->err = e;
    w->io_errors++;
    if (whole != done) {
        int rc;
        do
            rc = ftruncate(w->fd, (off_t)(w->size + whole));
        while (rc != 0 && errno == EINTR);
        if (rc != 0) {
            w->broken = 1; /* a partial record stays: take nothing more */
            w->cut_err = errno;
        }
    }
    w->size += whole;
    errno = e;
    return -1;
}

int mt_pcapw_flush(struct mt_pcapw *w)
{
    if (w->fd < 0 || w->len == 0)
        return 0;
    int rc = 0;
    if (w->broken) {
        w->lost += w->buf_records;
        rc = -1;
    } else {
        rc = put(w, w->buf, w->len, w->buf_records);
    }
    w->len = 0;
    w->buf_records = 0;
    return rc;
}

int mt_pcapw_write(struct mt_pcapw *w, int64_t sec, uint32_t nsec, const uint8_t *data,
                   uint32_t cap, uint32_t wire)
{
    if (sec < 0 || sec > (int64_t)UINT32_MAX)
        return MT_PCAPW_RANGE;
    if (w->fd < 0)
        return MT_PCAPW_CLOSED;
    if (cap > PCAP_SNAPLEN)
        cap = PCAP_SNAPLEN;
    if (wire < cap)
        wire = cap;
    const uint32_t rec[4] = {(uint32_t)sec, w->nano ? nsec : nsec / 1000, cap, wire};
    const size_t n = sizeof rec + cap;
    if (w->len + n > PCAPW_BUF)
        (void)mt_pcapw_flush(w); /* a failure loses (and counts) earlier records only */
    if (w->broken) {
        w->lost++;
        return MT_PCAPW_ERROR;
    }
    if (n > PCAPW_BUF) {
        /* Larger than the buffer (which is empty now): straight out. */
        uint8_t *tmp = mt_xmalloc(n);
        memcpy(tmp, rec, sizeof rec);
        memcpy(tmp + sizeof rec, data, cap);
        const int rc = put(w, tmp, n, 1);
        free(tmp);
        return rc == 0 ? MT_PCAPW_OK : MT_PCAPW_ERROR;
    }
    if (!w->buf)
        w->buf = mt_xmalloc(PCAPW_BUF);
    memcpy(w->buf + w->len, rec, sizeof rec);
    memcpy(w->buf + w->len + sizeof rec, data, cap);
    w->len += n;
    w->buf_records++;
    return MT_PCAPW_OK;
}

int mt_pcapw_suspend(struct mt_pcapw *w)
{
    if (w->fd < 0)
        return 0;
    int rc = mt_pcapw_flush(w);
    if (close(w->fd) != 0 && errno != EINTR && rc == 0) {
        w->err = errno;
        w->io_errors++;
        rc = -1;
    }
    w->fd = -1;
    free(w->buf);
    w->buf = NULL;
    return rc;
}

int mt_pcapw_close(struct mt_pcapw *w)
{
    const int rc = mt_pcapw_suspend(w);
    free(w->path);
    w->path = NULL;
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
