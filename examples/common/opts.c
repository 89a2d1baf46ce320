/*
 * opts.c - the command line of every tool.
 *
 * One table lists every option with the tools that take it, so the five
 * tools share their options' names, parsing and messages.  Errors name the
 * option, what it was given and what was expected, and exit with
 * MT_EXIT_USAGE before anything was opened or written.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mt.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    O_JSON = 256,
    O_STATS_JSON,
    O_VXLAN_PORT,
    O_GENEVE_PORT,
    O_GPE_PORT,
    O_MATCH_SRC_PORT,
    O_STRICT,
    O_MAX_DEPTH,
    O_TRANSPORT,
    O_SESSION,
    O_MAX_SESSIONS,
    O_FILTER,
    O_AWS_JSON,
    O_AWS_ID,
    O_INNER_BPF,
    O_SNAPLEN,
    O_NO_PROMISC,
    O_PROGRESS,
    O_NO_PROGRESS,
    O_BATCH,
    O_RCVBUF,
    O_HEALTH_PORT,
    O_STATS_INTERVAL,
    O_WORKERS,
    O_FANOUT,
    O_RING_MB,
    O_OUTGOING,
    O_TAP,
    O_TAP_PER_SESSION,
    O_LEARN_FROM,
    O_MAX_OPEN_FILES,
    O_MAX_TAPS,
    O_REPORT,
    O_REPORT_FLOWS,
    O_PORT,
    O_RX_DESC,
    O_IDLE_EXIT,
    O_DEDUP,
    O_DEDUP_SCOPE,
    O_DEDUP_ENTRIES,
    O_CID_SEED,
    O_FLOW_KEY,
    O_SPLIT
};

#define ALL (MT_CLI | MT_UDP | MT_AFPACKET | MT_TAP | MT_DPDK)

struct opt_def {
    const char *name;
    int has_arg;
    int key; /* the short option's letter, or O_* */
    unsigned tools;
};

static const struct opt_def defs[] = {
    {"help", no_argument, 'h', ALL},
    {"version", no_argument, 'V', ALL},
    {"read", required_argument, 'r', MT_CLI | MT_TAP},
    {"interface", required_argument, 'i', MT_CLI | MT_AFPACKET | MT_TAP},
    {"bind", required_argument, 'b', MT_UDP | MT_TAP},
    {"count", required_argument, 'c', ALL},
    {"snaplen", required_argument, O_SNAPLEN, MT_CLI | MT_TAP | MT_AFPACKET},
    {"no-promisc", no_argument, O_NO_PROMISC, MT_CLI | MT_TAP | MT_AFPACKET | MT_DPDK},
    {"progress", no_argument, O_PROGRESS, MT_CLI},
    {"no-progress", no_argument, O_NO_PROGRESS, MT_CLI},
    {"batch", required_argument, O_BATCH, MT_UDP | MT_TAP},
    {"rcvbuf", required_argument, O_RCVBUF, MT_UDP | MT_TAP},
    {"health-port", required_argument, O_HEALTH_PORT, MT_UDP | MT_TAP},
    {"stats-interval", required_argument, O_STATS_INTERVAL, MT_UDP | MT_TAP},
    {"workers", required_argument, O_WORKERS, MT_AFPACKET},
    {"fanout", required_argument, O_FANOUT, MT_AFPACKET},
    {"ring-mb", required_argument, O_RING_MB, MT_AFPACKET},
    {"outgoing", no_argument, O_OUTGOING, MT_AFPACKET},
    {"port", required_argument, O_PORT, MT_DPDK},
    {"rx-desc", required_argument, O_RX_DESC, MT_DPDK},
    {"idle-exit", required_argument, O_IDLE_EXIT, MT_DPDK},
    {"vxlan-port", required_argument, O_VXLAN_PORT, ALL},
    {"geneve-port", required_argument, O_GENEVE_PORT, ALL},
    {"gpe-port", required_argument, O_GPE_PORT, ALL},
    {"match-src-port", no_argument, O_MATCH_SRC_PORT, ALL},
    {"strict", no_argument, O_STRICT, ALL},
    {"max-depth", required_argument, O_MAX_DEPTH, ALL},
    {"transport", required_argument, O_TRANSPORT, ALL},
    {"session", required_argument, O_SESSION, ALL},
    {"max-sessions", required_argument, O_MAX_SESSIONS, ALL},
    {"filter", required_argument, O_FILTER, ALL},
    {"aws-filter-json", required_argument, O_AWS_JSON, ALL},
    {"aws-filter-id", required_argument, O_AWS_ID, ALL},
    {"inner-bpf", required_argument, O_INNER_BPF, ALL},
    {"json", no_argument, O_JSON, ALL},
    {"write", required_argument, 'w', ALL},
    {"split", required_argument, O_SPLIT, ALL},
    {"format", required_argument, 'F', ALL},
    {"file-size", required_argument, 'C', ALL},
    {"rotate-seconds", required_argument, 'G', ALL},
    {"file-count", required_argument, 'W', ALL},
    {"stats-json", required_argument, O_STATS_JSON, ALL},
    {"quiet", no_argument, 'q', ALL},
    {"tap", required_argument, O_TAP, MT_TAP},
    {"tap-per-session", no_argument, O_TAP_PER_SESSION, MT_TAP},
    {"learn-from", required_argument, O_LEARN_FROM, ALL},
    {"max-open-files", required_argument, O_MAX_OPEN_FILES, ALL},
    {"max-taps", required_argument, O_MAX_TAPS, MT_TAP},
    {"report", no_argument, O_REPORT, ALL},
    {"report-flows", required_argument, O_REPORT_FLOWS, ALL},
    {"dedup", optional_argument, O_DEDUP, ALL},
    {"dedup-scope", required_argument, O_DEDUP_SCOPE, ALL},
    {"dedup-entries", required_argument, O_DEDUP_ENTRIES, ALL},
    {"community-id-seed", required_argument, O_CID_SEED, ALL},
    {"flow-hash-key", required_argument, O_FLOW_KEY, ALL},
};
#define N_DEFS (sizeof defs / sizeof defs[0])

