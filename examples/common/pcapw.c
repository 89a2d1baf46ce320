/*
 * pcapw.c - a minimal writer of capture files, classic pcap or pcapng (the
 * blocks of pcapngw.c), that never leaves a partial record behind.
 *
 * Classic pcap.  File header: magic 0xa1b2c3d4 (microsecond timestamps) or 0xa1b23c4d
 * (nanosecond), version 2.4, snaplen 262144, the link type; written in the
 * host's byte order as libpcap does.  Each record: seconds, micro- or
 * nanoseconds, incl_len (bytes that follow, never more than were present),
 * orig_len (the packet's length when it was sent: the inner wire length,
 * which exceeds incl_len for truncated mirrors).
 *
 * pcapng.  The file starts with a Section Header Block, and for a file of
 * one session (--split) the Interface Description Block of its only
 * interface; a file of every session (-w FILE) gets each interface's IDB
 * from mt_pcapw_idb(), written in the buffer before the interface's first
 * packet.  A record is an Enhanced Packet Block.  When a write fails, IDBs
 * may be lost with the records: the interface numbers handed out since the
 * last whole block then become invalid (if_gen changes) and the caller
 * writes its IDBs again.
 *
 * Standard output ("-"): the descriptor is not ours to close, and a pipe
 * cannot be cut back: after a partial write it takes nothing more.
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
 * A new file in place of the old one (SIGHUP, after logrotate moved the file
 * away): mt_pcapw_moved() says whether the path still names the file being
 * written, mt_pcapw_restart() closes it so that the next resume creates the
 * file again, header and all.
 *
 * Timestamps: classic pcap holds unsigned 32-bit seconds, pcapng unsigned
 * 64-bit nanoseconds.  A record whose seconds are negative or beyond that is
 * not written (MT_PCAPW_RANGE): the caller counts it.
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
#define NG_EPB 6u
#define NG_IDB 1u
#define NG_SNAPLEN 262144u
#define NG_HDR_MAX 1024u /* an SHB, or an IDB (options cut at 256 bytes) */

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
        if (k < 0 && errno == EINTR && mt_signals < 2)
            continue; /* a second signal gives up on a reader that does not read */
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
    w->to_stdout = strcmp(path, "-") == 0;
}

void mt_pcapw_set_ng(struct mt_pcapw *w, const char *ifname, const char *ifdesc)
{
    w->ng = 1;
    w->nano = 1;
    if (ifname) {
        w->ifname = strdup(ifname);
        w->ifdesc = strdup(ifdesc ? ifdesc : "");
        if (!w->ifname || !w->ifdesc) {
            mt_msg("out of memory");
            exit(MT_EXIT_RUNTIME);
        }
    }
}

/* The file's header: pcap's, or the SHB and (one interface) its IDB. */
static size_t header(const struct mt_pcapw *w, uint8_t *buf)
{
    if (w->ng) {
        size_t n = mt_pcapng_shb(buf);
        if (w->ifname)
            n += mt_pcapng_idb(buf + n, w->linktype, NG_SNAPLEN, w->ifname, w->ifdesc);
        return n;
    }
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = {w->nano ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, 0, 0, PCAP_SNAPLEN,
             (uint32_t)w->linktype};
    _Static_assert(sizeof hdr == PCAP_HDR_LEN, "pcap file header is 24 bytes");
    memcpy(buf, &hdr, sizeof hdr);
    return sizeof hdr;
}

/* Creates (truncates) the file and writes its header. */
static int create(struct mt_pcapw *w)
{
    const int fd = w->to_stdout ? STDOUT_FILENO : open_fd(w->path, O_CREAT | O_TRUNC);
    if (fd < 0)
        return -1;
    uint8_t hdr[2 * NG_HDR_MAX];
    const size_t n = header(w, hdr);
    if (write_all(fd, hdr, n) != n) {
        /* Not even a header: leave no file that no reader would open. */
        const int e = errno;
        if (!w->to_stdout) {
            (void)unlink(w->path);
            close(fd);
        } else {
            w->broken = 1; /* a partial header may be out: nothing more */
            w->cut_err = e;
        }
        errno = e;
        return -1;
    }
    struct stat st;
    if (!w->to_stdout && fstat(fd, &st) == 0) {
        w->dev = (uint64_t)st.st_dev;
        w->ino = (uint64_t)st.st_ino;
    }
    w->fd = fd;
    w->created = 1;
    w->size = n;
    w->ifs = w->ifs_file = w->ifname ? 1u : 0u;
    w->if_gen++; /* a new section: no interface of the last one is known */
    return 0;
}

