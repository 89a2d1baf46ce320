/*
 * mt.h - code shared by the example tools (mirrordec, mirrordec-udp,
 * mirrordec-afpacket, mirrordec-tap, mirrordec-dpdk).
 *
 * The tools differ only in where frames come from.  Everything after the
 * decode call is here and is the same for all of them:
 *
 *   opts.c     command line -> struct mt_opts (ports, strict, depth,
 *              sessions, filters, outputs); one table of options, each
 *              marked with the tools that accept it
 *   app.c      builds the mdec_config, the filter, the session tables and
 *              --dedup windows (one per worker, in malloc'ed memory: the
 *              examples may allocate, the library may not) and runs each
 *              decoded packet through session table, --inner-bpf, --dedup
 *              and the outputs
 *   json.c     one JSON object per packet
 *   outputs.c  where packets go: one capture file or standard output (-w),
 *              per-session files (--split DIR), TAP devices
 *   pcapw.c    a minimal capture file writer (classic pcap or pcapng)
 *   pcapngw.c  the pcapng blocks
 *   stats.c    the session table on stderr and --stats-json; the health
 *              table with --report
 *   in_pcap.c  libpcap input (-r FILE, -i IFACE)
 *   in_udp.c   UDP sockets with recvmmsg
 *   probe.c    the load balancer's health-check listener (--health-port)
 *   util.c     messages, growable buffers, signals, files
 *
 * Exit codes of every tool: MT_EXIT_OK, MT_EXIT_RUNTIME, MT_EXIT_USAGE.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MT_H
#define MT_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mirrordec.h>

enum {
    MT_EXIT_OK = 0,      /* everything read and written                         */
    MT_EXIT_RUNTIME = 1, /* unreadable input, write error, capture failure      */
    MT_EXIT_USAGE = 2    /* bad option or option value, bad rule or filter file */
};

#if defined(__GNUC__)
#define MT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MT_PRINTF(a, b)
#endif

/* ------------------------------------------------------------------ util */

/* Name used in messages ("mirrordec-udp"); set by mt_opts_parse. */
extern const char *mt_prog;

/* "PROG: message\n" on stderr. */
void mt_msg(const char *fmt, ...) MT_PRINTF(1, 2);
void mt_vmsg(const char *fmt, va_list ap) MT_PRINTF(1, 0);

/* A growable byte buffer; aborts the program when memory runs out. */
struct mt_buf {
    char *p;
    size_t len, cap;
};
void mt_buf_reserve(struct mt_buf *b, size_t more);
void mt_buf_put(struct mt_buf *b, const void *data, size_t n);
void mt_buf_puts(struct mt_buf *b, const char *s);
void mt_buf_putc(struct mt_buf *b, char c);
void mt_buf_printf(struct mt_buf *b, const char *fmt, ...) MT_PRINTF(2, 3);
void mt_buf_free(struct mt_buf *b);

/* malloc/calloc that exit with a message when memory runs out. */
void *mt_xmalloc(size_t n);
void *mt_xcalloc(size_t n, size_t size);
void *mt_xaligned(size_t align, size_t n); /* zeroed */

/* Reads a whole file; on failure stores errno and returns NULL. */
char *mt_read_file(const char *path, size_t *len);

/* Set by SIGINT/SIGTERM (after mt_signals_install); polled by every loop. */
extern atomic_int mt_stop; /* lock-free, so a signal handler may set it */
/* SIGINT/SIGTERM received.  Every blocking call treats EINTR as "look at
 * mt_stop"; a write that stopping must finish is retried until a second
 * signal comes. */
extern atomic_int mt_signals;
/* Set by SIGHUP: the outputs reopen the files moved away (mt_outputs_tick). */
extern atomic_int mt_hup;
/* Installs the handlers (no SA_RESTART, so blocking calls return EINTR) and
 * ignores SIGPIPE; hook, when not NULL, is called from the handler.  SIGHUP
 * only sets mt_hup, with SA_RESTART: reads and writes go on. */
void mt_signals_install(void (*hook)(void));

