/*
 * test_filter_json.c - importing `aws ec2 describe-traffic-mirror-filters`
 * output: the documented shapes (fixtures in tests/fixtures/aws, written
 * after the EC2 API reference), selection by id, every error with its
 * position and JSON path, and that a failed import changes nothing.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "filter_testutil.h"

#define AWS_DIR MDEC_FIXTURE_DIR "/aws/"

static char fixture_buf[64 * 1024];

static size_t load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, AWS_DIR "%s", name);
    const size_t n = read_file(path, (uint8_t *)fixture_buf, sizeof fixture_buf - 1);
    fixture_buf[n] = '\0';
    return n;
}

static void import_ok(struct mdec_filter *f, const char *json, size_t len, const char *id)
{
    struct mdec_parse_error e;
    memset(&e, 0, sizeof e);
    const int rc = mdec_filter_parse_aws_json(f, json, len, id, &e);
    if (rc != 0)
        fail_msg("import failed (%d) at %u:%u: %s", rc, e.line, e.column, e.message);
}

static void expect_rules(const struct mdec_filter *f, const char *want)
{
    char dump[8192];
    dump_rules(f, dump, sizeof dump);
    assert_string_equal(dump, want);
}

/* Line and column of the first occurrence of needle in json. */
static void pos_of(const char *json, const char *needle, int after, uint32_t *line, uint32_t *col)
{
    const char *p = strstr(json, needle);
    if (!p)
        fail_msg("test bug: '%s' not in '%s'", needle, json);
    if (after)
        p += strlen(needle);
    *line = 1;
    const char *start = json;
    for (const char *q = json; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            start = q + 1;
        }
    }
    *col = (uint32_t)(p - start) + 1;
}

/* ---------------------------------------------------- the documented shapes */

static const char filter1_rules[] =
    "ingress 100 reject tcp 0.0.0.0/0 10.0.0.0/16 dport 22\n"
    "ingress 150 accept udp 10.0.0.0/16 0.0.0.0/0 sport 1024-65535 dport 53\n"
    "ingress 200 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443\n"
    "ingress 300 accept all ::/0 ::/0\n"
    "egress 100 accept tcp 10.0.0.0/16 0.0.0.0/0 sport 443\n"
    "egress 110 reject icmp 0.0.0.0/0 0.0.0.0/0\n";

static void test_describe_filters_by_id(void **state)
{
    (void)state;
    const size_t n = load("describe-traffic-mirror-filters.json");
    struct mdec_filter *f = new_filter(16);

    import_ok(f, fixture_buf, n, "tmf-0293f26e86EXAMPLE");
    expect_rules(f, filter1_rules);
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS);
    /* rules remember the line of their object */
    assert_int_equal(mdec_filter_rule(f, 0)->line, 27); /* ingress 100 */
    assert_int_equal(mdec_filter_rule(f, 2)->line, 6);  /* ingress 200 */
    /* and evaluate as AWS would */
    struct mdec_flow fl = mkflow("203.0.113.9", "10.0.3.4", 6, 50000, 22);
    assert_int_equal(mdec_filter_eval_flow(f, &fl, 0, MDEC_DIR_INGRESS), MDEC_VERDICT_REJECT);
    fl.dport = 443;
    assert_int_equal(mdec_filter_eval_flow(f, &fl, 0, MDEC_DIR_INGRESS), MDEC_VERDICT_ACCEPT);
    fl = mkflow("10.0.3.4", "169.254.169.253", 17, 50000, 53); /* amazon-dns */
    assert_int_equal(mdec_filter_eval_flow(f, &fl, 0, MDEC_DIR_EGRESS), MDEC_VERDICT_ACCEPT);

    mdec_filter_clear(f);
    mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_UNKNOWN_REJECT);
    import_ok(f, fixture_buf, n, "tmf-04812ff784EXAMPLE");
    expect_rules(f, "egress 100 accept all 2001:db8:1234:1a00::/56 ::/0\n");
    /* its NetworkServices is empty: amazon-dns is switched off, the
     * other options stay */
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_UNKNOWN_REJECT);

    mdec_filter_clear(f);
    import_ok(f, fixture_buf, n, "tmf-0a1b2c3d4e5f6a7b8");
    expect_rules(f, "ingress 10 accept icmpv6 fe80::/10 2001:db8::/32\n"
                    "ingress 32766 accept udp 198.51.100.0/24 192.0.2.7/32 dport 4789-4790\n");
    assert_int_equal(mdec_filter_options(f), 0);

    /* Importing adds to the rules there are: filter 2's egress 100 after
     * filter 3's ingress rules. */
    import_ok(f, fixture_buf, n, "tmf-04812ff784EXAMPLE");
    assert_int_equal(mdec_filter_count(f), 3);
    /* ...but not twice */
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, "tmf-04812ff784EXAMPLE", &e),
                     MDEC_E_EXISTS);
    assert_non_null(strstr(e.message,
                           "TrafficMirrorFilters[1].EgressFilterRules[0].RuleNumber: rule number "
                           "100 is already used by an egress rule in the filter"));
    assert_int_equal(mdec_filter_count(f), 3);
    free(f);
}

