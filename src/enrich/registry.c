/*
 * registry.c - RIR delegated files, pfx2as, country lists and iptoasn TSV
 * loaded into an LPM and served as a geolocation backend.
 *
 * Enrichment stage (see registry.h for formats and contract). Every file is
 * read line by line through zlib's gz reader, which also reads plain files,
 * so any format may be compressed. A line longer than ASC_REGISTRY_MAX_LINE
 * is malformed; memory grows only with accepted prefixes, which the LPM
 * caps. The LPM value packs what a prefix says: AS number (bits 0-31),
 * country code (bits 32-47) and two presence bits; AS names live in a
 * sorted (asn, name) array. After open, nothing is written: lookups are
 * read-only.
 */
#include "enrich/registry.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "core/cursor.h"
#include "enrich/lpm.h"

enum fmt { FMT_NONE, FMT_RIR, FMT_PFX2AS, FMT_COUNTRY, FMT_IPTOASN };

static const char *const fmt_kind[] = {"", "rir", "pfx2as", "country-lists", "iptoasn"};

#define V_HAS_ASN (1ull << 48)
#define V_HAS_CC (1ull << 49)
#define MAX_NAMES (4u * 1024 * 1024)
#define MAX_NAMES_JSON (64u * 1024 * 1024)

struct name {
    uint32_t asn;
    uint32_t seq;
    char *s;
};

struct reg {
    struct asc_lpm *lpm;
    struct asc_registry_stats st;
    enum fmt fmt;
    char *path;
    char desc[96];
    const char *vendor;
    int64_t built;
    struct name *names;
    size_t n_names, cap_names;
};

/* Per-file parse state. */
struct pfile {
    struct reg *r;
    const char *path;
    uint64_t line;
    char cc[3];          /* country lists: from the header or the directory */
    uint64_t n_bad, first_bad;
    const char *why;
};

/* ------------------------------------------------------------ small parsers */

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Two ASCII letters, upper-cased into cc; "ZZ" (unknown) gives "". */
static bool parse_cc(const char *s, char cc[3])
{
    if (!s[0] || !s[1] || s[2])
        return false;
    for (int i = 0; i < 2; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            return false;
        cc[i] = c;
    }
    cc[2] = '\0';
    if (strcmp(cc, "ZZ") == 0)
        cc[0] = '\0';
    return true;
}

