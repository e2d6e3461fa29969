/*
 * tab_attack.c - the attack-traffic tables of the report (stats.h): attack
 * sources by country and by AS (all grades, and verified + consistent
 * only), the top target ports, and intrusion attempts by country.
 *
 * Built at the end of the run from the per-country and per-AS counters the
 * collector summed from the incidents' by_country / by_asn groups, and from
 * the compact incident copies (ports). docs/report.md says what counts.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

static const char attack_unit[] =
    "connection attempts (packets for floods, probes for scans, attempts for brute force)";

static const char attack_notes[] =
    "Sources of scan, brute-force and flood incidents (backscatter and known-bad contacts "
    "are not attack traffic toward the vantage). Attempts: the incident's packets (floods), "
    "probes (scans) or login attempts (brute force) from sources of that group. Sources are "
    "distinct per incident and summed over incidents: a source in two incidents counts "
    "twice. Countries and ASes are those of the source address in the databases listed, "
    "not the attacker's.";

static uint64_t sum_mask(const uint64_t *v, unsigned mask)
{
    uint64_t t = 0;
    for (unsigned g = 0; g < ASC_GRADE__COUNT; g++)
        if (mask & (1u << g))
            t += v[g];
    return t;
}

/* Fills the attempt/source columns of one row from g; false if empty. */
static bool fill_attack(union asc_cell *r, size_t at, const struct st_grp *g, unsigned mask)
{
    uint64_t att = sum_mask(g->att_pkts, mask), src = sum_mask(g->att_src, mask);
    if (!att && !src)
        return false;
    r[at].u = att;
    r[at + 2].u = src;
    size_t c = at + 4;
    for (unsigned k = 0; k < ASC_GRADE__COUNT; k++)
        if (mask & (1u << k))
            r[c++].u = g->att_src[k];
    return true;
}

/* Shares of columns a (attempts) and a+2 (sources) into a+1 and a+3. */
static void fill_shares(struct asc_table *t, size_t a)
{
    uint64_t ta = 0, ts = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        ta += t->cells[r * ASC_TAB_COLS + a].u;
        ts += t->cells[r * ASC_TAB_COLS + a + 2].u;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        union asc_cell *c = &t->cells[r * ASC_TAB_COLS];
        c[a + 1].d = ta ? (double)c[a].u / (double)ta : 0;
        c[a + 3].d = ts ? (double)c[a + 2].u / (double)ts : 0;
    }
}

static void attack_cols(struct asc_table *t, unsigned mask)
{
    tab_col(t, "attempts", "Attempts", ASC_COL_INT);
    tab_col(t, "attempt_share", "Share of attempts", ASC_COL_SHARE);
    tab_col(t, "sources", "Sources", ASC_COL_INT);
    tab_col(t, "source_share", "Share of sources", ASC_COL_SHARE);
    tab_grade_cols(t, mask);
}

static void attack_by_cc(struct asc_stats *st, struct asc_table *t, bool ver)
{
    unsigned mask = ver ? (1u << ASC_GRADE_VERIFIED) | (1u << ASC_GRADE_CONSISTENT)
                        : ASC_ALL_GRADES;
    tab_init(t, ver ? "attack_sources_by_country_verified" : "attack_sources_by_country",
             ver ? "Attack traffic by source country (verified and consistent sources)"
                 : "Attack traffic by source country",
             "by source IP, not attribution", "grade_bars", attack_unit, mask);
    tab_note(t, "%s", attack_notes);
    if (ver)
        tab_note(t, "Only sources graded verified or consistent: their addresses are real or "
                    "fit the path they came by; reflected, spoofed and relayed sources are "
                    "left out.");
    tab_note(t, "Rows: attempts descending, then sources descending, then country code.");
    tab_col(t, "cc", "Country", ASC_COL_CC);
    attack_cols(t, mask);
    for (size_t i = 0; i < ST_NCC; i++) {
        union asc_cell tmp[ASC_TAB_COLS] = {{0}};
        if (!fill_attack(tmp, 1, &st->cc[i], mask))
            continue;
        char cc[3];
        st_cc_code(i, cc);
        union asc_cell *r = tab_row(t);
        memcpy(r, tmp, sizeof(tmp));
        r[0].s = tab_str(cc);
    }
    fill_shares(t, 1);
    static const int spec[] = {-2, -4, 1};
    tab_sort(t, spec, ASC_ARRAY_LEN(spec));
}