static void test_several_filters_need_an_id(void **state)
{
    (void)state;
    const size_t n = load("describe-traffic-mirror-filters.json");
    struct mdec_filter *f = new_filter(16);
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, NULL, &e), MDEC_E_INVALID);
    assert_string_equal(e.message,
                        "TrafficMirrorFilters: the document holds 3 filters "
                        "(\"tmf-0293f26e86EXAMPLE\", \"tmf-04812ff784EXAMPLE\", ...): pass the "
                        "TrafficMirrorFilterId of the one to import");
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 29);
    assert_int_equal(mdec_filter_count(f), 0);

    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, "tmf-nope", &e),
                     MDEC_E_NOTFOUND);
    assert_string_equal(e.message, "TrafficMirrorFilters: no filter has TrafficMirrorFilterId "
                                   "\"tmf-nope\" (the document holds 3 filters)");
    /* an id is matched whole, not as a prefix */
    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, "tmf-0293f26e86", &e),
                     MDEC_E_NOTFOUND);
    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, "", &e), MDEC_E_NOTFOUND);

    /* one filter: no id needed */
    const size_t n1 = load("describe-traffic-mirror-filters-one.json");
    import_ok(f, fixture_buf, n1, NULL);
    expect_rules(f, "ingress 1 accept udp 0.0.0.0/0 172.31.0.0/16 sport 0-65535\n"
                    "egress 100 accept all 2001:db8:1234:1a00::/56 ::/0\n");

    /* none at all */
    const char *none = "{\"TrafficMirrorFilters\": [], \"NextToken\": null}";
    assert_int_equal(mdec_filter_parse_aws_json(f, none, strlen(none), NULL, &e), MDEC_E_NOTFOUND);
    assert_non_null(strstr(e.message, "the document holds no filter"));
    /* a page of a paginated listing */
    const char *page = "{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"tmf-1\"}], "
                       "\"NextToken\": \"abc\"}";
    assert_int_equal(mdec_filter_parse_aws_json(f, page, strlen(page), "tmf-2", &e),
                     MDEC_E_NOTFOUND);
    assert_non_null(strstr(e.message, "NextToken says more are on another page"));
    assert_int_equal(mdec_filter_count(f), 2);
    free(f);
}

static void test_filter_rules_output(void **state)
{
    (void)state;
    const size_t n = load("describe-traffic-mirror-filter-rules.json");
    struct mdec_filter *f = new_filter(16);
    mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS);
    import_ok(f, fixture_buf, n, NULL);
    expect_rules(f, "ingress 100 reject tcp 0.0.0.0/0 10.0.0.0/16 dport 22\n"
                    "ingress 300 accept all ::/0 ::/0\n"
                    "egress 100 accept tcp 10.0.0.0/16 0.0.0.0/0 sport 443\n");
    /* the rules carry no network services: options are left alone */
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS);
    mdec_filter_clear(f);
    import_ok(f, fixture_buf, n, "tmf-0293f26e86EXAMPLE");
    assert_int_equal(mdec_filter_count(f), 3);
    mdec_filter_clear(f);
    import_ok(f, fixture_buf, n, "tmf-other"); /* rules of another filter: skipped */
    assert_int_equal(mdec_filter_count(f), 0);

    /* rules of two filters, and no id to choose */
    const char *two =
        "{\"TrafficMirrorFilterRules\": [\n"
        " {\"TrafficMirrorFilterId\": \"tmf-a\", \"TrafficDirection\": \"ingress\",\n"
        "  \"RuleNumber\": 1, \"RuleAction\": \"accept\",\n"
        "  \"SourceCidrBlock\": \"0.0.0.0/0\", \"DestinationCidrBlock\": \"0.0.0.0/0\"},\n"
        " {\"RuleNumber\": 2, \"RuleAction\": \"accept\", \"TrafficDirection\": \"ingress\",\n"
        "  \"SourceCidrBlock\": \"0.0.0.0/0\", \"DestinationCidrBlock\": \"0.0.0.0/0\",\n"
        "  \"TrafficMirrorFilterId\": \"tmf-b\"}]}";
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, two, strlen(two), NULL, &e), MDEC_E_SYNTAX);
    assert_string_equal(e.message,
                        "TrafficMirrorFilterRules[1].TrafficMirrorFilterId: rules of two filters "
                        "(\"tmf-a\" and \"tmf-b\"): pass the id of the one to import");
    assert_int_equal(e.line, 7);
    assert_int_equal(e.column, 28);
    import_ok(f, two, strlen(two), "tmf-b"); /* id after the rule's other members */
    expect_rules(f, "ingress 2 accept all 0.0.0.0/0 0.0.0.0/0\n");
    free(f);
}