/*
 * Worker threads that a second SIGINT/SIGTERM wakes from a blocked write
 * (--json to a reader that does not read).  mt_wake_install() gives SIGUSR1
 * an empty handler without SA_RESTART and makes mt_wake_workers() the
 * signal hook; from the second signal on it sends SIGUSR1 to every thread
 * registered with mt_wake_add(slot < MT_WAKE_MAX), whose write then fails
 * with EINTR and gives up, as a single-threaded tool does.  The main thread
 * calls mt_wake_workers() again while it waits for them, in case one was
 * about to block when the signal came; mt_wake_clear() once they are done.
 * Async-signal-safe: atomic flags and pthread_kill() only.
 */
#define MT_WAKE_MAX 128
void mt_wake_install(void);
void mt_wake_add(unsigned slot, pthread_t th);
void mt_wake_workers(void);
void mt_wake_clear(void);

/* Realtime clock in seconds since the epoch. */
double mt_now(void);

/* -------------------------------------------------------------- options */

enum mt_tool { MT_CLI = 1, MT_UDP = 2, MT_AFPACKET = 4, MT_TAP = 8, MT_DPDK = 16 };

struct mt_session_arg {
    const char *text; /* the option's argument, for messages */
    struct mdec_key key;
    char name[MDEC_NAME_MAX];
    struct mdec_prefix *allow;
    uint32_t n_allow;
};

struct mt_opts {
    enum mt_tool tool;
    const char *help; /* the tool's --help text */

    /* input */
    const char *read_file;   /* -r */
    const char *iface;       /* -i */
    const char **binds;      /* -b, mirrordec-udp and mirrordec-tap */
    size_t n_binds;
    uint32_t snaplen;
    int promisc;
    int progress;            /* -1 auto, 0 never, 1 always */
    uint64_t count;          /* -c: stop after this many frames; 0 never */
    unsigned batch;          /* recvmmsg batch */
    int rcvbuf;              /* receive buffer asked for; 0: MT_RCVBUF_DEFAULT */
    const char *health_port; /* --health-port [ADDR:]PORT, or NULL */
    unsigned stats_interval; /* --stats-interval SECONDS (UDP input), 0 never */
    unsigned workers;        /* mirrordec-afpacket */
    const char *fanout;      /* hash | lb | cpu | qm */
    unsigned ring_mb;
    int outgoing;
    unsigned port;           /* mirrordec-dpdk: the DPDK port id */
    unsigned rx_desc;        /* mirrordec-dpdk: descriptors per rx queue */
    unsigned idle_exit;      /* mirrordec-dpdk: stop after this many idle seconds; 0 never */

    /* decoding */
    struct mdec_config cfg; /* ports, --strict, --max-depth, --transport */

    /* sessions and filters */
    struct mt_session_arg *sessions;
    size_t n_sessions;
    uint32_t max_sessions;   /* sessions a table may learn (on top of --session) */
    struct mdec_prefix *learn_allow; /* --learn-from: learn only from these sources */
    uint32_t n_learn_allow;
    int learn;               /* unknown sessions are learned (no --session, or
                                --learn-from) */
    const char **filter_files;
    size_t n_filter_files;
    const char **aws_files;
    size_t n_aws_files;
    const char *aws_filter_id;
    const char *inner_bpf;

    /* flow identity and de-duplication */
    int dedup;                /* --dedup: duplicates are removed             */
    uint64_t dedup_window_ns; /* --dedup=WINDOW, default MT_DEDUP_WINDOW     */
    int dedup_per_session;    /* --dedup-scope session                       */
    uint32_t dedup_entries;   /* --dedup-entries, per worker                 */
    uint16_t cid_seed;        /* --community-id-seed                         */
    struct mdec_hash_key flow_key; /* --flow-hash-key (default all zero)    */