static void attack_by_asn(struct asc_stats *st, struct asc_table *t, bool ver)
{
    unsigned mask = ver ? (1u << ASC_GRADE_VERIFIED) | (1u << ASC_GRADE_CONSISTENT)
                        : ASC_ALL_GRADES;
    tab_init(t, ver ? "attack_sources_by_asn_verified" : "attack_sources_by_asn",
             ver ? "Attack traffic by source AS (verified and consistent sources)"
                 : "Attack traffic by source AS",
             "by source IP, not attribution", "grade_bars", attack_unit, mask);
    tab_note(t, "%s", attack_notes);
    if (ver)
        tab_note(t, "Only sources graded verified or consistent.");
    tab_note(t, "AS 0: unknown (no database knows an announcing AS, or the detector's AS "
                "table was full). Rows: attempts descending, then sources descending, then "
                "AS number.");
    tab_col(t, "asn", "AS", ASC_COL_ASN);
    tab_col(t, "as_name", "AS name", ASC_COL_STRING);
    attack_cols(t, mask);
    size_t n;
    struct st_asn **v = st_asn_list(st, &n);
    for (size_t i = 0; i < n; i++) {
        union asc_cell tmp[ASC_TAB_COLS] = {{0}};
        if (!fill_attack(tmp, 2, &v[i]->g, mask))
            continue;
        union asc_cell *r = tab_row(t);
        memcpy(r, tmp, sizeof(tmp));
        r[0].u = v[i]->asn - 1;
        r[1].s = tab_str(v[i]->name);
    }
    free(v);
    fill_shares(t, 2);
    static const int spec[] = {-3, -5, 1};
    tab_sort(t, spec, ASC_ARRAY_LEN(spec));
}

static const char *proto_str(uint8_t p, char *b, size_t len)
{
    switch (p) {
    case 6: return "tcp";
    case 17: return "udp";
    case 132: return "sctp";
    default: snprintf(b, len, "%u", p); return b;
    }
}

struct port_ref {
    uint32_t key;       /* proto << 16 | port */
    const struct st_inc *inc;
};

static int cmp_port_ref(const void *pa, const void *pb)
{
    const struct port_ref *a = pa, *b = pb;
    return a->key < b->key ? -1 : a->key > b->key;
}

static void target_ports(struct asc_stats *st, struct asc_table *t)
{
    tab_init(t, "attack_target_ports", "Top target ports of attack traffic", "", "table",
             "incidents listing the port among their top target ports", ASC_ALL_GRADES);
    tab_note(t, "Scan, brute-force and flood incidents. incidents: those that list the port "
                "among their top target ports (up to 8 each); sources: their sources, summed; "
                "attempts: the packets of those incidents where the port takes at least 90%% "
                "(victim_port), others are not split by port; grade columns: the incidents' "
                "sources per grade, summed. Rows: incidents descending, then attempts "
                "descending, then protocol and port.");
    tab_col(t, "proto", "Protocol", ASC_COL_STRING);
    tab_col(t, "port", "Port", ASC_COL_INT);
    tab_col(t, "incidents", "Incidents", ASC_COL_INT);
    tab_col(t, "sources", "Sources", ASC_COL_INT);
    tab_col(t, "attempts", "Attempts", ASC_COL_INT);
    tab_grade_cols(t, ASC_ALL_GRADES);
    size_t n = 0;
    struct port_ref *v = asc_xcalloc(st->n_inc * ASC_INC_PORTS + 1, sizeof(*v));
    for (size_t i = 0; i < st->n_inc; i++) {
        const struct st_inc *c = &st->inc[i];
        if (!st_is_attack(c->type))
            continue;
        for (size_t j = 0; j < c->n_ports; j++)
            v[n++] = (struct port_ref){((uint32_t)c->proto << 16) | c->ports[j], c};
    }
    qsort(v, n, sizeof(*v), cmp_port_ref);
    union asc_cell *r = NULL;
    char pb[8];
    for (size_t i = 0; i < n; i++) {
        const struct st_inc *c = v[i].inc;
        uint16_t port = (uint16_t)(v[i].key & 0xffff);
        if (i == 0 || v[i].key != v[i - 1].key) {
            r = tab_row(t);
            r[0].s = tab_str(proto_str((uint8_t)(v[i].key >> 16), pb, sizeof(pb)));
            r[1].u = port;
        }
        r[2].u++;
        r[3].u += c->n_sources;
        if (c->victim_port == port)
            r[4].u += c->pkts;
        for (int g = 0; g < ASC_GRADE__COUNT; g++)
            r[5 + g].u += c->grade_count[g];
    }
    free(v);
    static const int spec[] = {-3, -5, 1, 2};
    tab_sort(t, spec, ASC_ARRAY_LEN(spec));
}