static void test_wrapped_and_bare_filters(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(8);
    const size_t n = load("create-traffic-mirror-filter.json");
    import_ok(f, fixture_buf, n, NULL);
    assert_int_equal(mdec_filter_count(f), 0);
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS);
    import_ok(f, fixture_buf, n, "tmf-04812ff784EXAMPLE");
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, "tmf-x", &e), MDEC_E_NOTFOUND);
    assert_non_null(strstr(e.message, "the document's filter is \"tmf-04812ff784EXAMPLE\""));
    assert_int_equal(e.line, 2);

    /* a bare filter object, members in any order, the id last */
    const char *bare =
        "{\"EgressFilterRules\": [{\"RuleNumber\": 5, \"RuleAction\": \"reject\", "
        "\"SourceCidrBlock\": \"0.0.0.0/0\", \"DestinationCidrBlock\": \"0.0.0.0/0\"}], "
        "\"IngressFilterRules\": null, \"TrafficMirrorFilterId\": \"tmf-bare\"}";
    mdec_filter_clear(f);
    import_ok(f, bare, strlen(bare), "tmf-bare");
    expect_rules(f, "egress 5 reject all 0.0.0.0/0 0.0.0.0/0\n");
    mdec_filter_clear(f);
    import_ok(f, bare, strlen(bare), NULL);
    assert_int_equal(mdec_filter_count(f), 1);
    assert_int_equal(mdec_filter_parse_aws_json(f, bare, strlen(bare), "tmf-other", &e),
                     MDEC_E_NOTFOUND);
    free(f);
}

/* Escapes, null members, byte order mark, every kind of JSON value in
 * members that are skipped. */
static void test_json_details(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(8);
    const char *doc =
        "\xEF\xBB\xBF{\"Unknown\": {\"a\": [1, -2.5e+3, true, false, null, \"x\\\"y\", {}, []]},\n"
        " \"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"tmf-\\u0031\",\n"
        "  \"IngressFilterRules\": [{\"Rule\\u004eumber\": 7, \"RuleAction\": \"acc\\u0065pt\",\n"
        "   \"Protocol\": null, \"SourcePortRange\": null, \"DestinationPortRange\": null,\n"
        "   \"SourceCidrBlock\": \"10.0.0.0\\/8\", \"DestinationCidrBlock\": \"::\\/0\",\n"
        "   \"Description\": \"\\ud83d\\ude00 \\b\\f\\n\\r\\t\\\\\", \"Tags\": [{\"Key\": "
        "\"k\"}]}],\n"
        "  \"NetworkServices\": null, \"EgressFilterRules\": []}]}\r\n\t ";
    /* 10.0.0.0/8 to ::/0: families differ */
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, doc, strlen(doc), "tmf-1", &e), MDEC_E_SYNTAX);
    assert_string_equal(e.message,
                        "TrafficMirrorFilters[0].IngressFilterRules[0].DestinationCidrBlock: "
                        "source and destination CIDR blocks are of different families: the "
                        "rule could never match");
    uint32_t line, col;
    pos_of(doc, "\"::\\/0\"", 0, &line, &col);
    assert_int_equal(e.line, line);
    assert_int_equal(e.column, col);
    assert_int_equal(line, 5);

    char fixed[1024];
    snprintf(fixed, sizeof fixed,
             "\xEF\xBB\xBF{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"tmf-\\u0031\","
             "\"IngressFilterRules\": [{\"Rule\\u004eumber\": 7, \"RuleAction\": \"acc\\u0065pt\","
             "\"Protocol\": null, \"SourceCidrBlock\": \"10.0.0.0\\/8\", "
             "\"DestinationCidrBlock\": \"0.0.0.0\\/0\"}]}]}");
    import_ok(f, fixed, strlen(fixed), "tmf-1");
    expect_rules(f, "ingress 7 accept all 10.0.0.0/8 0.0.0.0/0\n");
    assert_int_equal(mdec_filter_options(f), 0);
    /* a filter id with escapes, matched against the caller's UTF-8 */
    const char *utf = "{\"TrafficMirrorFilterId\": \"tmf-\\u00e9\\ud83d\\ude00\", "
                      "\"EgressFilterRules\": []}";
    import_ok(f, utf, strlen(utf), "tmf-\xc3\xa9\xf0\x9f\x98\x80");
    assert_int_equal(mdec_filter_parse_aws_json(f, utf, strlen(utf), "tmf-\xc3\xa9", &e),
                     MDEC_E_NOTFOUND);
    /* the text need not be NUL-terminated */
    const char *tail = "{\"IngressFilterRules\": []}GARBAGE";
    import_ok(f, tail, strlen(tail) - 7, NULL);
    assert_int_equal(mdec_filter_parse_aws_json(NULL, tail, 5, NULL, &e), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse_aws_json(f, NULL, 5, NULL, &e), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse_aws_json(f, NULL, 0, NULL, NULL), MDEC_E_SYNTAX);
    free(f);
}