    /* outputs */
    int json;
    int quiet;
    const char *write_file;   /* -w FILE; "-": standard output */
    const char *write_dir;    /* --split DIR: a file per session */
    int format_pcap;          /* -F pcap: classic pcap rather than pcapng */
    uint64_t rotate_bytes;    /* -C MB: a new -w file past MB million bytes; 0 never */
    unsigned rotate_seconds;  /* -G: a new -w file every this many seconds of packet time */
    unsigned rotate_files;    /* -W: at most this many -w files kept (a ring) */
    const char *stats_json;
    const char *tap;          /* mirrordec-tap: device name or prefix */
    int tap_per_session;
    unsigned max_taps;        /* --max-taps; 0: from the open-file budget */
    unsigned max_open_files;  /* --max-open-files; 0: the default */
    int report;               /* --report: mirror health per session */
    uint32_t report_flows;    /* --report-flows: the tracker's flow slots */
};

/* Sessions a table learns unless --max-sessions says otherwise. */
#define MT_MAX_SESSIONS_DEFAULT 1024u
/* Flows a worker's tracker holds unless --report-flows says otherwise, and
 * how long a flow may stay silent before its slot is reused. */
#define MT_REPORT_FLOWS_DEFAULT 65536u
#define MT_REPORT_IDLE_S 300u
/* --dedup's window and entries per worker unless told otherwise. */
#define MT_DEDUP_WINDOW (10u * 1000000u)
#define MT_DEDUP_ENTRIES 65536u
/* Receive buffer each UDP socket asks for unless --rcvbuf says otherwise. */
#define MT_RCVBUF_DEFAULT (16 << 20)

/*
 * Parses the command line for tool.  Prints --help / --version and exits 0;
 * prints a message naming the option and exits MT_EXIT_USAGE on any error.
 */
void mt_opts_parse(struct mt_opts *o, enum mt_tool tool, const char *prog, const char *help,
                   int argc, char **argv);
void mt_opts_free(struct mt_opts *o);

/* Prints "PROG: message" and "Try 'PROG --help'." and exits MT_EXIT_USAGE. */
_Noreturn void mt_usage_error(const char *fmt, ...) MT_PRINTF(1, 2);

/* Parses one --session argument; 0, or -1 with a message in msg. */
int mt_session_parse(const char *text, struct mt_session_arg *s, char *msg, size_t size);

/* -------------------------------------------------------------- outputs */

/*
 * A capture file, classic pcap or pcapng, written whole records at a time
 * (pcapw.c; the pcapng blocks are built by pcapngw.c).  The file is
 * created, with its header, by the first mt_pcapw_resume(); records are
 * buffered and handed to write(2); a failed write leaves the file cut back
 * to its last whole record.  Counters say what the file holds.  The path
 * "-" is standard output.
 */
enum {
    MT_PCAPW_OK = 0,
    MT_PCAPW_ERROR = -1,  /* not written (a write error): counted in lost     */
    MT_PCAPW_RANGE = -2,  /* not written: a timestamp the format cannot hold; not counted */
    MT_PCAPW_CLOSED = -3  /* not written: the file is not open; not counted    */
};

struct mt_pcapw {
    int fd;            /* -1 while closed: not created yet, or suspended    */
    char *path;
    int linktype;      /* pcap: the file's; pcapng: the interface's of the header */
    int nano;
    int ng;            /* pcapng                                            */
    int to_stdout;     /* path "-": not ours to close, cannot be cut back   */
    char *ifname, *ifdesc; /* pcapng, one interface: its IDB is in the header */
    int created;       /* the file exists and has its header                */
    int broken;        /* a partial record could not be cut off: takes no more */
    int err, cut_err;  /* errno of the last failed write, of the failed cut  */
    uint8_t *buf;      /* whole records not written yet                     */
    size_t len;
    uint32_t buf_records, buf_idbs;
    uint32_t ifs, ifs_file; /* pcapng: interfaces given out; those in the file */
    uint64_t if_gen;   /* changes when the interface numbers given out are void */
    uint64_t dev, ino; /* the file created, to notice it was moved away     */
    uint64_t size;      /* bytes in the file: header and whole records      */
    uint64_t records;   /* records in the file (every file of this path)    */
    uint64_t lost;      /* records not written because a write failed       */
    uint64_t io_errors; /* failed writes (each may lose several records)    */
    uint64_t reopens;   /* times opened again in append mode                */
};