int mt_pcapw_resume(struct mt_pcapw *w)
{
    if (w->fd >= 0)
        return 0;
    if (w->broken && w->to_stdout) {
        errno = w->err ? w->err : EIO;
        return -1;
    }
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

/* Number of whole records (pcap records, or pcapng EPBs) in the first n
 * bytes of the buffer, their length, and the IDBs among them. */
static uint32_t whole_records(const struct mt_pcapw *w, const uint8_t *p, size_t n, size_t *len,
                              uint32_t *idbs)
{
    size_t at = 0;
    uint32_t k = 0;
    *idbs = 0;
    if (w->ng) {
        uint32_t type, blen;
        while (mt_pcapng_block(p + at, n - at, &type, &blen)) {
            at += blen;
            k += type == NG_EPB;
            *idbs += type == NG_IDB;
        }
        *len = at;
        return k;
    }
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

/* Writes p[0..n) holding k whole records (and idbs IDBs) at the end of the
 * file.  On a failure the file is cut back to its last whole record. */
static int put(struct mt_pcapw *w, const uint8_t *p, size_t n, uint32_t k, uint32_t idbs)
{
    if (n == 0)
        return 0;
    const size_t done = write_all(w->fd, p, n);
    if (done == n) {
        w->size += n;
        w->records += k;
        w->ifs_file += idbs;
        return 0;
    }
    const int e = errno;
    size_t whole;
    uint32_t idbs_kept;
    const uint32_t kept = whole_records(w, p, done, &whole, &idbs_kept);
    w->records += kept;
    w->lost += k - kept;
    w->err = e;
    w->io_errors++;
    w->ifs_file += idbs_kept;
    if (w->ifs != w->ifs_file) {
        /* IDBs were lost: the numbers given out for them mean nothing. */
        w->ifs = w->ifs_file;
        w->if_gen++;
    }
    if (whole != done) {
        int rc;
        if (w->to_stdout) {
            rc = -1;
            errno = ESPIPE;
        } else {
            do
                rc = ftruncate(w->fd, (off_t)(w->size + whole));
            while (rc != 0 && errno == EINTR);
        }
        if (rc != 0) {
            w->broken = 1; /* a partial record stays: take nothing more */
            w->cut_err = errno;
        }
    }
    if (w->to_stdout && e == EPIPE)
        w->broken = 1; /* the reader is gone: nothing more will go */
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
        rc = put(w, w->buf, w->len, w->buf_records, w->buf_idbs);
    }
    if (w->broken && w->ifs != w->ifs_file) {
        w->ifs = w->ifs_file;
        w->if_gen++;
    }
    w->len = 0;
    w->buf_records = 0;
    w->buf_idbs = 0;
    return rc;
}

/* Room for n more bytes in the buffer: flushes first when needed.  0, or -1
 * when the record must go straight out (larger than the buffer). */
static int room(struct mt_pcapw *w, size_t n)
{
    if (w->len + n > PCAPW_BUF)
        (void)mt_pcapw_flush(w); /* a failure loses (and counts) earlier records only */
    if (n > PCAPW_BUF)
        return -1;
    if (!w->buf)
        w->buf = mt_xmalloc(PCAPW_BUF);
    return 0;
}

int mt_pcapw_idb(struct mt_pcapw *w, int linktype, const char *name, const char *desc,
                 uint32_t *ifid)
{
    if (w->fd < 0)
        return MT_PCAPW_CLOSED;
    if (w->broken)
        return MT_PCAPW_ERROR;
    (void)room(w, NG_HDR_MAX);
    if (w->broken)
        return MT_PCAPW_ERROR;
    w->len += mt_pcapng_idb(w->buf + w->len, linktype, NG_SNAPLEN, name, desc);
    w->buf_idbs++;
    *ifid = w->ifs++;
    return MT_PCAPW_OK;
}

int mt_pcapw_write(struct mt_pcapw *w, uint32_t ifid, int dir, int64_t sec, uint32_t nsec,
                   const uint8_t *data, uint32_t cap, uint32_t wire)
{
    if (sec < 0 || (!w->ng && sec > (int64_t)UINT32_MAX) ||
        (w->ng && (uint64_t)sec > (UINT64_MAX - 999999999u) / 1000000000u))
        return MT_PCAPW_RANGE;
    if (w->fd < 0)
        return MT_PCAPW_CLOSED;
    if (cap > PCAP_SNAPLEN)
        cap = PCAP_SNAPLEN;
    if (wire < cap)
        wire = cap;
    const size_t n = w->ng ? mt_pcapng_epb_len(cap) : PCAP_REC_HDR + (size_t)cap;
    const int big = room(w, n) != 0;
    if (w->broken) {
        w->lost++;
        return MT_PCAPW_ERROR;
    }
    uint8_t *at = big ? mt_xmalloc(n) : w->buf + w->len;
    if (w->ng) {
        mt_pcapng_epb(at, ifid, (uint64_t)sec * 1000000000u + nsec, data, cap, wire, dir);
    } else {
        const uint32_t rec[4] = {(uint32_t)sec, w->nano ? nsec : nsec / 1000, cap, wire};
        memcpy(at, rec, sizeof rec);
        memcpy(at + sizeof rec, data, cap);
    }
    if (big) {
        /* Larger than the buffer (which is empty now): straight out. */
        const int rc = put(w, at, n, 1, 0);
        free(at);
        return rc == 0 ? MT_PCAPW_OK : MT_PCAPW_ERROR;
    }
    w->len += n;
    w->buf_records++;
    return MT_PCAPW_OK;
}

int mt_pcapw_suspend(struct mt_pcapw *w)
{
    if (w->fd < 0)
        return 0;
    int rc = mt_pcapw_flush(w);
    if (!w->to_stdout && close(w->fd) != 0 && errno != EINTR && rc == 0) {
        w->err = errno;
        w->io_errors++;
        rc = -1;
    }
    w->fd = -1;
    free(w->buf);
    w->buf = NULL;
    return rc;
}

int mt_pcapw_moved(const struct mt_pcapw *w)
{
    if (!w->created || w->to_stdout)
        return 0;
    struct stat st;
    if (stat(w->path, &st) != 0)
        return 1; /* removed, or renamed away */
    return (uint64_t)st.st_dev != w->dev || (uint64_t)st.st_ino != w->ino;
}

int mt_pcapw_restart(struct mt_pcapw *w)
{
    const int rc = mt_pcapw_suspend(w);
    w->created = 0;
    w->size = 0;
    w->broken = 0;
    w->ifs = w->ifs_file = 0;
    w->if_gen++;
    return rc;
}

int mt_pcapw_close(struct mt_pcapw *w)
{
    const int rc = mt_pcapw_suspend(w);
    free(w->path);
    free(w->ifname);
    free(w->ifdesc);
    w->path = w->ifname = w->ifdesc = NULL;
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