/* -------------------------------------------------------------- errors */

struct bad_json {
    const char *json;
    const char *id;
    int rc;
    const char *at;  /* the error points at the first occurrence of this text */
    int after;       /* ... or just past its end */
    const char *msg; /* must appear in the message */
};

#define RULE(body)                                                                                 \
    "{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"tmf-1\",\n"                         \
    " \"IngressFilterRules\": [" body "]}]}"
#define GOOD      "\"SourceCidrBlock\": \"0.0.0.0/0\", \"DestinationCidrBlock\": \"0.0.0.0/0\""
#define GOOD_RULE "{\"RuleNumber\": 1, \"RuleAction\": \"accept\", " GOOD "}"

static const struct bad_json bad[] = {
    /* what a rule needs */
    {RULE("{\"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX, "{\"RuleAction", 0,
     "TrafficMirrorFilters[0].IngressFilterRules[0]: missing RuleNumber"},
    {RULE(GOOD_RULE ", {\"RuleNumber\": 2, " GOOD "}"), NULL, MDEC_E_SYNTAX, "{\"RuleNumber\": 2",
     0, "TrafficMirrorFilters[0].IngressFilterRules[1]: missing RuleAction"},
    {RULE("{\"RuleNumber\": 2, \"RuleAction\": \"accept\", \"SourceCidrBlock\": \"0.0.0.0/0\"}"),
     NULL, MDEC_E_SYNTAX, "{\"RuleNumber\": 2", 0, "missing DestinationCidrBlock"},
    {RULE("{\"RuleNumber\": 2, \"RuleAction\": \"accept\", \"DestinationCidrBlock\": \"::/0\"}"),
     NULL, MDEC_E_SYNTAX, "{\"RuleNumber\": 2", 0, "missing SourceCidrBlock"},
    /* wrong types and values */
    {RULE("{\"RuleNumber\": \"100\", \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "\"100\"", 0,
     "TrafficMirrorFilters[0].IngressFilterRules[0].RuleNumber: expected an integer from 1 to "
     "32766, found \"100\""},
    {RULE("{\"RuleNumber\": 0, \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "0, \"Rule", 0, "found 0"},
    {RULE("{\"RuleNumber\": 32767, \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "32767", 0, "found 32767"},
    {RULE("{\"RuleNumber\": 12.5, \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "12.5", 0, "found 12.5"},
    {RULE("{\"RuleNumber\": -3, \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX, "-3",
     0, "found -3"},
    {RULE("{\"RuleNumber\": 1e2, \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "1e2", 0, "found 1e2"},
    {RULE("{\"RuleNumber\": 99999999999999999999999, \"RuleAction\": \"accept\", " GOOD "}"), NULL,
     MDEC_E_SYNTAX, "9999", 0, "found 99999999999999999999999"},
    {RULE("{\"RuleNumber\": true, \"RuleAction\": \"accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "true", 0, "found true"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"allow\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "\"allow\"", 0,
     "TrafficMirrorFilters[0].IngressFilterRules[0].RuleAction: expected \"accept\" or "
     "\"reject\", found \"allow\""},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"Accept\", " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "\"Accept\"", 0, "found \"Accept\""},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": [\"accept\"], " GOOD "}"), NULL, MDEC_E_SYNTAX,
     "[\"accept\"]", 0, "expected a string, found an array"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": 256, " GOOD "}"), NULL,
     MDEC_E_SYNTAX, "256", 0,
     "Protocol: expected an IANA protocol number from 0 to 255, found 256"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": \"tcp\", " GOOD "}"), NULL,
     MDEC_E_SYNTAX, "\"tcp\"", 0, "found \"tcp\""},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": {}, " GOOD "}"), NULL,
     MDEC_E_SYNTAX, "{}", 0, "found an object"},
    /* CIDR blocks: the column points into the string */
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"SourceCidrBlock\": \"10.0.0.1/8\", "
          "\"DestinationCidrBlock\": \"0.0.0.0/0\"}"),
     NULL, MDEC_E_SYNTAX, "10.0.0.1/8", 0,
     "SourceCidrBlock: bad CIDR block: host bits set beyond the prefix length in "
     "'10.0.0.1/8': did you mean 10.0.0.0/8?"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"SourceCidrBlock\": \"0.0.0.0/0\", "
          "\"DestinationCidrBlock\": \"10.0.0.256/32\"}"),
     NULL, MDEC_E_SYNTAX, "256/32", 0,
     "DestinationCidrBlock: bad CIDR block: IPv4 address part above 255"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"SourceCidrBlock\": \"\", "
          "\"DestinationCidrBlock\": \"0.0.0.0/0\"}"),
     NULL, MDEC_E_SYNTAX, "\"\"", 0,
     "expected a CIDR block such as \"10.0.0.0/8\" or \"::/0\", found \"\""},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"SourceCidrBlock\": 10, "
          "\"DestinationCidrBlock\": \"0.0.0.0/0\"}"),
     NULL, MDEC_E_SYNTAX, "10,", 0, "SourceCidrBlock: expected a string, found 10"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"SourceCidrBlock\": \"0.0.0.0/0\", "
          "\"DestinationCidrBlock\": \"::/0\"}"),
     NULL, MDEC_E_SYNTAX, "\"::/0\"", 0, "are of different families"},
    /* port ranges */
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": 6, " GOOD
          ", \"DestinationPortRange\": {\"FromPort\": 80, \"ToPort\": 79}}"),
     NULL, MDEC_E_SYNTAX, "{\"FromPort", 0, "DestinationPortRange: FromPort 80 is above ToPort 79"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": 6, " GOOD
          ", \"SourcePortRange\": {\"FromPort\": 80}}"),
     NULL, MDEC_E_SYNTAX, "{\"FromPort", 0, "SourcePortRange: missing ToPort"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": 6, " GOOD
          ", \"SourcePortRange\": {\"FromPort\": 80, \"ToPort\": 70000}}"),
     NULL, MDEC_E_SYNTAX, "70000", 0,
     "SourcePortRange.ToPort: expected a port from 0 to 65535, found 70000"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", " GOOD
          ", \"SourcePortRange\": {\"FromPort\": 80, \"ToPort\": 80}}"),
     NULL, MDEC_E_SYNTAX, "{\"FromPort", 0,
     "SourcePortRange: port ranges need Protocol 6 (TCP) or 17 (UDP), found no Protocol (all "
     "protocols)"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": 1, " GOOD
          ", \"DestinationPortRange\": {\"FromPort\": 80, \"ToPort\": 80}}"),
     NULL, MDEC_E_SYNTAX, "{\"FromPort", 0, "found Protocol 1"},
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"Protocol\": 6, " GOOD
          ", \"SourcePortRange\": [80, 81]}"),
     NULL, MDEC_E_SYNTAX, "[80", 0, "SourcePortRange: expected an object, found an array"},
    /* directions */
    {RULE("{\"RuleNumber\": 5, \"RuleAction\": \"accept\", \"TrafficDirection\": \"egress\", " GOOD
          "}"),
     NULL, MDEC_E_SYNTAX, "\"egress\"", 0,
     "TrafficDirection: \"egress\" contradicts IngressFilterRules"},
    {"{\"TrafficMirrorFilterRules\": [{\"RuleNumber\": 5, \"RuleAction\": \"accept\", "
     "\"TrafficDirection\": \"both\", " GOOD "}]}",
     NULL, MDEC_E_SYNTAX, "\"both\"", 0,
     "TrafficMirrorFilterRules[0].TrafficDirection: expected \"ingress\" or \"egress\", found "
     "\"both\""},
    {"{\"TrafficMirrorFilterRules\": [{\"RuleNumber\": 5, \"RuleAction\": \"accept\", " GOOD "}]}",
     NULL, MDEC_E_SYNTAX, "{\"RuleNumber", 0,
     "TrafficMirrorFilterRules[0]: missing TrafficDirection"},
    /* duplicates */
    {RULE(GOOD_RULE ",\n  {\"RuleNumber\": 2, \"RuleAction\": \"reject\", " GOOD "},\n  "
                    "{\"RuleAction\": \"reject\", \"RuleNumber\": 1, " GOOD "}"),
     NULL, MDEC_E_EXISTS, "1, \"S", 0,
     "TrafficMirrorFilters[0].IngressFilterRules[2].RuleNumber: rule number 1 is already used "
     "by IngressFilterRules[0] (ingress, line 2)"},
    {"{\"TrafficMirrorFilterRules\": [\n"
     "{\"RuleNumber\": 9, \"RuleAction\": \"accept\", \"TrafficDirection\": \"egress\", " GOOD
     "},\n"
     "{\"RuleNumber\": 9, \"RuleAction\": \"accept\", \"TrafficDirection\": \"ingress\", " GOOD
     "},\n"
     "{\"RuleNumber\": 9, \"RuleAction\": \"accept\", \"TrafficDirection\": \"egress\", " GOOD
     "}]}",
     NULL, MDEC_E_EXISTS,
     "9, \"RuleAction\": \"accept\", \"TrafficDirection\": \"egress\", "
     "\"SourceCidrBlock\": \"0.0.0.0/0\", \"DestinationCidrBlock\": \"0.0.0.0/0\"}]",
     0,
     "TrafficMirrorFilterRules[2].RuleNumber: rule number 9 is already used by "
     "TrafficMirrorFilterRules[0] (egress, line 2)"},
    /* a duplicate told before a later error */
    {RULE(GOOD_RULE ", {\"RuleNumber\": 1, \"RuleAction\": \"reject\", " GOOD "}, "
                    "{\"RuleNumber\": 3}"),
     NULL, MDEC_E_EXISTS, "1, \"RuleAction\": \"reject\"", 0,
     "IngressFilterRules[1].RuleNumber: rule number 1 is already used"},
    {RULE("{\"RuleNumber\": 1, \"RuleNumber\": 2, \"RuleAction\": \"accept\", " GOOD "}"), NULL,
     MDEC_E_SYNTAX, "\"RuleNumber\": 2", 0,
     "IngressFilterRules[0]: \"RuleNumber\" appears twice in the object"},
    {"{\"TrafficMirrorFilters\": [], \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX,
     "\"TrafficMirrorFilters\": []}", 0, "\"TrafficMirrorFilters\" appears twice"},
    {"{\"TrafficMirrorFilters\": [{\"IngressFilterRules\": [], \"IngressFilterRules\": []}]}", NULL,
     MDEC_E_SYNTAX, "\"IngressFilterRules\": []}", 0,
     "TrafficMirrorFilters[0]: \"IngressFilterRules\" appears twice"},
    /* which filter */
    {"{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": \"tmf-1\"}, "
     "{\"TrafficMirrorFilterId\": \"tmf-1\"}]}",
     "tmf-1", MDEC_E_INVALID, "\"tmf-1\"}]", 0,
     "TrafficMirrorFilters[1].TrafficMirrorFilterId: a second filter has the id \"tmf-1\""},
    {"{\"TrafficMirrorFilters\": [{\"TrafficMirrorFilterId\": 5}]}", "tmf-1", MDEC_E_SYNTAX, "5}",
     0, "TrafficMirrorFilters[0].TrafficMirrorFilterId: expected a string, found 5"},
    {"{\"TrafficMirrorFilters\": {}}", NULL, MDEC_E_SYNTAX, "{}", 0,
     "TrafficMirrorFilters: expected an array, found an object"},
    {"{\"TrafficMirrorFilters\": [5]}", NULL, MDEC_E_SYNTAX, "5]", 0,
     "TrafficMirrorFilters[0]: expected an object, found 5"},
    {"{\"TrafficMirrorFilters\": [{\"IngressFilterRules\": [1]}]}", NULL, MDEC_E_SYNTAX, "1]", 0,
     "TrafficMirrorFilters[0].IngressFilterRules[0]: expected a rule object, found 1"},
    {"{\"TrafficMirrorFilters\": [{\"IngressFilterRules\": {}}]}", NULL, MDEC_E_SYNTAX, "{}}", 0,
     "IngressFilterRules: expected an array, found an object"},
    {"{\"TrafficMirrorFilters\": [{\"NetworkServices\": [\"amazon-dns\", \"s3\"]}]}", NULL,
     MDEC_E_SYNTAX, "\"s3\"", 0,
     "TrafficMirrorFilters[0].NetworkServices[1]: expected \"amazon-dns\" (the only network "
     "service AWS knows), found \"s3\""},
    {"{\"Foo\": 1, \"Bar\": [2]}", NULL, MDEC_E_SYNTAX, "{", 0,
     "expected TrafficMirrorFilters, TrafficMirrorFilterRules, or the "
     "IngressFilterRules/EgressFilterRules of a filter, found none of them"},
    {"{\"TrafficMirrorFilters\": [], \"EgressFilterRules\": []}", NULL, MDEC_E_SYNTAX,
     "\"EgressFilterRules\"", 0,
     "\"EgressFilterRules\" cannot be read together with TrafficMirrorFilters"},
    {"{\"TrafficMirrorFilterRules\": [], \"TrafficMirrorFilter\": {}}", NULL, MDEC_E_SYNTAX,
     "\"TrafficMirrorFilter\":", 0,
     "\"TrafficMirrorFilter\" cannot be read together with TrafficMirrorFilterRules"},
    /* JSON syntax */
    {"", NULL, MDEC_E_SYNTAX, "", 0,
     "expected a JSON object (the output of aws ec2 describe-traffic-mirror-filters), found the "
     "end of the text"},
    {"  [1, 2]", NULL, MDEC_E_SYNTAX, "[", 0, "expected a JSON object"},
    {"{\"TrafficMirrorFilters\": []} x", NULL, MDEC_E_SYNTAX, "x", 0,
     "unexpected text after the JSON document: found x"},
    {"{\"TrafficMirrorFilters\": []}}", NULL, MDEC_E_SYNTAX, "]}", 1,
     "unexpected text after the JSON document: found '}'"},
    {"{\"TrafficMirrorFilters\": [],}", NULL, MDEC_E_SYNTAX, "}", 0,
     "expected a member name in double quotes, found '}'"},
    {"{\"Tags\": [1, 2,], \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "]", 0,
     "expected a JSON value, found ']'"},
    {"{\"IngressFilterRules\": [" GOOD_RULE ",]}", NULL, MDEC_E_SYNTAX, "]}", 0,
     "expected a JSON value, found ']'"},
    {"{'TrafficMirrorFilters': []}", NULL, MDEC_E_SYNTAX, "'", 0,
     "expected a member name in double quotes, found 'Tr"},
    {"{\"TrafficMirrorFilters\" []}", NULL, MDEC_E_SYNTAX, "[", 0,
     "expected ':' after the member name, found an array"},
    {"{\"TrafficMirrorFilters\": [] \"x\": 1}", NULL, MDEC_E_SYNTAX, "\"x\"", 0,
     "expected ',' or '}', found \"x\""},
    {"{\"x\": [1 2], \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "2]", 0,
     "expected ',' or ']', found 2"},
    {"{\"x\": 0123, \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "0123", 0,
     "invalid number 0123 (JSON allows no leading zero)"},
    {"{\"x\": 1., \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "1.", 0,
     "expected a digit after '.'"},
    {"{\"x\": 1e, \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "1e", 0,
     "expected a digit in the exponent"},
    {"{\"x\": -, \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "-,", 0,
     "invalid number: expected a digit, found ','"},
    {"{\"x\": tru, \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "tru", 0,
     "expected a JSON value, found tru"},
    {"{\"x\": NaN, \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "NaN", 0,
     "expected a JSON value, found NaN"},
    {"{\"x\": \"a\\x\", \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "\\x", 0,
     "invalid escape in a string"},
    {"{\"x\": \"\\u12G4\", \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "\\u", 0,
     "expected 4 hex digits after '\\u'"},
    {"{\"x\": \"a\tb\", \"TrafficMirrorFilters\": []}", NULL, MDEC_E_SYNTAX, "\tb", 0,
     "control character in a string"},
    {"{\"TrafficMirrorFilters\": [], \"x\": \"abc", NULL, MDEC_E_SYNTAX, "abc", 1,
     "expected '\"' to end the string, found the end of the text"},
    {"{\"TrafficMirrorFilters\": [], \"x\": \"abc\\", NULL, MDEC_E_SYNTAX, "abc\\", 1,
     "found the end of the text"},
    {"{\"TrafficMirrorFilters\": [", NULL, MDEC_E_SYNTAX, "[", 1,
     "TrafficMirrorFilters[0]: expected a JSON value, found the end of the text"},
    {"{\"TrafficMirrorFilters\": []", NULL, MDEC_E_SYNTAX, "[]", 1,
     "expected ',' or '}', found the end of the text"},
};

