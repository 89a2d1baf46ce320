/*
 * test_fixtures.c - every packet of the fixture pcaps decoded and
 * compared with what tests/fixtures/expected.txt says a correct decoder finds
 * (gen_fixtures.py writes both; oracle_tshark.py holds tshark to the same
 * expectations).  Each packet is then decoded at every shorter length on a
 * guard page.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1u << 20)

struct pcap_file {
    char name[64];
    uint8_t *data;
    size_t len;
};

static struct pcap_file files[32];
static unsigned n_files;

static const struct pcap_file *load(const char *name)
{
    for (unsigned i = 0; i < n_files; i++)
        if (strcmp(files[i].name, name) == 0)
            return &files[i];
    assert_true(n_files < sizeof files / sizeof files[0]);
    struct pcap_file *f = &files[n_files++];
    char path[512];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(path, sizeof path, "%s/%s", MDEC_FIXTURE_DIR, name);
    f->data = malloc(MAX_FILE);
    assert_non_null(f->data);
    f->len = read_file(path, f->data, MAX_FILE);
    return f;
}

/* The value of key in an expectation line, or NULL; copied into buf. */
static const char *get(const char *line, const char *key, char *buf, size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p++) {
        if ((p == line || p[-1] == ' ') && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t n = strcspn(v, " \n");
            if (n >= size)
                n = size - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return NULL;
}

static long num(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || *end)
        fail_msg("bad number '%s' in expected.txt", s);
    return v;
}

static unsigned long long unum(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        fail_msg("bad number '%s' in expected.txt", s);
    return v;
}

static const struct mdec_tunnel *first_of(const struct mdec_result *r, int type)
{
    for (unsigned i = 0; i < r->n_tunnels; i++)
        if (r->tunnels[i].type == type)
            return &r->tunnels[i];
    fail_msg("no %s tunnel", mdec_tunnel_name((enum mdec_tunnel_type)type));
    return NULL;
}

static void check_extra(const char *id, const struct mdec_result *r, const char *extra)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", extra);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(kv, ':');
        assert_non_null(colon);
        *colon = '\0';
        const char *k = kv, *v = colon + 1;
        unsigned long long want = 0, got = 0;
        if (strcmp(k, "inner_vlan") == 0 || strcmp(k, "outer_vlan") == 0) {
            const uint16_t *vl = k[0] == 'i' ? r->inner.vlan : r->outer_vlan;
            unsigned n = k[0] == 'i' ? r->inner.n_vlan : r->n_outer_vlan;
            char want_s[32], got_s[32] = "";
            snprintf(want_s, sizeof want_s, "%s", v);
            for (unsigned i = 0; i < n && i < 2; i++) {
                char one[8];
                snprintf(one, sizeof one, "%s%u", i ? "/" : "", vl[i]);
                strcat(got_s, one);
            }
            if (strcmp(want_s, got_s) != 0)
                fail_msg("%s: %s %s, expected %s", id, k, got_s, want_s);
            continue;
        }
        want = unum(v);
        if (strcmp(k, "tcpflags") == 0) {
            assert_true(r->flow.flags & MDEC_FLOW_TCP_FLAGS);
            got = r->flow.tcp_flags;
        } else if (strcmp(k, "fragment") == 0) {
            got = (r->flow.flags & MDEC_FLOW_FRAGMENT) != 0;
        } else if (strncmp(k, "gwlb_", 5) == 0 || strncmp(k, "gcp_", 4) == 0 ||
                   strcmp(k, "geneve_proto") == 0 || strcmp(k, "opt_len") == 0) {
            const struct mdec_geneve_info *g = &first_of(r, MDEC_TUNNEL_GENEVE)->u.geneve;
            if (strcmp(k, "gwlb_endpoint") == 0) {
                assert_true(g->have & MDEC_GWLB_ENDPOINT);
                got = g->gwlb_endpoint;
            } else if (strcmp(k, "gwlb_attachment") == 0) {
                assert_true(g->have & MDEC_GWLB_ATTACHMENT);
                got = g->gwlb_attachment;
            } else if (strcmp(k, "gwlb_cookie") == 0) {
                assert_true(g->have & MDEC_GWLB_COOKIE);
                got = g->gwlb_cookie;
            } else if (strcmp(k, "gcp_network") == 0) {
                assert_true(g->have & MDEC_GCP_NETWORK);
                got = g->gcp_network;
            } else if (strcmp(k, "gcp_direction") == 0) {
                assert_true(g->have & MDEC_GCP_NETWORK);
                got = g->gcp_direction;
            } else if (strcmp(k, "gcp_endpoint_len") == 0) {
                assert_true(g->have & MDEC_GCP_ENDPOINT);
                got = g->gcp_endpoint_len;
            } else if (strcmp(k, "gcp_profile") == 0) {
                assert_true(g->have & MDEC_GCP_PROFILE);
                got = g->gcp_profile;
            } else if (strcmp(k, "geneve_proto") == 0) {
                got = g->proto;
            } else if (strcmp(k, "opt_len") == 0) {
                got = g->opt_len;
            } else {
                fail_msg("%s: unknown extra key %s", id, k);
            }
        } else if (strncmp(k, "erspan_", 7) == 0) {
            const struct mdec_erspan_info *e = &first_of(r, MDEC_TUNNEL_ERSPAN)->u.erspan;
            if (strcmp(k, "erspan_version") == 0)
                got = e->version;
            else if (strcmp(k, "erspan_index") == 0 || strcmp(k, "erspan_timestamp") == 0)
                got = e->index;
            else if (strcmp(k, "erspan_hw_id") == 0)
                got = e->hw_id;
            else if (strcmp(k, "erspan_d") == 0)
                got = e->d;
            else if (strcmp(k, "erspan_o") == 0)
                got = e->o;
            else if (strcmp(k, "erspan_ft") == 0)
                got = e->ft;
            else
                fail_msg("%s: unknown extra key %s", id, k);
        } else {
            fail_msg("%s: unknown extra key %s", id, k);
        }
        if (got != want)
            fail_msg("%s: %s is %#llx, expected %#llx", id, k, got, want);
    }
}