static void intrusion(struct asc_stats *st, struct asc_table *t)
{
    tab_init(t, "intrusion_attempts_by_country", "Intrusion attempts by source country",
             "by source IP, not attribution", "map",
             "intrusion attempts (login attempts for brute force, probes for service sweeps)",
             ASC_ALL_GRADES);
    tab_note(t, "Brute-force incidents (every login attempt) and exploit-like probes: scan "
                "incidents with one target port (victim_port set: that port takes at least "
                "90%% of the probes, a sweep for one service); scans over many ports are "
                "reconnaissance and are not counted. Sources are distinct per incident, "
                "summed over incidents. Rows: attempts descending, then sources descending, "
                "then country code.");
    tab_col(t, "cc", "Country", ASC_COL_CC);
    tab_col(t, "attempts", "Attempts", ASC_COL_INT);
    tab_col(t, "attempt_share", "Share of attempts", ASC_COL_SHARE);
    tab_col(t, "sources", "Sources", ASC_COL_INT);
    tab_col(t, "source_share", "Share of sources", ASC_COL_SHARE);
    tab_col(t, "bruteforce", "Brute-force attempts", ASC_COL_INT);
    tab_col(t, "probes", "Probes", ASC_COL_INT);
    tab_grade_cols(t, ASC_ALL_GRADES);
    for (size_t i = 0; i < ST_NCC; i++) {
        const struct st_grp *g = &st->cc[i];
        uint64_t src = sum_mask(g->intr_src, ASC_ALL_GRADES);
        if (!g->bf_att && !g->probe_att && !src)
            continue;
        char cc[3];
        st_cc_code(i, cc);
        union asc_cell *r = tab_row(t);
        r[0].s = tab_str(cc);
        r[1].u = g->bf_att + g->probe_att;
        r[3].u = src;
        r[5].u = g->bf_att;
        r[6].u = g->probe_att;
        for (int k = 0; k < ASC_GRADE__COUNT; k++)
            r[7 + k].u = g->intr_src[k];
    }
    fill_shares(t, 1);
    static const int spec[] = {-2, -4, 1};
    tab_sort(t, spec, ASC_ARRAY_LEN(spec));
}

void st_build_attack(struct asc_stats *st)
{
    attack_by_cc(st, &st->tab[ASC_TAB_ATTACK_CC], false);
    attack_by_asn(st, &st->tab[ASC_TAB_ATTACK_ASN], false);
    attack_by_cc(st, &st->tab[ASC_TAB_ATTACK_CC_VER], true);
    attack_by_asn(st, &st->tab[ASC_TAB_ATTACK_ASN_VER], true);
    target_ports(st, &st->tab[ASC_TAB_PORTS]);
    intrusion(st, &st->tab[ASC_TAB_INTRUSION_CC]);
}