static void check_bad_json(struct mdec_filter *f, const struct bad_json *c, size_t idx)
{
    char before[8192];
    dump_rules(f, before, sizeof before);
    const uint32_t opt = mdec_filter_options(f);
    uint32_t line, col;
    pos_of(c->json, c->at, c->after, &line, &col);
    struct mdec_parse_error e;
    memset(&e, 0xFF, sizeof e);
    /* on a guard page: the reader never looks past the end */
    struct guard g;
    const size_t len = strlen(c->json);
    guard_copy(&g, c->json, len);
    const int rc = mdec_filter_parse_aws_json(f, (const char *)g.p, len, c->id, &e);
    guard_free(&g);
    if (rc != c->rc || e.line != line || e.column != col || !strstr(e.message, c->msg))
        fail_msg("case %zu '%s':\n got rc %d at %u:%u '%s'\nwant rc %d at %u:%u with '%s'", idx,
                 c->json, rc, e.line, e.column, e.message, c->rc, line, col, c->msg);
    char after[8192];
    dump_rules(f, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(mdec_filter_options(f), opt);
}

static void test_errors(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(16);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_bad_json(f, &bad[i], i);
    /* again with rules and options already set: nothing changes */
    parse_ok(f, "ingress 100 accept all any any\negress 100 reject all any any\n"
                "amazon-dns mirror\nunknown-direction reject\n");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_bad_json(f, &bad[i], i);
    assert_int_equal(mdec_filter_count(f), 2);
    free(f);
}

static void test_capacity(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(5);
    parse_ok(f, "egress 1 accept all any any\namazon-dns mirror\n");
    const size_t n = load("describe-traffic-mirror-filters.json");
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, fixture_buf, n, "tmf-0293f26e86EXAMPLE", &e),
                     MDEC_E_NOSPACE);
    /* the 5th rule of the filter does not fit: EgressFilterRules[0] */
    assert_string_equal(e.message,
                        "TrafficMirrorFilters[0].EgressFilterRules[0]: the filter is full: it "
                        "holds at most 5 rules, 1 were in it and 4 came before this one");
    assert_int_equal(e.line, 73);
    assert_int_equal(e.column, 17);
    assert_int_equal(mdec_filter_count(f), 1);
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS);
    free(f);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(2);
    char doc[512];
    for (int depth = 62; depth <= 66; depth++) {
        /* the top object, then depth - 1 arrays inside a skipped member */
        size_t n = (size_t)snprintf(doc, sizeof doc, "{\"TrafficMirrorFilters\": [], \"x\": ");
        for (int i = 1; i < depth; i++)
            doc[n++] = '[';
        for (int i = 1; i < depth; i++)
            doc[n++] = ']';
        doc[n++] = '}';
        doc[n] = '\0';
        struct mdec_parse_error e;
        const int rc = mdec_filter_parse_aws_json(f, doc, n, NULL, &e);
        if (depth <= 64) {
            /* deep but legal: the document just holds no filter */
            assert_int_equal(rc, MDEC_E_NOTFOUND);
        } else {
            assert_int_equal(rc, MDEC_E_SYNTAX);
            assert_non_null(strstr(e.message, "containers nest deeper than 64 levels"));
            assert_int_equal(e.column, strlen("{\"TrafficMirrorFilters\": [], \"x\": ") + 64);
        }
    }
    /* Very deep input is refused without recursion or reading past the end */
    static char deep[200000];
    for (size_t i = 0; i < sizeof deep; i++)
        deep[i] = i % 2 ? '[' : '{';
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse_aws_json(f, deep, sizeof deep, NULL, &e), MDEC_E_SYNTAX);
    memset(deep, '[', sizeof deep);
    deep[0] = '{';
    memcpy(deep + 1, "\"a\":", 4);
    assert_int_equal(mdec_filter_parse_aws_json(f, deep, sizeof deep, NULL, &e), MDEC_E_SYNTAX);
    assert_non_null(strstr(e.message, "nest deeper"));
    free(f);
}