/* Sets w up for path (classic pcap); opens nothing. */
void mt_pcapw_init(struct mt_pcapw *w, const char *path, int linktype, int nano);
/* Makes w a pcapng file (nanosecond timestamps).  With ifname, the file has
 * one interface (number 0, of w's link type), described in its header;
 * without, interfaces are added by mt_pcapw_idb(). */
void mt_pcapw_set_ng(struct mt_pcapw *w, const char *ifname, const char *ifdesc);
/* Opens the file: the first time creates it (truncating) and writes the
 * header, later reopens it in append mode.  0, or -1 with errno. */
int mt_pcapw_resume(struct mt_pcapw *w);
/* pcapng: describes one more interface (an IDB, buffered); *ifid is its
 * number, valid while w->if_gen stays what it is now.  MT_PCAPW_*. */
int mt_pcapw_idb(struct mt_pcapw *w, int linktype, const char *name, const char *desc,
                 uint32_t *ifid);
/*
 * One record: cap bytes of data, orig_len wire (at least cap), the
 * timestamp at the file's resolution; pcapng also the interface and the
 * direction (enum mdec_direction).  Returns MT_PCAPW_*; a failure to write
 * earlier records on the way is counted in lost and io_errors.
 */
int mt_pcapw_write(struct mt_pcapw *w, uint32_t ifid, int dir, int64_t sec, uint32_t nsec,
                   const uint8_t *data, uint32_t cap, uint32_t wire);
/* Writes the buffered records; 0, or -1 (counted in lost and io_errors). */
int mt_pcapw_flush(struct mt_pcapw *w);
/* Flushes and closes the descriptor, keeping the counters; 0 or -1. */
int mt_pcapw_suspend(struct mt_pcapw *w);
/* 1 when the path no longer names the file created (moved or removed). */
int mt_pcapw_moved(const struct mt_pcapw *w);
/* Suspends; the next resume creates the file anew.  0 or -1. */
int mt_pcapw_restart(struct mt_pcapw *w);
/* mt_pcapw_suspend(), then frees the path. */
int mt_pcapw_close(struct mt_pcapw *w);

/* pcapng blocks (pcapngw.c), built at buf in the host's byte order.  The
 * SHB and an IDB take at most 1024 bytes; an EPB mt_pcapng_epb_len(cap).
 * mt_pcapng_block() reads a block's type and length at p (n bytes there):
 * 1 when a whole block is there. */
size_t mt_pcapng_shb(uint8_t *buf);
size_t mt_pcapng_idb(uint8_t *buf, int linktype, uint32_t snaplen, const char *name,
                     const char *desc);
uint32_t mt_pcapng_epb_len(uint32_t cap);
void mt_pcapng_epb(uint8_t *buf, uint32_t ifid, uint64_t ts_ns, const uint8_t *data, uint32_t cap,
                   uint32_t wire, int dir);
int mt_pcapng_block(const uint8_t *p, size_t n, uint32_t *type, uint32_t *len);

/* Turns a session name into a file name: [A-Za-z0-9._-], no leading dot. */
void mt_safe_name(const char *name, char *out, size_t size);

/*
 * The open-file budget: mt_fd_budget_get() raises the soft RLIMIT_NOFILE to
 * the hard limit, counts the descriptors open now, and leaves
 * MT_FD_RESERVE of the rest for what the tools open later (the
 * --stats-json file, sysctl files, libpcap).
 */
#define MT_FD_RESERVE 16u
struct mt_fd_budget {
    uint64_t limit;  /* the soft limit, after raising it                 */
    uint64_t was;    /* the soft limit before                            */
    uint64_t in_use; /* descriptors open when the budget was taken       */
    uint64_t avail;  /* limit - in_use - MT_FD_RESERVE, or 0             */
};
void mt_fd_budget_get(struct mt_fd_budget *b);

