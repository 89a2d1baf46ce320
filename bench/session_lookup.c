/*
 * session_lookup.c - what mdec_table_find() costs with 10 sessions and with
 * 100k sessions, in the same run: hits (keys drawn at random from those
 * present) and misses (absent keys), in random order.  Prints the median of
 * several passes, the spread, and the ratio of the two table sizes.  It
 * asserts nothing about time.
 *
 *   session_lookup [LOOKUPS_PER_PASS [PASSES]]     (defaults 1000000, 11)
 *
 * Expect the large table to cost more per lookup even though both do the
 * same expected number of probes: 10 sessions fit in L1, 100k sessions (over
 * 20 MB of slots and index) do not, so a lookup there pays cache and TLB
 * misses.  The ratio measures the memory hierarchy, not the algorithm.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <mirrordec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static struct mdec_key vxlan(uint32_t vni)
{
    return (struct mdec_key){.kind = MDEC_KEY_VXLAN, .has_id = 1, .id = vni};
}

struct setup {
    uint32_t sessions;
    size_t bytes;
    void *mem;
    struct mdec_table *t;
    struct mdec_key *hits, *misses; /* lookups keys each */
    double *hit_ns, *miss_ns;       /* per pass          */
};

static void die(const char *what)
{
    fprintf(stderr, "session_lookup: %s\n", what);
    exit(1);
}

static void build(struct setup *s, uint32_t sessions, size_t lookups, unsigned passes)
{
    s->sessions = sessions;
    s->bytes = mdec_table_size(sessions);
    s->mem = aligned_alloc(MDEC_TABLE_ALIGN, (s->bytes + 15) / 16 * 16);
    s->hits = malloc(lookups * sizeof *s->hits);
    s->misses = malloc(lookups * sizeof *s->misses);
    struct mdec_key *present = malloc(sessions * sizeof *present);
    s->hit_ns = calloc(passes, sizeof(double));
    s->miss_ns = calloc(passes, sizeof(double));
    if (!s->mem || !s->hits || !s->misses || !present || !s->hit_ns || !s->miss_ns)
        die("out of memory");
    s->t = mdec_table_init(s->mem, s->bytes, sessions, NULL);
    if (!s->t)
        die("mdec_table_init failed");
    /* AWS gives each mirror session a random 24-bit VNI. */
    for (uint32_t n = 0; n < sessions;) {
        struct mdec_key k = vxlan((uint32_t)(rnd() & 0xFFFFFF));
        if (mdec_table_add(s->t, &k, NULL) == 0)
            present[n++] = k;
    }
    for (size_t i = 0; i < lookups; i++) {
        s->hits[i] = present[rnd() % sessions];
        do
            s->misses[i] = vxlan((uint32_t)(rnd() & 0xFFFFFF));
        while (mdec_table_find(s->t, &s->misses[i]));
    }
    free(present);
}

/* One timed pass; returns ns per lookup and checks the outcome. */
static double pass(const struct mdec_table *t, const struct mdec_key *keys, size_t n,
                   size_t want_found)
{
    size_t found = 0;
    const double t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        found += mdec_table_find(t, &keys[i]) != NULL;
    const double t1 = now_ns();
    if (found != want_found)
        die("lookups found the wrong number of sessions");
    return (t1 - t0) / (double)n;
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    size_t lookups = 1000000;
    unsigned passes = 11;
    if (argc > 1)
        lookups = strtoul(argv[1], NULL, 10);
    if (argc > 2)
        passes = (unsigned)strtoul(argv[2], NULL, 10);
    if (lookups == 0 || passes == 0)
        die("usage: session_lookup [LOOKUPS_PER_PASS [PASSES]]");

    struct setup set[2];
    build(&set[0], 10, lookups, passes);
    build(&set[1], 100000, lookups, passes);

    /* Warm up, then interleave the two sizes pass by pass so that noise
     * from other tenants lands on both alike. */
    for (int s = 0; s < 2; s++) {
        (void)pass(set[s].t, set[s].hits, lookups, lookups);
        (void)pass(set[s].t, set[s].misses, lookups, 0);
    }
    for (unsigned p = 0; p < passes; p++) {
        for (int s = 0; s < 2; s++) {
            set[s].hit_ns[p] = pass(set[s].t, set[s].hits, lookups, lookups);
            set[s].miss_ns[p] = pass(set[s].t, set[s].misses, lookups, 0);
        }
    }

    printf("mirrordec %s: mdec_table_find(), VXLAN keys, random order\n", mdec_version());
    printf("%zu lookups per pass, median of %u passes (min..max in brackets)\n", lookups, passes);
    printf("NOTE: this machine is shared and noisy; the figures are indicative only.\n"
           "      Compare them within one run, never against another machine's.\n\n");
    printf("%9s %12s %26s %26s\n", "sessions", "table bytes", "hit ns/lookup", "miss ns/lookup");
    double med_hit[2], med_miss[2];
    for (int s = 0; s < 2; s++) {
        med_hit[s] = median(set[s].hit_ns, passes);
        med_miss[s] = median(set[s].miss_ns, passes);
        char h[40], m[40];
        snprintf(h, sizeof h, "%.2f [%.2f..%.2f]", med_hit[s], set[s].hit_ns[0],
                 set[s].hit_ns[passes - 1]);
        snprintf(m, sizeof m, "%.2f [%.2f..%.2f]", med_miss[s], set[s].miss_ns[0],
                 set[s].miss_ns[passes - 1]);
        printf("%9u %12zu %26s %26s\n", set[s].sessions, set[s].bytes, h, m);
    }
    printf("\nratio 100k / 10 sessions: hits %.2fx, misses %.2fx\n", med_hit[1] / med_hit[0],
           med_miss[1] / med_miss[0]);

    for (int s = 0; s < 2; s++) {
        free(set[s].mem);
        free(set[s].hits);
        free(set[s].misses);
        free(set[s].hit_ns);
        free(set[s].miss_ns);
    }
    return 0;
}