/* Every prefix of a real document on a guard page: always an error (the
 * document is only complete at its end), never a read past it, never a
 * change to the filter. */
static void test_every_prefix(void **state)
{
    (void)state;
    const size_t n = load("describe-traffic-mirror-filters.json");
    struct mdec_filter *f = new_filter(16);
    parse_ok(f, "ingress 1 accept all any any\n");
    for (size_t len = 0; len <= n; len++) {
        struct guard g;
        guard_copy(&g, fixture_buf, len);
        struct mdec_parse_error e;
        const int rc =
            mdec_filter_parse_aws_json(f, (const char *)g.p, len, "tmf-0a1b2c3d4e5f6a7b8", &e);
        guard_free(&g);
        /* the complete document ends in "}\n": the last byte may go */
        if (len >= n - 1) {
            assert_int_equal(rc, 0);
            assert_int_equal(mdec_filter_count(f), 3);
            assert_int_equal(mdec_filter_remove(f, MDEC_DIR_INGRESS, 10), 0);
            assert_int_equal(mdec_filter_remove(f, MDEC_DIR_INGRESS, 32766), 0);
            continue;
        }
        if (rc == 0)
            fail_msg("a document cut at %zu of %zu bytes was accepted", len, n);
        assert_true(e.line >= 1 && e.column >= 1 && e.message[0]);
        assert_int_equal(mdec_filter_count(f), 1);
    }
    free(f);
}