_Noreturn void mt_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mt_vmsg(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for the options.\n", mt_prog);
    exit(MT_EXIT_USAGE);
}

static const struct opt_def *def_of(int key)
{
    for (size_t i = 0; i < N_DEFS; i++)
        if (defs[i].key == key)
            return &defs[i];
    return NULL;
}

/* "--name" or "-x" for messages. */
static const char *opt_label(int key)
{
    static char label[40];
    const struct opt_def *d = def_of(key);
    if (!d)
        return "?";
    snprintf(label, sizeof label, "--%s", d->name);
    return label;
}

static uint64_t parse_number(int key, const char *arg, uint64_t lo, uint64_t hi)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end || errno || v < lo || v > hi)
        mt_usage_error("%s '%s': expected a whole number from %llu to %llu", opt_label(key), arg,
                       (unsigned long long)lo, (unsigned long long)hi);
    return (uint64_t)v;
}

static void push(const char ***list, size_t *n, const char *s)
{
    const char **p = realloc((void *)*list, (*n + 1) * sizeof *p);
    if (!p)
        mt_usage_error("out of memory");
    p[(*n)++] = s;
    *list = p;
}

static void set_port(struct mt_opts *o, int key, const char *arg, unsigned *given)
{
    enum mdec_tunnel_type type = key == O_VXLAN_PORT    ? MDEC_TUNNEL_VXLAN
                                 : key == O_GENEVE_PORT ? MDEC_TUNNEL_GENEVE
                                                        : MDEC_TUNNEL_VXLAN_GPE;
    uint16_t port = (uint16_t)parse_number(key, arg, 1, 65535);
    if (!(*given & (1u << type))) {
        /* The first port of a type replaces that type's default ports. */
        *given |= 1u << type;
        for (int i = o->cfg.n_ports - 1; i >= 0; i--)
            if (o->cfg.ports[i].type == type)
                (void)mdec_config_set_port(&o->cfg, o->cfg.ports[i].port, MDEC_TUNNEL_NONE);
    }
    if (mdec_config_set_port(&o->cfg, port, type) != 0)
        mt_usage_error("%s '%s': too many ports (at most %d in all)", opt_label(key), arg,
                       MDEC_MAX_PORTS);
}

/* ------------------------------------------------------------- --session */

static const char *const kind_words[] = {"vxlan", "vxlan-gpe", "geneve", "erspan", "gre",
                                         "gwlb"};

/* Length of the key at the start of text: KIND:ID when text starts with a
 * kind name and a colon, else up to the first colon. */
static size_t key_length(const char *text)
{
    const char *colon = strchr(text, ':');
    if (!colon)
        return strlen(text);
    size_t kl = (size_t)(colon - text);
    for (size_t i = 0; i < sizeof kind_words / sizeof kind_words[0]; i++) {
        if (strlen(kind_words[i]) == kl && strncasecmp(text, kind_words[i], kl) == 0) {
            const char *second = strchr(colon + 1, ':');
            return second ? (size_t)(second - text) : strlen(text);
        }
    }
    return kl;
}

/*
 * A comma list of addresses and prefixes, p pointing into text (for the
 * columns of messages).  0 with *list malloc'ed, or -1 with a message.
 */