/* YYYYMMDD to seconds since the epoch (UTC); false when not a date. */
static bool parse_yyyymmdd(const char *s, int64_t *out)
{
    uint64_t v;
    if (strlen(s) != 8 || !parse_u64(s, 99999999, &v))
        return false;
    struct tm tm = {0};
    tm.tm_year = (int)(v / 10000) - 1900;
    tm.tm_mon = (int)(v / 100 % 100) - 1;
    tm.tm_mday = (int)(v % 100);
    if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

static int split(char *s, char sep, char **f, int max)
{
    int n = 0;
    while (n < max) {
        f[n++] = s;
        char *e = strchr(s, sep);
        if (!e)
            break;
        *e = '\0';
        s = e + 1;
    }
    return n;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* ------------------------------------------------------------ state */

static void bad(struct pfile *pf, const char *why)
{
    pf->n_bad++;
    pf->r->st.n_bad++;
    if (!pf->first_bad) {
        pf->first_bad = pf->line;
        pf->why = why;
        if (!pf->r->st.first_bad_line)
            pf->r->st.first_bad_line = pf->line;
    }
}

static uint64_t mkval(const char *cc, bool has_asn, uint32_t asn)
{
    uint64_t v = 0;
    if (cc && cc[0])
        v |= V_HAS_CC | (uint64_t)(uint8_t)cc[0] << 32 | (uint64_t)(uint8_t)cc[1] << 40;
    if (has_asn)
        v |= V_HAS_ASN | asn;
    return v;
}

static bool add_prefix(struct pfile *pf, const struct asc_addr *net, unsigned plen, uint64_t v)
{
    if (asc_lpm_add(pf->r->lpm, net, plen, v) != 0) {
        bad(pf, "prefix table full");
        return false;
    }
    pf->r->st.n_prefixes++;
    return true;
}

struct range_ctx {
    struct pfile *pf;
    uint64_t val;
};

static void range_cb(void *ctx, const struct asc_addr *net, unsigned plen)
{
    struct range_ctx *rc = ctx;
    add_prefix(rc->pf, net, plen, rc->val);
}

static bool add_range(struct pfile *pf, const struct asc_addr *lo, const struct asc_addr *hi,
                      uint64_t v)
{
    struct range_ctx rc = {pf, v};
    return asc_range_to_cidrs(lo, hi, range_cb, &rc) > 0;
}

static void add_name(struct reg *r, uint32_t asn, const char *s)
{
    if (r->n_names >= MAX_NAMES || !*s)
        return;
    if (r->n_names == r->cap_names) {
        r->cap_names = r->cap_names ? r->cap_names * 2 : 1024;
        r->names = asc_xrealloc(r->names, r->cap_names, sizeof(*r->names));
    }
    r->names[r->n_names] = (struct name){asn, (uint32_t)r->n_names, asc_xstrdup(s)};
    r->n_names++;
}

static int name_cmp(const void *pa, const void *pb)
{
    const struct name *a = pa, *b = pb;
    if (a->asn != b->asn)
        return a->asn < b->asn ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts by AS number and keeps the first name given for each. */
static void names_finish(struct reg *r)
{
    if (!r->n_names)
        return;
    qsort(r->names, r->n_names, sizeof(*r->names), name_cmp);
    size_t w = 0;
    for (size_t i = 1; i < r->n_names; i++) {
        if (r->names[i].asn == r->names[w].asn) {
            free(r->names[i].s);
            continue;
        }
        r->names[++w] = r->names[i];
    }
    r->n_names = w + 1;
    r->st.n_names = r->n_names;
}

static const char *name_of(const struct reg *r, uint32_t asn)
{
    size_t lo = 0, hi = r->n_names;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->names[mid].asn < asn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_names && r->names[lo].asn == asn ? r->names[lo].s : NULL;
}

/* ------------------------------------------------------------ RIR */

static const char *rir_vendor(const char *reg)
{
    static const char *const map[][2] = {
        {"afrinic", "AFRINIC"}, {"apnic", "APNIC"}, {"arin", "ARIN"},
        {"lacnic", "LACNIC"},   {"ripencc", "RIPE NCC"}, {"iana", "IANA"},
    };
    for (size_t i = 0; i < ASC_ARRAY_LEN(map); i++)
        if (strcmp(reg, map[i][0]) == 0)
            return map[i][1];
    return "RIR";
}

static bool is_version(const char *s)
{
    if (*s < '0' || *s > '9')
        return false;
    for (; *s; s++)
        if ((*s < '0' || *s > '9') && *s != '.')
            return false;
    return true;
}

static void rir_header(struct pfile *pf, char **f, int n)
{
    struct reg *r = pf->r;
    uint64_t v;
    snprintf(r->st.version, sizeof(r->st.version), "%s", f[0]);
    r->vendor = rir_vendor(f[1]);
    if (n > 3 && parse_u64(f[3], UINT64_MAX, &v))
        r->st.hdr_records = v;
    if (!(n > 5 && parse_yyyymmdd(f[5], &r->built)))
        parse_yyyymmdd(f[2], &r->built);
    snprintf(r->desc, sizeof(r->desc), "RIR statistics exchange file, version %s", f[0]);
}

static void rir_summary(struct pfile *pf, char **f)
{
    uint64_t v;
    if (!parse_u64(f[4], UINT64_MAX, &v)) {
        bad(pf, "bad summary count");
        return;
    }
    if (strcmp(f[2], "ipv4") == 0)
        pf->r->st.sum_ipv4 = v;
    else if (strcmp(f[2], "ipv6") == 0)
        pf->r->st.sum_ipv6 = v;
    else if (strcmp(f[2], "asn") == 0)
        pf->r->st.sum_asn = v;
}

static void rir_record(struct pfile *pf, char **f)
{
    struct reg *r = pf->r;
    char cc[3] = "";
    uint64_t v;
    struct asc_addr lo, hi;
    bool v4 = strcmp(f[2], "ipv4") == 0, v6 = strcmp(f[2], "ipv6") == 0;
    if (strcmp(f[2], "asn") == 0) {
        r->st.n_records++;
        r->st.n_skipped++;
        return;
    }
    if ((!v4 && !v6) || (f[1][0] && !parse_cc(f[1], cc))) {
        bad(pf, v4 || v6 ? "bad country code" : "unknown record type");
        return;
    }
    if (asc_addr_parse(f[3], &lo) != 0 || lo.family != (v4 ? ASC_AF_INET : ASC_AF_INET6)) {
        bad(pf, "bad start address");
        return;
    }
    if (v4) {
        uint32_t a = asc_load_be32(lo.b);
        if (!parse_u64(f[4], UINT64_C(1) << 32, &v) || v == 0 || a + (v - 1) > UINT32_MAX) {
            bad(pf, "bad IPv4 count");
            return;
        }
        r->st.n_v4_records++;
    } else {
        if (!parse_u64(f[4], 128, &v)) {
            bad(pf, "bad IPv6 prefix length");
            return;
        }
        r->st.n_v6_records++;
    }
    r->st.n_records++;
    if (strcmp(f[6], "allocated") != 0 && strcmp(f[6], "assigned") != 0) {
        r->st.n_skipped++;
        return;
    }
    if (v6) {
        add_prefix(pf, &lo, (unsigned)v, mkval(cc, false, 0));
        return;
    }
    uint32_t last = asc_load_be32(lo.b) + (uint32_t)(v - 1);
    hi = lo;
    hi.b[0] = (uint8_t)(last >> 24), hi.b[1] = (uint8_t)(last >> 16);
    hi.b[2] = (uint8_t)(last >> 8), hi.b[3] = (uint8_t)last;
    add_range(pf, &lo, &hi, mkval(cc, false, 0));
}

static void rir_line(struct pfile *pf, char *line)
{
    char *f[12];
    int n = split(line, '|', f, 12);
    if (n >= 6 && strcmp(f[1], "*") == 0 && strcmp(f[5], "summary") == 0) {
        rir_summary(pf, f);
        return;
    }
    if (n >= 6 && is_version(f[0]) && pf->r->st.n_records == 0 && !pf->r->st.version[0]) {
        rir_header(pf, f, n);
        return;
    }
    if (n < 7) {
        bad(pf, "too few fields");
        return;
    }
    rir_record(pf, f);
}

/* ------------------------------------------------------------ pfx2as */

static void pfx2as_comment(struct pfile *pf, const char *line)
{
    struct reg *r = pf->r;
    const char *colon = strchr(line, ':');
    uint64_t v;
    if (!colon)
        return;
    char val[128];
    snprintf(val, sizeof(val), "%s", colon + 1);
    char *t = trim(val);
    if (strncmp(line, "; Prefixes", 10) == 0 && parse_u64(t, UINT64_MAX / 4, &v)) {
        r->st.hdr_prefixes += v;
    } else if (strncmp(line, "; Original file", 15) == 0 && !r->built) {
        /* ".../rib.20140513.0600.bz2": the RIB dump's date */
        for (const char *p = t; *p; p++) {
            char d[9];
            if (*p != '.' || strlen(p + 1) < 9 || p[9] != '.')
                continue;
            memcpy(d, p + 1, 8);
            d[8] = '\0';
            if (parse_yyyymmdd(d, &r->built))
                break;
        }
    }
}

/* "15169", "3356_1299" (multi-origin), "{64512,64513}" (AS set): first AS. */
static bool parse_origin(const char *s, uint32_t *asn)
{
    char buf[16];
    size_t n = 0;
    if (*s == '{')
        s++;
    while (s[n] >= '0' && s[n] <= '9' && n < sizeof(buf) - 1)
        buf[n] = s[n], n++;
    buf[n] = '\0';
    char end = s[n];
    uint64_t v;
    if (!(end == '\0' || end == '_' || end == ',' || end == '}') ||
        !parse_u64(buf, UINT32_MAX, &v))
        return false;
    *asn = (uint32_t)v;
    return true;
}

static void pfx2as_line(struct pfile *pf, char *line)
{
    char *f[4];
    struct asc_addr net;
    unsigned plen;
    uint32_t asn;
    int n = split(line, '\t', f, 4);
    if (n != 2 || asc_cidr_parse(trim(f[0]), &net, &plen) != 0) {
        bad(pf, "expected prefix/len TAB asn");
        return;
    }
    if (!parse_origin(trim(f[1]), &asn)) {
        bad(pf, "bad origin AS");
        return;
    }
    pf->r->st.n_records++;
    add_prefix(pf, &net, plen, mkval(NULL, true, asn));
}

/* ------------------------------------------------------------ country lists, iptoasn */

static void country_header(struct pfile *pf, const char *line)
{
    const char *p = strstr(line, "Country:");
    const char *open = p ? strrchr(p, '(') : NULL;
    char cc[3];
    if (open && open[1] && open[2] && open[3] == ')') {
        char t[3] = {open[1], open[2], 0};
        if (parse_cc(t, cc))
            memcpy(pf->cc, cc, 3);
    }
}

static void country_line(struct pfile *pf, char *line)
{
    struct asc_addr net;
    unsigned plen;
    if (asc_cidr_parse(trim(line), &net, &plen) != 0) {
        bad(pf, "expected one CIDR");
        return;
    }
    if (!pf->cc[0]) {
        bad(pf, "country unknown (no \"# Country: Name (CC)\" header or CC directory)");
        return;
    }
    pf->r->st.n_records++;
    add_prefix(pf, &net, plen, mkval(pf->cc, false, 0));
}

static void iptoasn_line(struct pfile *pf, char *line)
{
    char *f[6];
    struct asc_addr lo, hi;
    char cc[3] = "";
    uint64_t asn;
    int n = split(line, '\t', f, 6);
    if (n < 4 || n > 5 || asc_addr_parse(f[0], &lo) != 0 || asc_addr_parse(f[1], &hi) != 0 ||
        lo.family != hi.family || asc_addr_cmp(&lo, &hi) > 0) {
        bad(pf, "expected start TAB end TAB asn TAB cc TAB name");
        return;
    }
    if (!parse_u64(f[2], UINT32_MAX, &asn) ||
        (strcmp(f[3], "None") != 0 && strcmp(f[3], "Unknown") != 0 && !parse_cc(f[3], cc))) {
        bad(pf, "bad AS number or country code");
        return;
    }
    pf->r->st.n_records++;
    if (asn == 0) { /* "Not routed" */
        pf->r->st.n_skipped++;
        return;
    }
    if (n == 5)
        add_name(pf->r, (uint32_t)asn, trim(f[4]));
    add_range(pf, &lo, &hi, mkval(cc, true, (uint32_t)asn));
}

/* ------------------------------------------------------------ file driver */

static enum fmt detect(const char *line)
{
    if (line[0] == ';')
        return FMT_PFX2AS;
    if (strchr(line, '|'))
        return FMT_RIR;
    const char *tab = strchr(line, '\t');
    if (tab) {
        return strchr(tab + 1, '\t') ? FMT_IPTOASN : FMT_PFX2AS;
    }
    struct asc_addr a;
    unsigned plen;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", line);
    return asc_cidr_parse(trim(buf), &a, &plen) == 0 ? FMT_COUNTRY : FMT_NONE;
}

static void one_line(struct pfile *pf, char *line)
{
    struct reg *r = pf->r;
    if (line[0] == '#') {
        country_header(pf, line);
        return;
    }
    if (!trim(line)[0])
        return;
    if (r->fmt == FMT_NONE && (r->fmt = detect(line)) == FMT_NONE) {
        bad(pf, "unrecognised format");
        return;
    }
    switch (r->fmt) {
    case FMT_RIR: rir_line(pf, line); break;
    case FMT_PFX2AS:
        if (line[0] == ';')
            pfx2as_comment(pf, line);
        else
            pfx2as_line(pf, line);
        break;
    case FMT_COUNTRY: country_line(pf, line); break;
    case FMT_IPTOASN: iptoasn_line(pf, line); break;
    case FMT_NONE: break;
    }
}

/* One line into buf without its end of line: 1, 0 at EOF, -1 when it is
 * too long or holds a NUL byte (the whole line is consumed either way, so
 * line numbers stay right). */
static int get_line(gzFile f, char *buf, int cap)
{
    int c;
    size_t n = 0;
    bool any = false, bad_line = false;
    while ((c = gzgetc(f)) != -1) {
        any = true;
        if (c == '\n')
            break;
        if (c == 0 || n >= (size_t)cap - 1)
            bad_line = true;
        else
            buf[n++] = (char)c;
    }
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    if (!any)
        return 0;
    return bad_line ? -1 : 1;
}

static int load_file(struct reg *r, const char *path, const char *cc_hint, struct asc_err *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return asc_err_set(err, ASC_EIO, "%s: cannot open", path);
    gzbuffer(f, 1 << 17);
    struct pfile pf = {.r = r, .path = path};
    if (cc_hint)
        parse_cc(cc_hint, pf.cc);
    char *line = asc_xmalloc(ASC_REGISTRY_MAX_LINE + 1);
    int rc;
    while ((rc = get_line(f, line, ASC_REGISTRY_MAX_LINE + 1)) != 0) {
        pf.line++;
        r->st.n_lines++;
        if (rc < 0)
            bad(&pf, "line too long or holds a NUL byte");
        else
            one_line(&pf, line);
    }
    int zerr = Z_OK;
    const char *zmsg = gzerror(f, &zerr);
    if (zerr != Z_OK) {
        r->st.truncated = true;
        asc_log(ASC_LOG_WARN, "registry", "%s: compressed data truncated or corrupt after line %llu (%s)",
                path, (unsigned long long)pf.line, zmsg);
    }
    gzclose(f);
    free(line);
    r->st.n_files++;
    if (pf.n_bad)
        asc_log(ASC_LOG_WARN, "registry", "%s:%llu: malformed line skipped (%s); %llu malformed line%s in this file",
                path, (unsigned long long)pf.first_bad, pf.why, (unsigned long long)pf.n_bad,
                pf.n_bad == 1 ? "" : "s");
    return 0;
}

/* ------------------------------------------------------------ directories */

static int is_cc_name(const char *s)
{
    char cc[3];
    return parse_cc(s, cc);
}

static int sel_dir(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* DIR/<cc>/ipv4-aggregated.txt and ipv6-aggregated.txt, in name order. */
static int load_country_dir(struct reg *r, const char *dir, struct asc_err *err)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, sel_dir, alphasort);
    if (n < 0)
        return asc_err_set(err, ASC_EIO, "%s: cannot read directory", dir);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *cc = ents[i]->d_name;
        for (int v = 4; v <= 6 && rc == 0 && is_cc_name(cc); v += 2) {
            char path[4096];
            struct stat st;
            if (snprintf(path, sizeof(path), "%s/%s/ipv%d-aggregated.txt", dir, cc, v) >=
                    (int)sizeof(path) ||
                stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            r->fmt = FMT_COUNTRY;
            rc = load_file(r, path, cc, err);
        }
    }
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    if (rc == 0 && r->st.n_files == 0)
        rc = asc_err_set(err, ASC_EFORMAT,
                         "%s: no <cc>/ipv4-aggregated.txt or ipv6-aggregated.txt below", dir);
    return rc;
}

static int load_dir(struct reg *r, const char *dir, struct asc_err *err)
{
    char sub[4096];
    struct stat st;
    if (snprintf(sub, sizeof(sub), "%s/country", dir) < (int)sizeof(sub) && stat(sub, &st) == 0 &&
        S_ISDIR(st.st_mode))
        return load_country_dir(r, sub, err);
    return load_country_dir(r, dir, err);
}

/* The parent directory's name when it looks like a country code. */
static void parent_cc(const char *path, char out[3])
{
    char buf[4096];
    out[0] = '\0';
    snprintf(buf, sizeof(buf), "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash)
        return;
    *slash = '\0';
    const char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    if (strlen(base) == 2 && is_cc_name(base))
        snprintf(out, 3, "%s", base);
}

/* ------------------------------------------------------------ AS names */

/* pyasn asnames.json(.gz): {"15169": "GOOGLE - Google Inc., US", ...} */
static int load_names(struct reg *r, const char *path, struct asc_err *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return asc_err_set(err, ASC_EIO, "%s: cannot open", path);
    size_t cap = 1 << 20, n = 0;
    char *buf = asc_xmalloc(cap);
    int got;
    while ((got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap) {
            if (cap >= MAX_NAMES_JSON)
                break;
            cap *= 2;
            buf = asc_xrealloc(buf, cap, 1);
        }
    }
    gzclose(f);
    json_error_t jerr;
    json_t *root = n < MAX_NAMES_JSON ? json_loadb(buf, n, 0, &jerr) : NULL;
    free(buf);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return asc_err_set(err, ASC_EFORMAT, "%s: not a JSON object of AS names", path);
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        uint64_t asn;
        if (json_is_string(val) && parse_u64(key, UINT32_MAX, &asn))
            add_name(r, (uint32_t)asn, json_string_value(val));
    }
    json_decref(root);
    return 0;
}

static void sibling_names(struct reg *r, const char *path)
{
    static const char *const cand[] = {"asnames.json.gz", "asnames.json"};
    char buf[4096];
    struct stat st;
    const char *slash = strrchr(path, '/');
    int dlen = slash ? (int)(slash - path + 1) : 0;
    for (size_t i = 0; i < ASC_ARRAY_LEN(cand); i++) {
        if (snprintf(buf, sizeof(buf), "%.*s%s", dlen, path, cand[i]) >= (int)sizeof(buf) ||
            stat(buf, &st) != 0)
            continue;
        struct asc_err e = {0};
        if (load_names(r, buf, &e) != 0)
            asc_log(ASC_LOG_WARN, "registry", "%s", e.msg);
        return;
    }
}

/* ------------------------------------------------------------ backend */

static unsigned reg_lookup(void *state, const struct asc_addr *a, struct asc_geo_part *out)
{
    const struct reg *r = state;
    uint64_t v;
    unsigned got = 0;
    if (!asc_lpm_lookup(r->lpm, a, &v))
        return 0;
    if (v & V_HAS_CC) {
        out->cc[0] = (char)(v >> 32);
        out->cc[1] = (char)(v >> 40);
        out->cc[2] = '\0';
        got |= ASC_GEO_CC;
    }
    if (v & V_HAS_ASN) {
        out->asn = (uint32_t)v;
        got |= ASC_GEO_ASN;
        const char *name = name_of(r, out->asn);
        if (name) {
            out->as_name = name;
            got |= ASC_GEO_NAME;
        }
    }
    return got;
}

struct walk_ctx {
    const struct reg *r;
    void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen, const struct asc_geo_part *g);
    void *ctx;
};

static int walk_one(void *ctx, const struct asc_addr *net, unsigned plen, uint64_t v)
{
    struct walk_ctx *w = ctx;
    struct asc_geo_part g = {{0}, 0, NULL, 0};
    if (v & V_HAS_CC) {
        g.cc[0] = (char)(v >> 32);
        g.cc[1] = (char)(v >> 40);
    }
    if (v & V_HAS_ASN) {
        g.asn = (uint32_t)v;
        g.as_name = name_of(w->r, g.asn);
    }
    w->cb(w->ctx, net, plen, &g);
    return 0;
}

static int reg_walk(void *state,
                    void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen,
                               const struct asc_geo_part *g),
                    void *ctx)
{
    struct walk_ctx w = {state, cb, ctx};
    return asc_lpm_walk(((const struct reg *)state)->lpm, walk_one, &w);
}

