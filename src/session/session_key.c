/*
 * session_key.c - session keys: taken from a decoded packet, written as text
 * and read back.
 *
 * A key is the kind of tunnel that delivered a packet and the id that tunnel
 * carries: a VXLAN, VXLAN-GPE or GENEVE VNI (24 bits), an ERSPAN session id
 * (10 bits), a GRE key (32 bits), or the 64-bit endpoint id of an AWS Gateway
 * Load Balancer (a GENEVE tunnel with option class 0x0108 type 1).  A tunnel
 * without an id (ERSPAN type I, GRE without K, VXLAN-GPE without I, a header
 * cut short) gives has_id 0.
 *
 * Text form:  none | KIND:ID | KIND:- | ID   (a bare ID is a VXLAN VNI)
 *   KIND  none vxlan vxlan-gpe geneve erspan gre gwlb (any letter case)
 *   ID    decimal without leading zeros, or 0x-prefixed hex
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "session_int.h"
#include "text.h"

/* By kind; the kinds are sparse (1..63 tunnel types, 64 up option ids). */
#define N_KINDS (MDEC_KEY_GWLB + 1)
static const char *const kind_names[N_KINDS] = {
    [MDEC_KEY_NONE] = "none",     [MDEC_KEY_VXLAN] = "vxlan", [MDEC_KEY_VXLAN_GPE] = "vxlan-gpe",
    [MDEC_KEY_GENEVE] = "geneve", [MDEC_KEY_ERSPAN] = "erspan", [MDEC_KEY_GRE] = "gre",
    [MDEC_KEY_GWLB] = "gwlb",
};

/* Bits of the id per kind (0 for NONE and the unused values). */
static const uint8_t kind_bits[N_KINDS] = {
    [MDEC_KEY_VXLAN] = 24, [MDEC_KEY_VXLAN_GPE] = 24, [MDEC_KEY_GENEVE] = 24,
    [MDEC_KEY_ERSPAN] = 10, [MDEC_KEY_GRE] = 32,      [MDEC_KEY_GWLB] = 64,
};

/* A kind the enum names. */
static int kind_known(unsigned kind)
{
    return kind < N_KINDS && kind_names[kind] != NULL;
}

/* The key kinds 1..5 are the tunnel types of the same number. */
_Static_assert((int)MDEC_KEY_VXLAN == (int)MDEC_TUNNEL_VXLAN &&
                   (int)MDEC_KEY_VXLAN_GPE == (int)MDEC_TUNNEL_VXLAN_GPE &&
                   (int)MDEC_KEY_GENEVE == (int)MDEC_TUNNEL_GENEVE &&
                   (int)MDEC_KEY_ERSPAN == (int)MDEC_TUNNEL_ERSPAN &&
                   (int)MDEC_KEY_GRE == (int)MDEC_TUNNEL_GRE,
               "key kinds 1..5 equal tunnel types");

uint64_t mdec__key_id_max(unsigned kind)
{
    if (!kind_known(kind) || kind_bits[kind] == 0)
        return 0;
    return kind_bits[kind] == 64 ? UINT64_MAX : (UINT64_C(1) << kind_bits[kind]) - 1;
}

int mdec__key_valid(const struct mdec_key *key)
{
    if (!kind_known(key->kind) || key->has_id > 1)
        return 0;
    if (key->kind == MDEC_KEY_NONE)
        return !key->has_id && key->id == 0;
    if (key->kind == MDEC_KEY_GWLB && !key->has_id)
        return 0;
    if (!key->has_id)
        return key->id == 0;
    return key->id <= mdec__key_id_max(key->kind);
}

const char *mdec_key_kind_name(enum mdec_key_kind kind)
{
    return kind_known((unsigned)kind) ? kind_names[kind] : "?";
}

int mdec_key_from_result(const struct mdec_result *res, struct mdec_key *key)
{
    if (res == NULL || key == NULL) {
        if (key != NULL)
            memset(key, 0, sizeof *key);
        return -1;
    }
    return mdec__key_from_result(res, key);
}

int mdec_key_format(const struct mdec_key *key, char *buf, size_t size)
{
    if (key == NULL || buf == NULL)
        return MDEC_E_INVALID;
    struct sbuf b;
    mdec__sb_init(&b, buf, size);
    if (!kind_known(key->kind)) {
        (void)mdec__sb_done(&b);
        return MDEC_E_INVALID;
    }
    mdec__sb_str(&b, kind_names[key->kind]);
    if (key->kind != MDEC_KEY_NONE) {
        mdec__sb_char(&b, ':');
        if (!key->has_id) {
            mdec__sb_char(&b, '-');
        } else if (key->kind == MDEC_KEY_GWLB) {
            mdec__sb_str(&b, "0x");
            mdec__sb_hex(&b, key->id, 16);
        } else {
            mdec__sb_u64(&b, key->id);
        }
    }
    return mdec__sb_done(&b);
}