static int parse_prefixes(const char *text, const char *p, struct mdec_prefix **list,
                          uint32_t *count, char *msg, size_t size)
{
    struct mdec_parse_error pe;
    *list = NULL;
    *count = 0;
    if (!*p) {
        snprintf(msg, size, "empty source list at column %zu: expected addresses or prefixes",
                 (size_t)(p - text) + 1);
        return -1;
    }
    size_t n = 1;
    for (const char *q = p; *q; q++)
        n += *q == ',';
    struct mdec_prefix *a = mt_xcalloc(n, sizeof *a);
    uint32_t k = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (mdec_prefix_parse(p, len, &a[k], &pe) != 0) {
            snprintf(msg, size, "'%.*s' at column %zu is not an address or prefix: %s", (int)len,
                     p, (size_t)(p - text) + 1, pe.message);
            free(a);
            return -1;
        }
        k++;
        p += len;
        if (*p == ',') {
            p++;
            if (!*p) {
                snprintf(msg, size, "trailing ',' at column %zu: expected another address",
                         (size_t)(p - text));
                free(a);
                return -1;
            }
        }
    }
    *list = a;
    *count = k;
    return 0;
}

int mt_session_parse(const char *text, struct mt_session_arg *s, char *msg, size_t size)
{
    memset(s, 0, sizeof *s);
    s->text = text;
    struct mdec_parse_error pe;
    const size_t klen = key_length(text);
    if (mdec_key_parse(text, klen, &s->key, &pe) != 0) {
        snprintf(msg, size, "'%.*s' is not a session key: %s (column %u)",
                 (int)klen, text, pe.message, pe.column);
        return -1;
    }
    const char *name = text[klen] == ':' ? text + klen + 1 : NULL;
    const char *name_end = name ? strchr(name, ':') : NULL;
    size_t nlen = name ? (name_end ? (size_t)(name_end - name) : strlen(name)) : 0;
    if (nlen >= MDEC_NAME_MAX) {
        snprintf(msg, size, "name '%.*s' at column %zu is longer than %d bytes", (int)nlen, name,
                 klen + 2, MDEC_NAME_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < nlen; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            snprintf(msg, size, "name at column %zu holds a control character", klen + 2);
            return -1;
        }
    }
    if (nlen)
        memcpy(s->name, name, nlen);
    else
        (void)mdec_key_format(&s->key, s->name, sizeof s->name);
    if (!name_end)
        return 0;

    /* ALLOWED_SOURCES: a comma list of addresses and prefixes. */
    const char *p = name_end + 1;
    if (!*p) {
        snprintf(msg, size, "empty source list at column %zu: expected addresses or prefixes "
                 "after the second ':'", (size_t)(p - text) + 1);
        return -1;
    }
    if (parse_prefixes(text, p, &s->allow, &s->n_allow, msg, size) != 0)
        return -1;
    if (s->n_allow > MDEC_SESSION_ALLOW) {
        snprintf(msg, size, "%u sources at column %zu: a session allows at most %d addresses "
                 "or prefixes (use a shorter prefix that covers them)", s->n_allow,
                 (size_t)(p - text) + 1, MDEC_SESSION_ALLOW);
        free(s->allow);
        s->allow = NULL;
        s->n_allow = 0;
        return -1;
    }
    return 0;
}

static void add_session(struct mt_opts *o, const char *arg)
{
    struct mt_session_arg s;
    char msg[400];
    if (mt_session_parse(arg, &s, msg, sizeof msg) != 0)
        mt_usage_error("--session '%s': %s", arg, msg);
    for (size_t i = 0; i < o->n_sessions; i++) {
        const struct mt_session_arg *t = &o->sessions[i];
        char kt[32];
        (void)mdec_key_format(&s.key, kt, sizeof kt);
        if (t->key.kind == s.key.kind && t->key.has_id == s.key.has_id && t->key.id == s.key.id)
            mt_usage_error("--session '%s': session %s was already given by --session '%s'",
                           arg, kt, t->text);
        if (strcmp(t->name, s.name) == 0)
            mt_usage_error("--session '%s': the name '%s' was already given by --session '%s'",
                           arg, s.name, t->text);
    }
    struct mt_session_arg *p = realloc(o->sessions, (o->n_sessions + 1) * sizeof *p);
    if (!p)
        mt_usage_error("out of memory");
    p[o->n_sessions++] = s;
    o->sessions = p;
}

/* ----------------------------------------------------------- --transport */

static const char *const tunnel_words[] = {"vxlan", "vxlan-gpe", "geneve", "erspan", "gre"};