static void reg_close(void *state)
{
    struct reg *r = state;
    if (!r)
        return;
    asc_lpm_free(r->lpm);
    for (size_t i = 0; i < r->n_names; i++)
        free(r->names[i].s);
    free(r->names);
    free(r->path);
    free(r);
}

const struct asc_registry_stats *asc_registry_stats(const struct asc_geo_backend *b)
{
    return b && b->lookup == reg_lookup && b->state ? &((const struct reg *)b->state)->st : NULL;
}

static void describe(struct reg *r)
{
    switch (r->fmt) {
    case FMT_RIR:
        if (!r->vendor)
            r->vendor = "RIR";
        if (!r->desc[0])
            snprintf(r->desc, sizeof(r->desc), "RIR statistics exchange file");
        break;
    case FMT_PFX2AS:
        r->vendor = "RouteViews (pyasn pfx2as)";
        snprintf(r->desc, sizeof(r->desc), "prefix to origin AS table");
        break;
    case FMT_COUNTRY:
        r->vendor = "ipverse (RIR delegations)";
        snprintf(r->desc, sizeof(r->desc), "per-country prefix lists");
        break;
    case FMT_IPTOASN:
        r->vendor = "iptoasn.com";
        snprintf(r->desc, sizeof(r->desc), "ip2asn range table");
        break;
    case FMT_NONE: break;
    }
}