static void check_addr(const char *id, const char *what, const struct mdec_addr *a,
                       const char *want)
{
    char got[MDEC_ADDR_STRLEN];
    mdec_addr_format(a, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: %s %s, expected %s", id, what, got, want);
}


/* cfg=ITEM[+ITEM...]: strict, depthN, transport:TYPE:PREFIX[,PREFIX...]. */
static void apply_cfg(struct mdec_config *cfg, const char *id, char *v)
{
    for (char *item = strtok(v, "+"); item; item = strtok(NULL, "+")) {
        if (strcmp(item, "strict") == 0) {
            cfg->flags |= MDEC_CFG_STRICT;
        } else if (strncmp(item, "depth", 5) == 0) {
            cfg->max_depth = (uint8_t)num(item + 5);
        } else if (strncmp(item, "transport:", 10) == 0) {
            static const char *const types[] = {"vxlan", "vxlan-gpe", "geneve", "erspan", "gre"};
            char *type = item + 10, *list = strchr(type, ':');
            struct mdec_prefix from[MDEC_TRANSPORT_PREFIXES];
            size_t n = 0;
            int t = 0;
            if (!list) {
                fail_msg("%s: transport without sources: %s", id, item);
                return;
            }
            *list++ = '\0';
            for (int k = 0; k < 5; k++)
                if (strcmp(type, types[k]) == 0)
                    t = k + 1;
            for (char *p = list; *p && n < MDEC_TRANSPORT_PREFIXES; n++) {
                const size_t len = strcspn(p, ",");
                assert_int_equal(mdec_prefix_parse(p, len, &from[n], NULL), 0);
                p += len + (p[len] == ',');
            }
            assert_int_equal(mdec_config_add_transport(cfg, (enum mdec_tunnel_type)t, from, n), 0);
        } else {
            fail_msg("%s: unknown cfg %s", id, item);
        }
    }
}

static void check_line(const char *line)
{
    char id[96], v[512], v2[64];
    snprintf(id, sizeof id, "%.*s", (int)strcspn(line, " "), line);
    char *hash = strchr(id, '#');
    assert_non_null(hash);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(hash - id), id);
    const unsigned index = (unsigned)num(hash + 1);

    /* The packet. */
    const struct pcap_file *f = load(name);
    struct pcap_reader rd;
    assert_int_equal(pcap_reader_open(&rd, f->data, f->len), 0);
    const uint8_t *pkt = NULL;
    uint32_t cap = 0, wire = 0;
    for (unsigned i = 0; i < index; i++)
        assert_int_equal(pcap_reader_next(&rd, &pkt, &cap, &wire), 1);
    assert_int_equal(rd.linktype, (uint32_t)num(get(line, "link", v, sizeof v)));

    /* The decoder's settings. */
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    if (get(line, "cfg", v, sizeof v))
        apply_cfg(&cfg, id, v);

    struct mdec_result r;
    mdec_decode(&cfg, (int)rd.linktype, pkt, cap, wire, &r);

    /* Status and anomalies (exactly those listed). */
    assert_non_null(get(line, "status", v, sizeof v));
    if (strcmp(mdec_status_name((enum mdec_status)r.status), v) != 0) {
        fail_msg("%s: status %s, expected %s (first anomaly %s)", id,
                 mdec_status_name((enum mdec_status)r.status), v,
                 r.n_anomalies ? mdec_anomaly_name((enum mdec_anomaly_code)r.anomalies[0].code)
                               : "none");
    }
    char got_an[512] = "";
    for (unsigned i = 0; i < r.n_anomalies; i++) {
        strcat(got_an, i ? "," : "");
        strcat(got_an, mdec_anomaly_name((enum mdec_anomaly_code)r.anomalies[i].code));
    }
    get(line, "anomalies", v, sizeof v);
    if (strcmp(got_an, v) != 0)
        fail_msg("%s: anomalies '%s', expected '%s'", id, got_an, v);

    /* Tunnels. */
    char got_t[512] = "";
    for (unsigned i = 0; i < r.n_tunnels; i++) {
        char one[64];
        const struct mdec_tunnel *t = &r.tunnels[i];
        if (t->flags & MDEC_TF_ID)
            snprintf(one, sizeof one, "%s%s:%u", i ? "," : "",
                     mdec_tunnel_name((enum mdec_tunnel_type)t->type), t->id);
        else
            snprintf(one, sizeof one, "%s%s:-", i ? "," : "",
                     mdec_tunnel_name((enum mdec_tunnel_type)t->type));
        strcat(got_t, one);
    }
    if (!get(line, "tunnels", v, sizeof v))
        v[0] = '\0';
    if (strcmp(got_t, v) != 0)
        fail_msg("%s: tunnels '%s', expected '%s'", id, got_t, v);

    /* Flow. */
    if (get(line, "src", v, sizeof v) && strcmp(v, "-") != 0) {
        if (!(r.flow.flags & MDEC_FLOW_IP))
            fail_msg("%s: no flow, expected %s", id, v);
        check_addr(id, "src", &r.flow.src, v);
        check_addr(id, "dst", &r.flow.dst, get(line, "dst", v2, sizeof v2));
        assert_true(r.flow.flags & MDEC_FLOW_PROTO);
        assert_int_equal(r.flow.proto, num(get(line, "proto", v, sizeof v)));
    } else if (r.flow.flags & MDEC_FLOW_IP) {
        fail_msg("%s: unexpected flow", id);
    }
    if (get(line, "sport", v, sizeof v) && strcmp(v, "-") != 0) {
        if (!(r.flow.flags & MDEC_FLOW_PORTS))
            fail_msg("%s: no ports, expected %s", id, v);
        assert_int_equal(r.flow.sport, num(v));
        assert_int_equal(r.flow.dport, num(get(line, "dport", v, sizeof v)));
    } else if (r.flow.flags & MDEC_FLOW_PORTS) {
        fail_msg("%s: unexpected ports %u>%u", id, r.flow.sport, r.flow.dport);
    }
    if (get(line, "icmp", v, sizeof v) && strcmp(v, "-") != 0) {
        char want[32];
        snprintf(want, sizeof want, "%u/%u", r.flow.icmp_type, r.flow.icmp_code);
        assert_true(r.flow.flags & MDEC_FLOW_ICMP);
        assert_string_equal(want, v);
    }
    if (r.n_tunnels && (r.tunnels[r.n_tunnels - 1].flags & MDEC_TF_ID)) {
        assert_true(r.flow.flags & MDEC_FLOW_TUNNEL_ID);
        assert_int_equal(r.flow.tunnel_id, r.tunnels[r.n_tunnels - 1].id);
    }

    /* The innermost packet. */
    if (get(line, "inner", v, sizeof v) && strcmp(v, "-") != 0) {
        assert_true(r.has_inner);
        char got[64];
        snprintf(got, sizeof got, "%u/%u/%u", r.inner.cap_len, r.inner.wire_len, r.inner.ip_len);
        if (strcmp(got, v) != 0)
            fail_msg("%s: inner cap/wire/iplen %s, expected %s", id, got, v);
        /* The inner packet in the frame ends where the frame says. */
        assert_true((uint64_t)r.inner.off + r.inner.cap_len <= cap);
    } else if (r.has_inner) {
        fail_msg("%s: unexpected inner packet", id);
    }

    /* Truncation. */
    if (get(line, "cut", v, sizeof v)) {
        static const char *const by[] = {"none", "capture", "mirror", "fragment"};
        char got[64];
        assert_int_equal(r.status, MDEC_STATUS_TRUNCATED);
        snprintf(got, sizeof got, "%s:%s", by[r.cut.by & 3],
                 mdec_layer_name((enum mdec_layer)r.cut.layer));
        if (strcmp(got, v) != 0)
            fail_msg("%s: cut %s, expected %s", id, got, v);
    }
    if (get(line, "extra", v, sizeof v))
        check_extra(id, &r, v);

    /* Every shorter length, on a guard page. */
    print_message("%s\n", id);
    if (check_every_length(&cfg, (int)rd.linktype, pkt, cap, wire) != r.status)
        fail_msg("%s: a second decode disagrees", id);
}

static void test_expected(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/expected.txt", MDEC_FIXTURE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    unsigned n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        check_line(line);
        n++;
    }
    fclose(f);
    print_message("%u fixture packets checked\n", n);
    assert_true(n >= 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