static void add_transport(struct mt_opts *o, const char *arg)
{
    const char *colon = strchr(arg, ':');
    const size_t tl = colon ? (size_t)(colon - arg) : strlen(arg);
    int type = 0;
    for (size_t i = 0; i < sizeof tunnel_words / sizeof tunnel_words[0]; i++)
        if (strlen(tunnel_words[i]) == tl && strncasecmp(arg, tunnel_words[i], tl) == 0)
            type = (int)i + 1; /* MDEC_TUNNEL_VXLAN .. MDEC_TUNNEL_GRE */
    if (!type)
        mt_usage_error("--transport '%s': '%.*s' is not a tunnel type: expected vxlan, "
                       "vxlan-gpe, geneve, erspan or gre", arg, (int)tl, arg);
    if (!colon)
        mt_usage_error("--transport '%s': expected TYPE:SOURCES, the addresses or prefixes the "
                       "transport is trusted from (e.g. geneve:10.9.0.0/16)", arg);
    struct mdec_prefix *from;
    uint32_t n;
    char msg[300];
    if (parse_prefixes(arg, colon + 1, &from, &n, msg, sizeof msg) != 0)
        mt_usage_error("--transport '%s': %s", arg, msg);
    if (n > MDEC_TRANSPORT_PREFIXES)
        mt_usage_error("--transport '%s': %u sources, at most %d per transport", arg, n,
                       MDEC_TRANSPORT_PREFIXES);
    const int rc = mdec_config_add_transport(&o->cfg, (enum mdec_tunnel_type)type, from, n);
    free(from);
    if (rc == MDEC_E_NOSPACE)
        mt_usage_error("--transport '%s': at most %d transports", arg, MDEC_MAX_TRANSPORTS);
    if (rc != 0)
        mt_usage_error("--transport '%s': %s", arg, mdec_strerror(rc));
}

/* --learn-from: appends to the list (repeatable). */
static void add_learn_from(struct mt_opts *o, const char *arg)
{
    struct mdec_prefix *list;
    uint32_t n;
    char msg[400];
    if (parse_prefixes(arg, arg, &list, &n, msg, sizeof msg) != 0)
        mt_usage_error("--learn-from '%s': %s", arg, msg);
    struct mdec_prefix *p = realloc(o->learn_allow, (o->n_learn_allow + n) * sizeof *p);
    if (!p)
        mt_usage_error("out of memory");
    memcpy(p + o->n_learn_allow, list, n * sizeof *p);
    o->learn_allow = p;
    o->n_learn_allow += n;
    free(list);
    if (o->n_learn_allow > MDEC_SESSION_ALLOW)
        mt_usage_error("--learn-from '%s': %u prefixes in all, at most %d (use shorter "
                       "prefixes that cover them)", arg, o->n_learn_allow, MDEC_SESSION_ALLOW);
}

/* ----------------------------------------------- --dedup, --flow-hash-key */

/* "10ms", "500us", "2s", "250000ns", or a bare number of milliseconds;
 * 1 ns to 1 hour. */
static uint64_t parse_window(const char *arg)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(arg, &end, 10);
    uint64_t unit = 1000000;
    if (strcmp(end, "ns") == 0)
        unit = 1;
    else if (strcmp(end, "us") == 0)
        unit = 1000;
    else if (strcmp(end, "s") == 0)
        unit = 1000000000;
    else if (*end && strcmp(end, "ms") != 0)
        unit = 0;
    const uint64_t hour = 3600ull * 1000000000ull;
    if (arg[0] < '0' || arg[0] > '9' || errno || unit == 0 || v == 0 || v > hour / unit)
        mt_usage_error("--dedup=%s: expected a time window from 1ns to 1 hour: a number and "
                       "ns, us, ms or s (a bare number is milliseconds), e.g. --dedup=10ms",
                       arg);
    return (uint64_t)v * unit;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static void parse_flow_key(struct mt_opts *o, const char *arg)
{
    const size_t n = strlen(arg);
    for (size_t i = 0; i < n; i++)
        if (hexval(arg[i]) < 0)
            mt_usage_error("--flow-hash-key '%s': '%c' at column %zu is not a hex digit", arg,
                           arg[i], i + 1);
    if (n != 32)
        mt_usage_error("--flow-hash-key '%s': expected 32 hex digits (128 bits), got %zu", arg,
                       n);
    for (size_t i = 0; i < 16; i++)
        o->flow_key.bytes[i] = (uint8_t)(hexval(arg[2 * i]) << 4 | hexval(arg[2 * i + 1]));
}

/* -------------------------------------------------------------- parsing */