struct mt_out_entry; /* per-session outputs, shared by every worker */
struct mt_outputs;

struct mt_outputs *mt_outputs_new(const struct mt_opts *o, int nano);
/* The entry of a session (found by key, created on first use). */
struct mt_out_entry *mt_outputs_entry(struct mt_outputs *out, const struct mdec_session *s);
/* Writes the inner packet of an accepted packet to the session's outputs.
 * Never fails: what is not written is counted (mt_outputs_stats) and
 * reported once.  Returns 0. */
int mt_outputs_packet(struct mt_outputs *out, struct mt_out_entry *e, const struct mdec_result *r,
                      int dir, int64_t sec, uint32_t nsec);
/* After SIGHUP (mt_hup): every file moved away is created again at its
 * path.  Called by mt_outputs_packet and mt_app_flush; NULL is fine. */
void mt_outputs_tick(struct mt_outputs *out);
/* Writes out what the -w file holds in memory (live inputs, each quiet
 * moment: a reader of -w - sees packets as they come). */
void mt_outputs_flush(struct mt_outputs *out);
/* Writes out and closes every file (the counters stay for the summary); 0,
 * or -1 when any packet was not written. */
int mt_outputs_finish(struct mt_outputs *out);
/* Closes everything and frees out (NULL is fine). */
void mt_outputs_free(struct mt_outputs *out);
/* The entries of the --session sessions, in their order, before any packet:
 * their file names first, their TAP devices (per-session mode).  0, or -1
 * after a message when a device cannot be created or would exceed the cap. */
int mt_outputs_configured(struct mt_outputs *out);

/* What the outputs of one session hold. */
struct mt_out_session {
    uint64_t written;     /* records in its pcap files                       */
    uint64_t lost;        /* packets that should have been and were not      */
    const char *files[2]; /* its files' names (in the --split directory) */
    int n_files;
    const char *tap;      /* its TAP device, or NULL                         */
    int no_tap;           /* per-session mode, and it has no device          */
};
/* 0, or -1 when out has no entry for key (st zeroed). */
int mt_outputs_session(const struct mt_outputs *out, const struct mdec_key *key,
                       struct mt_out_session *st);

struct mt_out_stats {
    struct mt_fd_budget budget;
    unsigned files_max;     /* pcap files open at once, at most              */
    uint64_t files_created;
    uint64_t written;       /* records in the files                          */
    uint64_t lost_io;       /* records lost to write errors                  */
    uint64_t lost_open;     /* packets lost: the file could not be opened    */
    uint64_t lost_ts;       /* packets lost: timestamp beyond classic pcap   */
    uint64_t io_errors;
    uint64_t evictions;     /* files closed to stay within files_max         */
    uint64_t reopens;       /* files opened again in append mode             */
    unsigned tap_max;       /* per-session TAP devices at most               */
    unsigned tap_devices;   /* created                                       */
    unsigned tap_past_cap;  /* sessions that got none: past tap_max          */
    unsigned tap_failed;    /* sessions that got none: creation failed       */
    uint64_t tap_no_device; /* frames of those sessions                      */
    uint64_t tap_skipped;   /* frames a device refused                       */
    const char *stream_path; /* -w FILE, or NULL                             */
    uint64_t stream_files;   /* files created at that path (SIGHUP: more)    */
    uint64_t stream_written; /* records in them                              */
    uint64_t stream_lost;    /* packets that should have been and were not   */
    uint64_t stream_lost_link; /* -F pcap: of the link type the file has not */
    int stream_epipe;        /* -w -: the reader went away (not an error)    */
};
void mt_outputs_stats(const struct mt_outputs *out, struct mt_out_stats *st);

/* --------------------------------------------------------- the pipeline */

struct mt_bpf; /* --inner-bpf, compiled for Ethernet and for raw IP */

struct mt_app;