/* ---------------------------------------------------------------- parsing */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The kind named by s[0..n) in any letter case, or -1. */
static int kind_of(const char *s, size_t n)
{
    for (unsigned k = 0; k < N_KINDS; k++) {
        const char *name = kind_names[k];
        if (name == NULL)
            continue;
        size_t i = 0;
        while (i < n && name[i] && lower((unsigned char)s[i]) == name[i])
            i++;
        if (i == n && name[i] == '\0')
            return (int)k;
    }
    return -1;
}

static int digit_val(char c, unsigned base)
{
    int v = -1;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v >= 0 && (unsigned)v < base ? v : -1;
}

static int syntax(struct mdec_parse_error *err, size_t at, const char *a, const char *q, size_t qn,
                  const char *z)
{
    mdec__perr(err, 1, mdec__u32((uint64_t)at + 1), a, q, qn, z);
    return MDEC_E_SYNTAX;
}

static const char expect_id[] = "expected an id (decimal, or hex after 0x) or '-'";

/* Parses the id of a key of this kind from s[at..len), which must end there. */
static int parse_id(const char *s, size_t len, size_t at, unsigned kind, uint64_t *out,
                    struct mdec_parse_error *err)
{
    size_t i = at;
    unsigned base = 10;
    if (i == len)
        return syntax(err, i, expect_id, NULL, 0, "");
    if (len - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
        if (i == len || digit_val(s[i], 16) < 0)
            return syntax(err, i, "expected hex digits after '0x'", NULL, 0, "");
    } else if (digit_val(s[i], 10) < 0) {
        return syntax(err, i, "expected an id (decimal, or hex after 0x) or '-', found ", s + i,
                      len - i, "");
    } else if (s[i] == '0' && len - i >= 2 && digit_val(s[i + 1], 10) >= 0) {
        return syntax(err, i, "leading zero in decimal id ", s + at, len - at,
                      " (write hex as 0x...)");
    }
    uint64_t v = 0;
    int over = 0;
    for (int d; i < len && (d = digit_val(s[i], base)) >= 0; i++) {
        if (v > (UINT64_MAX - (unsigned)d) / base)
            over = 1;
        else
            v = v * base + (unsigned)d;
    }
    if (i != len)
        return syntax(err, i, "unexpected text after the id: ", s + i, len - i, "");
    const uint64_t max = mdec__key_id_max(kind);
    if (over || v > max) {
        char z[96];
        struct sbuf b;
        mdec__sb_init(&b, z, sizeof z);
        mdec__sb_str(&b, " is above ");
        mdec__sb_u64(&b, max);
        mdec__sb_str(&b, ", the largest ");
        mdec__sb_str(&b, kind_names[kind]);
        mdec__sb_str(&b, " id (");
        mdec__sb_u64(&b, kind_bits[kind]);
        mdec__sb_str(&b, " bits)");
        (void)mdec__sb_done(&b);
        return syntax(err, at, "id ", s + at, len - at, z);
    }
    *out = v;
    return 0;
}

static const char expect_kind[] =
    ", expected none, vxlan, vxlan-gpe, geneve, erspan, gre, gwlb or a VXLAN VNI";

int mdec_key_parse(const char *text, size_t len, struct mdec_key *key,
                   struct mdec_parse_error *err)
{
    if (key == NULL || (text == NULL && len > 0))
        return MDEC_E_INVALID;
    struct mdec_key k;
    memset(&k, 0, sizeof k);
    if (text == NULL)
        len = 0;
    if (len == 0)
        return syntax(err, 0, "found nothing, expected a session key such as 'vxlan:123'", NULL,
                      0, "");
    size_t colon = 0;
    while (colon < len && text[colon] != ':')
        colon++;

    if (colon == len && digit_val(text[0], 10) >= 0) {
        /* A bare number: a VXLAN VNI, as AWS names its mirror sessions. */
        k.kind = MDEC_KEY_VXLAN;
        k.has_id = 1;
        int rc = parse_id(text, len, 0, MDEC_KEY_VXLAN, &k.id, err);
        if (rc)
            return rc;
        *key = k;
        return 0;
    }
    const int kind = kind_of(text, colon);
    if (kind < 0)
        return syntax(err, 0, "unknown key kind ", text, colon, expect_kind);
    k.kind = (uint8_t)kind;
    if (kind == MDEC_KEY_NONE) {
        if (colon != len)
            return syntax(err, colon, "a 'none' key takes no id: unexpected ", text + colon,
                          len - colon, "");
        *key = k;
        return 0;
    }
    if (colon == len)
        return syntax(err, len, "expected ':' and an id after ", text, len, "");
    const size_t at = colon + 1;
    if (len - at == 1 && text[at] == '-') {
        if (kind == MDEC_KEY_GWLB)
            return syntax(err, at, "a gwlb key needs its endpoint id, not '-'", NULL, 0, "");
        *key = k;
        return 0;
    }
    k.has_id = 1;
    int rc = parse_id(text, len, at, (unsigned)kind, &k.id, err);
    if (rc)
        return rc;
    *key = k;
    return 0;
}