/* The options every tool shares, after the tool's own part of --help. */
static const char help_common[] =
    "Decoding:\n"
    "      --vxlan-port N     decode UDP port N as VXLAN (repeatable; the first one\n"
    "                         replaces the defaults: 4789 and 8472, or 4789 for the\n"
    "                         UDP receivers)\n"
    "      --geneve-port N    the same for GENEVE (default 6081)\n"
    "      --gpe-port N       the same for VXLAN-GPE (default 4790; none for the UDP\n"
    "                         receivers)\n"
    "      --match-src-port   also recognise tunnels by the UDP source port\n"
    "      --strict           reserved bits set make a packet malformed\n"
    "      --max-depth N      tunnels peeled from one frame, 1..8 (default 4)\n"
    "\n"
    "Sessions and filters:\n"
    "      --session KEY[:NAME[:SOURCES]]\n"
    "                         a mirror session (repeatable).  KEY is a VXLAN VNI (101)\n"
    "                         or KIND:ID with KIND vxlan, vxlan-gpe, geneve, gwlb,\n"
    "                         erspan, gre (geneve:5, gwlb:0x0000000a1b2c3d4e,\n"
    "                         erspan:42), or none (frames without a tunnel).  SOURCES\n"
    "                         is a comma list of the outer source addresses and\n"
    "                         prefixes allowed to send it; packets from others are\n"
    "                         'forged'.  With --session, packets of other sessions\n"
    "                         are dropped and counted; without, every session is\n"
    "                         learned as it appears.\n"
    "      --transport TYPE:SOURCES\n"
    "                         trust tunnels of TYPE (vxlan, vxlan-gpe, geneve,\n"
    "                         erspan, gre) from SOURCES (a comma list of addresses\n"
    "                         and prefixes) as a transport: the tunnel inside one\n"
    "                         is peeled too, and it names the session (repeatable;\n"
    "                         e.g. geneve:10.9.0.0/16 for mirroring behind a\n"
    "                         Gateway Load Balancer).  Otherwise only the\n"
    "                         outermost tunnel is peeled and names the session.\n"
    "      --max-sessions N   sessions a table may learn, on top of those of\n"
    "                         --session (default 1024); packets of further new\n"
    "                         sessions are dropped and counted\n"
    "      --learn-from PREFIX[,PREFIX...]\n"
    "                         learn sessions only from these outer sources\n"
    "                         (repeatable); with --session, learn the other\n"
    "                         sessions too.  Packets of new sessions from other\n"
    "                         sources are dropped and counted\n"
    "      --filter FILE      AWS Traffic Mirror filter rules in the text syntax,\n"
    "                         applied to every session (repeatable)\n"
    "      --aws-filter-json FILE\n"
    "                         the same from the JSON of 'aws ec2\n"
    "                         describe-traffic-mirror-filters'\n"
    "      --aws-filter-id ID the filter of that JSON to use, when it holds several\n"
    "      --inner-bpf EXPR   a tcpdump expression the inner packet must match;\n"
    "                         packets it refuses are 'reject'\n"
    "\n";

/* The rest (one string literal may hold at most 4095 bytes in C99). */
static const char help_common2[] =
    "Duplicates and flow identity:\n"
    "      --dedup[=WINDOW]   remove the second copy of a mirrored packet seen\n"
    "                         within WINDOW (default 10ms; ns, us, ms, s) from\n"
    "                         another mirror point: verdict 'duplicate', not\n"
    "                         written.  Across all sessions unless\n"
    "      --dedup-scope all|session\n"
    "                         says copies are only looked for within a session\n"
    "      --dedup-entries N  packets the window remembers, per worker (default\n"
    "                         65536; size it for twice the packets of a window)\n"
    "      --community-id-seed N\n"
    "                         seed of the Community ID in --json (default 0)\n"
    "      --flow-hash-key HEX\n"
    "                         the 128-bit key (32 hex digits) of the symmetric\n"
    "                         flow hash: --json's flow_hash and how\n"
    "                         mirrordec-afpacket spreads flows (default all zero)\n"
    "\n"
    "Output:\n"
    "      --json             one JSON object per packet on standard output\n"
    "  -w, --write FILE       the inner packets of accepted packets, every session,\n"
    "                         to FILE (pcapng: one interface per session); - is\n"
    "                         standard output.  SIGHUP: files moved away are\n"
    "                         created again (logrotate)\n"
    "      --split DIR        the same, one file per session in DIR (created if\n"
    "                         missing); may be given with -w\n"
    "  -F, --format pcapng|pcap\n"
    "                         the format of -w and --split (default pcapng)\n"
    "      --max-open-files N --split files kept open at once (default 1024, and what\n"
    "                         the open-file limit allows); others are closed and\n"
    "                         reopened as their sessions write\n"
    "      --stats-json FILE  the per-session summary as JSON\n"
    "  -q, --quiet            no summary table on standard error\n"
    "  -c, --count N          stop after N frames\n"
    "  -h, --help             this help;  -V, --version  the version\n";

/* Printed after help_common2 (one string would pass the 4095 characters C
 * promises to support). */