/* One worker: its own session table and counters. */
struct mt_worker {
    struct mt_app *app;
    unsigned id;
    void *table_mem;
    struct mdec_table *table;
    void *flows_mem;           /* --report: the flow tracker            */
    struct mdec_flows *flows;
    void *dedup_mem;
    struct mdec_dedup *dedup; /* --dedup: this worker's window, or NULL */
    struct mt_buf line; /* JSON line being built */
    uint64_t frames;
    uint64_t by_status[5];
    uint64_t bpf_rejected;
    uint64_t steered_in, steered_out; /* mirrordec-afpacket */
};

struct mt_app {
    const struct mt_opts *o;
    const struct mdec_config *cfg;
    struct mdec_filter *filter;
    void *filter_mem;
    struct mt_bpf *bpf;
    struct mt_outputs *out;
    struct mt_worker *workers;
    unsigned n_workers;
    int threaded;            /* several workers write stdout */
    int nano;                /* timestamps at nanosecond resolution */
    int live;                /* flush stdout after each batch */
    pthread_mutex_t out_lock;
    atomic_int failed;       /* a runtime error occurred: exit 1 */
    atomic_uint_fast64_t frames_total; /* frames received, all workers */
    char input_name[256];    /* for the summary: file, interface, UDP ports */
    int stats_err_said;      /* --stats-interval could not write: said once */
    int have_kernel_drops;   /* the input counts the kernel's drops: */
    uint64_t kernel_drops;   /* PACKET_STATISTICS, SO_RXQ_OVFL, pcap_stats */
    int rcvbuf;              /* UDP: receive buffer the kernel gave a socket */
    uint64_t inbox_dropped;  /* mirrordec-afpacket: a worker's inbox was full */
    struct mt_buf extra;     /* tool-specific lines for the summary */
    struct mt_buf extra_json; /* tool-specific members for --stats-json, each ",\"k\":v";
                                 the tool frees it after mt_app_finish */
    struct mt_buf obuf;      /* --json lines not written yet (under out_lock) */
    int stdout_failed;       /* standard output failed: no more lines */
    int ready;               /* mt_app_init succeeded: finish prints the summary */
};

/* What an input knows about one frame besides its bytes. */
struct mt_frame {
    uint64_t index; /* 1-based */
    int64_t sec;
    uint32_t nsec;
};

/*
 * Builds everything from the options for n_workers workers: filter, BPF,
 * session tables, output directory.  Returns 0, or an exit code after
 * printing why.
 */
int mt_app_init(struct mt_app *app, const struct mt_opts *o, unsigned n_workers, int nano);

/* Runs one decoded packet through session table, BPF and outputs. */
void mt_app_packet(struct mt_worker *w, const struct mt_frame *fr, const struct mdec_result *r);

/* The same for n decoded packets, through the table's burst call (m: room
 * for n matches); the outputs see them in order. */
#define MT_BURST 32 /* frames the inputs gather before decoding them together */
void mt_app_burst(struct mt_worker *w, const struct mt_frame *fr, const struct mdec_result *r,
                  size_t n, struct mdec_match *m);

/* The next frame index; sets mt_stop once -c is reached (0: stop now). */
uint64_t mt_app_next_index(struct mt_app *app);

/* Flushes stdout when live; reports a write error (sets failed). */
void mt_app_flush(struct mt_app *app);

/*
 * Closes outputs, prints the session table (unless -q), writes
 * --stats-json, frees everything.  rc is the input's exit code; returns the
 * program's.
 */
int mt_app_finish(struct mt_app *app, int rc);

/* --------------------------------------------------------------- pieces */

/* Appends the JSON object for one packet (no newline); o gives the
 * Community ID seed and the flow hash key. */
void mt_json_packet(struct mt_buf *b, const struct mt_frame *fr, const struct mdec_result *r,
                    const struct mdec_match *m, enum mdec_verdict verdict, int nano, int worker,
                    const struct mt_opts *o);
/* Appends s as a JSON string (quotes included); invalid UTF-8 -> U+FFFD. */
void mt_json_str(struct mt_buf *b, const char *s);
void mt_json_addr(struct mt_buf *b, const struct mdec_addr *a);