/* Damaged documents: random bytes changed, inserted or removed.  Never a
 * crash or a read past the end; an error leaves the filter as it was. */
static void test_damaged_documents(void **state)
{
    (void)state;
    const size_t n = load("describe-traffic-mirror-filters.json");
    static char doc[sizeof fixture_buf + 64];
    struct mdec_filter *f = new_filter(64);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    static const char alphabet[] = "{}[]\":,\\ 0123456789-.eEtrufalsn\x01\x80\xff";
    unsigned accepted = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(doc, fixture_buf, n);
        size_t len = n;
        const int edits = 1 + round % 4;
        for (int k = 0; k < edits; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const size_t at = (size_t)(x % len);
            const char c = alphabet[(x >> 32) % (sizeof alphabet - 1)];
            switch ((x >> 48) % 3) {
            case 0:
                doc[at] = c;
                break;
            case 1:
                memmove(doc + at + 1, doc + at, len - at);
                doc[at] = c;
                len++;
                break;
            default:
                memmove(doc + at, doc + at + 1, len - at - 1);
                len--;
                break;
            }
        }
        struct guard g;
        guard_copy(&g, doc, len);
        struct mdec_parse_error e;
        memset(&e, 0, sizeof e);
        const int rc = mdec_filter_parse_aws_json(f, (const char *)g.p, len,
                                                  round % 2 ? "tmf-0293f26e86EXAMPLE" : NULL, &e);
        guard_free(&g);
        if (rc == 0) {
            accepted++;
            mdec_filter_clear(f);
        } else {
            assert_true(e.line >= 1 && e.column >= 1);
            assert_true(strlen(e.message) > 10 && strlen(e.message) < sizeof e.message);
            assert_int_equal(mdec_filter_count(f), 0);
        }
    }
    /* some damage is harmless (a Description changed): not everything fails */
    assert_true(accepted > 0);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_filters_by_id),
        cmocka_unit_test(test_several_filters_need_an_id),
        cmocka_unit_test(test_filter_rules_output),
        cmocka_unit_test(test_wrapped_and_bare_filters),
        cmocka_unit_test(test_json_details),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_damaged_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