static const char help_tail[] =
    "\n"
    "Rotation of -w FILE (as tcpdump's):\n"
    "  -C, --file-size MB     a new file once the file passes MB million bytes:\n"
    "                         FILE, FILE1, FILE2 ...\n"
    "  -G, --rotate-seconds N a new file every N seconds of packet time; FILE may\n"
    "                         hold strftime() patterns (local time), e.g.\n"
    "                         out-%Y%m%d-%H%M%S.pcapng\n"
    "  -W, --file-count N     with -C or -G: keep N files at most (FILE0 ...\n"
    "                         FILE<N-1> in a ring; with -G patterns, the oldest\n"
    "                         is removed)\n"
    "\n"
    "Mirror health:\n"
    "      --report           mirror health per session in the summary and the\n"
    "                         --stats-json file: estimated capture loss (TCP ACKs\n"
    "                         of bytes never seen) and the share of payload an IDS\n"
    "                         can inspect, encrypted, cut by the mirror or capture\n"
    "      --report-flows N   flows --report tracks at once (default 65536 per\n"
    "                         worker; the idlest give way to new ones)\n";
static const char help_exit[] =
    "\n"
    "Exit status: 0 success (also after SIGINT or SIGTERM, once every file is\n"
    "flushed), 1 runtime error (unreadable input, write error, capture failure),\n"
    "2 usage error (bad option or value, bad rule file).  See mirrordec(1).\n";

static void print_version(void)
{
    printf("%s (mirrordec %s, %s)\n", mt_prog, mdec_version(), "example tool");
}