/* Compiles expr; NULL and a message on failure. */
struct mt_bpf *mt_bpf_compile(const char *expr);
/* 1 when the inner packet of r passes the program. */
int mt_bpf_match(const struct mt_bpf *bpf, const struct mdec_result *r);
void mt_bpf_free(struct mt_bpf *bpf);

/* Summary table on f, and the same as JSON into path. */
struct mt_stats;
struct mt_stats *mt_stats_collect(const struct mt_app *app);
void mt_stats_print(const struct mt_stats *s, const struct mt_app *app, FILE *f);
/* The --stats-json object into b (appended), one line ending in '\n'; with
 * time not NULL (ISO 8601) a "time" member follows "tool". */
void mt_stats_json(const struct mt_stats *s, const struct mt_app *app, const char *time,
                   struct mt_buf *b);
/* mt_stats_json() into path, replaced whole: written to path.tmp, then
 * renamed, so a reader never sees a partial file. */
int mt_stats_write_json(const struct mt_stats *s, const struct mt_app *app, const char *path);
void mt_stats_free(struct mt_stats *s);

/* ---------------------------------------------------------------- inputs */

/*
 * Inputs open before mt_app_init (so that an unreadable file or a port in
 * use is reported before anything is created), then run until the end of
 * the input, -c, SIGINT or SIGTERM, then close.  Each returns an exit code
 * after printing why it failed.
 */

/* -r FILE or -i IFACE through libpcap.  *nano: whether its timestamps
 * have nanosecond resolution (the pcap files written then do too). */
struct mt_pcap_in;
int mt_pcap_open(const struct mt_opts *o, struct mt_pcap_in **in, int *nano);
int mt_pcap_run(struct mt_app *app, struct mt_pcap_in *in);
void mt_pcap_close(struct mt_pcap_in *in);

/* UDP sockets, IPv4 and IPv6, on every configured tunnel port. */
struct mt_udp_in;
int mt_udp_open(const struct mt_opts *o, struct mt_udp_in **in);
int mt_udp_run(struct mt_app *app, struct mt_udp_in *in);
void mt_udp_close(struct mt_udp_in *in);

/*
 * The health-check listener of --health-port [ADDR:]PORT (probe.c): TCP
 * checks succeed on connect, HTTP checks get "200 OK".  mt_probe_open()
 * returns 0, or with a message -2 (spec is not [ADDR:]PORT) or -1 (the
 * listener cannot be opened); mt_probe_pollfds() fills
 * MT_PROBE_POLLFDS entries of pfd for the caller's poll(); after poll,
 * mt_probe_handle() serves what is ready and closes clients older than
 * MT_PROBE_TIMEOUT_MS (call it after every poll, ready or not).
 */
#define MT_PROBE_CLIENTS 32
#define MT_PROBE_POLLFDS (1 + MT_PROBE_CLIENTS)
#define MT_PROBE_TIMEOUT_MS 2000u
struct mt_probe;
struct mt_probe_stats {
    uint16_t port;
    uint64_t connections; /* accepted */
    uint64_t answered;    /* HTTP requests answered "200 OK" */
    uint64_t timeouts;    /* closed after MT_PROBE_TIMEOUT_MS without a word */
    uint64_t evicted;     /* closed to make room: MT_PROBE_CLIENTS were open */
};
int mt_probe_open(const char *spec, struct mt_probe **out, char *msg, size_t msize);
size_t mt_probe_pollfds(const struct mt_probe *p, struct pollfd *pfd);
void mt_probe_handle(struct mt_probe *p, const struct pollfd *pfd, size_t n);
void mt_probe_stats(const struct mt_probe *p, struct mt_probe_stats *st);
void mt_probe_close(struct mt_probe *p);

/* ------------------------------------------------------------------ main */

/*
 * The whole program for a single-threaded tool: options, input (libpcap
 * with -r or -i, UDP sockets otherwise), sessions, outputs, run, summary.
 * Returns the exit code.
 */
int mt_main(enum mt_tool tool, const char *prog, const char *help, int argc, char **argv);

#endif /* MT_H */