int asc_registry_open_pfx2as(const char *path, const char *names_path,
                             struct asc_geo_backend *out, struct asc_err *err)
{
    struct stat st;
    int rc;
    memset(out, 0, sizeof(*out));
    if (stat(path, &st) != 0)
        return asc_err_set(err, ASC_ENOENT, "%s: no such file or directory", path);
    struct reg *r = asc_xcalloc(1, sizeof(*r));
    r->lpm = asc_lpm_new(ASC_LPM_LAST);
    r->path = asc_xstrdup(path);
    if (S_ISDIR(st.st_mode)) {
        rc = load_dir(r, path, err);
    } else {
        char cc[3];
        parent_cc(path, cc);
        rc = load_file(r, path, cc[0] ? cc : NULL, err);
    }
    if (rc == 0 && r->st.n_records == 0)
        rc = asc_err_set(err, ASC_EFORMAT, "%s: %s", path,
                         r->st.n_bad ? "unrecognised format or no valid record"
                                     : "no records (empty file?)");
    if (rc == 0 && r->fmt == FMT_PFX2AS) {
        if (names_path)
            rc = load_names(r, names_path, err);
        else
            sibling_names(r, path);
    }
    if (rc != 0) {
        reg_close(r);
        return rc;
    }
    names_finish(r);
    asc_lpm_build(r->lpm);
    describe(r);
    out->state = r;
    const char *base = strrchr(r->path, '/');
    out->info.name = base && base[1] ? base + 1 : r->path;
    out->info.kind = fmt_kind[r->fmt];
    out->info.entries = r->st.n_records;
    out->info.path = r->path;
    out->info.vendor = r->vendor;
    out->info.description = r->desc;
    out->info.built = r->built;
    out->lookup = reg_lookup;
    out->walk = reg_walk;
    out->close = reg_close;
    return 0;
}

int asc_registry_open(const char *path, struct asc_geo_backend *out, struct asc_err *err)
{
    return asc_registry_open_pfx2as(path, NULL, out, err);
}