void mt_opts_parse(struct mt_opts *o, enum mt_tool tool, const char *prog, const char *help,
                   int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    mt_prog = prog;
    o->tool = tool;
    o->help = help;
    o->snaplen = 262144;
    o->promisc = 1;
    o->progress = -1;
    o->batch = 64;
    o->workers = 1;
    o->fanout = "hash";
    o->ring_mb = 8;
    o->rx_desc = 1024;
    o->max_sessions = MT_MAX_SESSIONS_DEFAULT;
    mdec_config_init(&o->cfg);

    struct option longs[N_DEFS + 1];
    char shorts[64];
    size_t nl = 0, ns = 0;
    shorts[ns++] = ':'; /* report a missing argument as ':' */
    for (size_t i = 0; i < N_DEFS; i++) {
        if (!(defs[i].tools & tool))
            continue;
        longs[nl].name = defs[i].name;
        longs[nl].has_arg = defs[i].has_arg;
        longs[nl].flag = NULL;
        longs[nl].val = defs[i].key;
        nl++;
        if (defs[i].key < 256) {
            shorts[ns++] = (char)defs[i].key;
            if (defs[i].has_arg)
                shorts[ns++] = ':';
        }
    }
    memset(&longs[nl], 0, sizeof longs[nl]);
    shorts[ns] = '\0';

    o->dedup_window_ns = MT_DEDUP_WINDOW;
    o->dedup_entries = MT_DEDUP_ENTRIES;

    unsigned ports_given = 0, dedup_opts = 0;
    int format_given = 0;
    /* mirrordec-dpdk gets only what comes before "--" here. */
    static const char eal_hint[] = " (DPDK's EAL arguments go after '--')";
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            fputs(help_common, stdout);
            fputs(help_common2, stdout);
            fputs(help_tail, stdout);
            fputs(help_exit, stdout);
            exit(MT_EXIT_OK);
        case 'V':
            print_version();
            exit(MT_EXIT_OK);
        case 'r':
            o->read_file = optarg;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'b':
            push(&o->binds, &o->n_binds, optarg);
            break;
        case 'c':
            o->count = parse_number(c, optarg, 1, UINT64_MAX);
            break;
        case 'w':
            if (!*optarg)
                mt_usage_error("-w '': expected a file name, or - for standard output");
            o->write_file = optarg;
            break;
        case O_SPLIT:
            if (!*optarg || strcmp(optarg, "-") == 0)
                mt_usage_error("--split '%s': expected a directory (one file per session is "
                               "written there)", optarg);
            o->write_dir = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "pcap") && strcmp(optarg, "pcapng"))
                mt_usage_error("-F '%s': expected pcap or pcapng (the default)", optarg);
            o->format_pcap = strcmp(optarg, "pcap") == 0;
            format_given = 1;
            break;
        case 'C':
            o->rotate_bytes = parse_number(c, optarg, 1, 1000000);
            break;
        case 'G':
            o->rotate_seconds = (unsigned)parse_number(c, optarg, 1, 100u * 365 * 86400);
            break;
        case 'W':
            o->rotate_files = (unsigned)parse_number(c, optarg, 1, 100000);
            break;
        case 'q':
            o->quiet = 1;
            break;
        case O_SNAPLEN:
            o->snaplen = (uint32_t)parse_number(c, optarg, 64, 262144);
            break;
        case O_NO_PROMISC:
            o->promisc = 0;
            break;
        case O_PROGRESS:
            o->progress = 1;
            break;
        case O_NO_PROGRESS:
            o->progress = 0;
            break;
        case O_BATCH:
            o->batch = (unsigned)parse_number(c, optarg, 1, 1024);
            break;
        case O_RCVBUF:
            o->rcvbuf = (int)parse_number(c, optarg, 4096, 1u << 30);
            break;
        case O_HEALTH_PORT:
            o->health_port = optarg;
            break;
        case O_STATS_INTERVAL:
            o->stats_interval = (unsigned)parse_number(c, optarg, 1, 86400);
            break;
        case O_WORKERS:
            o->workers = (unsigned)parse_number(c, optarg, 1, 64);
            break;
        case O_FANOUT:
            if (strcmp(optarg, "hash") && strcmp(optarg, "lb") && strcmp(optarg, "cpu") &&
                strcmp(optarg, "qm"))
                mt_usage_error("--fanout '%s': expected hash, lb, cpu or qm", optarg);
            o->fanout = optarg;
            break;
        case O_RING_MB:
            o->ring_mb = (unsigned)parse_number(c, optarg, 1, 1024);
            break;
        case O_OUTGOING:
            o->outgoing = 1;
            break;
        case O_PORT:
            o->port = (unsigned)parse_number(c, optarg, 0, 65535);
            break;
        case O_RX_DESC:
            o->rx_desc = (unsigned)parse_number(c, optarg, 32, 65535);
            break;
        case O_IDLE_EXIT:
            o->idle_exit = (unsigned)parse_number(c, optarg, 1, 86400);
            break;
        case O_VXLAN_PORT:
        case O_GENEVE_PORT:
        case O_GPE_PORT:
            set_port(o, c, optarg, &ports_given);
            break;
        case O_MATCH_SRC_PORT:
            o->cfg.flags |= MDEC_CFG_MATCH_SRC_PORT;
            break;
        case O_STRICT:
            o->cfg.flags |= MDEC_CFG_STRICT;
            break;
        case O_MAX_DEPTH:
            o->cfg.max_depth = (uint8_t)parse_number(c, optarg, 1, MDEC_MAX_TUNNELS);
            break;
        case O_TRANSPORT:
            add_transport(o, optarg);
            break;
        case O_SESSION:
            add_session(o, optarg);
            break;
        case O_MAX_SESSIONS:
            o->max_sessions = (uint32_t)parse_number(c, optarg, 1, 1u << 20);
            break;
        case O_FILTER:
            push(&o->filter_files, &o->n_filter_files, optarg);
            break;
        case O_AWS_JSON:
            push(&o->aws_files, &o->n_aws_files, optarg);
            break;
        case O_AWS_ID:
            o->aws_filter_id = optarg;
            break;
        case O_INNER_BPF:
            o->inner_bpf = optarg;
            break;
        case O_JSON:
            o->json = 1;
            break;
        case O_STATS_JSON:
            o->stats_json = optarg;
            break;
        case O_TAP:
            o->tap = optarg;
            break;
        case O_TAP_PER_SESSION:
            o->tap_per_session = 1;
            break;
        case O_LEARN_FROM:
            add_learn_from(o, optarg);
            break;
        case O_MAX_OPEN_FILES:
            o->max_open_files = (unsigned)parse_number(c, optarg, 1, 1u << 20);
            break;
        case O_DEDUP:
            o->dedup = 1;
            if (optarg)
                o->dedup_window_ns = parse_window(optarg);
            break;
        case O_DEDUP_SCOPE:
            if (strcmp(optarg, "all") && strcmp(optarg, "session"))
                mt_usage_error("--dedup-scope '%s': expected all or session", optarg);
            o->dedup_per_session = strcmp(optarg, "session") == 0;
            dedup_opts |= 1;
            break;
        case O_DEDUP_ENTRIES:
            o->dedup_entries = (uint32_t)parse_number(c, optarg, 4, 1u << 24);
            dedup_opts |= 2;
            break;
        case O_CID_SEED:
            o->cid_seed = (uint16_t)parse_number(c, optarg, 0, 65535);
            break;
        case O_FLOW_KEY:
            parse_flow_key(o, optarg);
            break;
        case O_MAX_TAPS:
            o->max_taps = (unsigned)parse_number(c, optarg, 1, 9999);
            break;
        case O_REPORT:
            o->report = 1;
            break;
        case O_REPORT_FLOWS:
            o->report_flows = (uint32_t)parse_number(c, optarg, 8, 1u << 26);
            break;
        case ':':
            if (optopt >= 256 || optopt == 0)
                mt_usage_error("%s needs an argument", argv[optind - 1]);
            mt_usage_error("-%c needs an argument", optopt);
        default:
            if (optopt && optopt < 256)
                mt_usage_error("unknown option -%c%s", optopt, tool == MT_DPDK ? eal_hint : "");
            mt_usage_error("unknown option '%s'%s", argv[optind - 1],
                           tool == MT_DPDK ? eal_hint : "");
        }
    }
    if (optind < argc)
        mt_usage_error("unexpected argument '%s'%s", argv[optind],
                       tool & (MT_CLI | MT_TAP) ? " (to read a capture file, use -r FILE)"
                       : tool == MT_DPDK        ? eal_hint
                                                : "");

    /* What each tool needs. */
    if (o->aws_filter_id && !o->n_aws_files)
        mt_usage_error("--aws-filter-id needs --aws-filter-json FILE");
    /* Without --session every session is learned; with it, only when
     * --learn-from says from where.  Configured sessions are added first
     * and never displaced: learning takes up to --max-sessions more. */
    o->learn = o->n_sessions == 0 || o->n_learn_allow > 0;
    if (o->max_taps && !o->tap_per_session)
        mt_usage_error("--max-taps needs --tap-per-session");
    if (dedup_opts && !o->dedup)
        mt_usage_error("%s needs --dedup", dedup_opts & 1 ? "--dedup-scope" : "--dedup-entries");
    if (o->max_open_files && !o->write_dir)
        mt_usage_error("--max-open-files needs --split DIR");
    if (format_given && !o->write_file && !o->write_dir)
        mt_usage_error("-F needs -w FILE or --split DIR");
    if ((o->rotate_bytes || o->rotate_seconds || o->rotate_files) &&
        (!o->write_file || strcmp(o->write_file, "-") == 0))
        mt_usage_error("%s needs -w FILE (a file that can rotate: not standard output)",
                       o->rotate_bytes ? "-C" : o->rotate_seconds ? "-G" : "-W");
    if (o->rotate_files && !o->rotate_bytes && !o->rotate_seconds)
        mt_usage_error("-W needs -C or -G: it keeps the files they make");
    if (o->json && o->write_file && strcmp(o->write_file, "-") == 0)
        mt_usage_error("--json and -w - both write to standard output: give -w a file name, "
                       "or leave one of them out");
    if (o->report_flows && !o->report)
        mt_usage_error("--report-flows needs --report");
    if (!o->report_flows)
        o->report_flows = MT_REPORT_FLOWS_DEFAULT;
    if (tool == MT_CLI && !o->read_file == !o->iface)
        mt_usage_error(o->read_file ? "give either -r FILE or -i IFACE, not both"
                                    : "give a capture to read (-r FILE) or an interface to "
                                      "capture on (-i IFACE)");
    if (tool == MT_AFPACKET && !o->iface)
        mt_usage_error("give the interface to capture on (-i IFACE)");
    if (tool == MT_TAP) {
        if (o->read_file && o->iface)
            mt_usage_error("give either -r FILE or -i IFACE, not both");
        if ((o->read_file || o->iface) && o->n_binds)
            mt_usage_error("-b ADDR is for the UDP input, which -r and -i replace");
        if (!o->tap)
            o->tap = o->tap_per_session ? "mdec" : "mdec0";
        if (strlen(o->tap) > (o->tap_per_session ? 11u : 15u))
            mt_usage_error("--tap '%s': a device name has at most 15 characters%s", o->tap,
                           o->tap_per_session ? " (4 of them for the session number)" : "");
    }
    /* UDP receivers bind every port they decode: for each tunnel type no
     * option named, only the ports AWS, Azure and Google use (VXLAN 4789,
     * GENEVE 6081), never the Linux vxlan default 8472 that a kernel vxlan
     * device or flannel may hold, nor VXLAN-GPE's 4790.  A type given
     * with an option gets exactly the ports given. */
    const int udp_input = tool == MT_UDP || (tool == MT_TAP && !o->read_file && !o->iface);
    if (udp_input) {
        static const struct {
            uint8_t type;
            uint16_t port; /* 0: none */
        } udp_default[] = {{MDEC_TUNNEL_VXLAN, 4789},
                           {MDEC_TUNNEL_GENEVE, 6081},
                           {MDEC_TUNNEL_VXLAN_GPE, 0}};
        for (size_t d = 0; d < sizeof udp_default / sizeof udp_default[0]; d++) {
            const unsigned type = udp_default[d].type;
            if (ports_given & (1u << type))
                continue;
            for (int i = o->cfg.n_ports - 1; i >= 0; i--)
                if (o->cfg.ports[i].type == type)
                    (void)mdec_config_set_port(&o->cfg, o->cfg.ports[i].port, MDEC_TUNNEL_NONE);
            if (udp_default[d].port)
                (void)mdec_config_set_port(&o->cfg, udp_default[d].port,
                                           (enum mdec_tunnel_type)type);
        }
    }
    if (udp_input && o->cfg.n_ports == 0)
        mt_usage_error("no UDP port left to receive on");
}

void mt_opts_free(struct mt_opts *o)
{
    for (size_t i = 0; i < o->n_sessions; i++)
        free(o->sessions[i].allow);
    free(o->sessions);
    free(o->learn_allow);
    free((void *)o->binds);
    free((void *)o->filter_files);
    free((void *)o->aws_files);
    memset(o, 0, sizeof *o);
}
