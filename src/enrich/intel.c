/*
 * intel.c - intel lists: parsing the common list formats into one LPM of
 * list bitmaps and one hash-based domain suffix table.
 *
 * Enrichment stage (see intel.h). Addresses and networks of every list go
 * into one LPM in OR mode, so a lookup returns the union of the bits of
 * every list whose prefixes cover the address. Domains go into an open-
 * addressing hash keyed by the normalised name; each slot carries three
 * bitmaps: `exact` (the name only: hosts-file lines), `sub` (the name and
 * every subdomain: plain domain lines), `below` (subdomains only: "*.x").
 * A lookup hashes the name, then each suffix that starts after a dot, so
 * "a.b.evil.com" probes "a.b.evil.com", "b.evil.com", "evil.com", "com"
 * and "notevil.com" never matches "evil.com".
 *
 * One line is one entry. Recognised shapes, tried in this order:
 *   # ... / ; ...                    comments (dates are read from them)
 *   "..","dst_ip",..  (CSV header)   abuse.ch Feodo CSV: the IP column after it
 *   {"cidr": ...} / {"ip": ...}      Spamhaus DROP JSON lines
 *   ExitAddress IP DATE              Tor exit-addresses (ExitNode etc. skipped)
 *   Start End Netblock ...           DShield block list: start/netblock
 *   0.0.0.0 name / 127.0.0.1 name    hosts file: exact domain
 *   IP | CIDR | LO-HI [; comment]    plain, FireHOL ipset/netset, Spamhaus
 *                                    DROP/EDROP "CIDR ; SBLnnn", ET lists
 *   name | .name | *.name            domain lists
 */
#include "enrich/intel.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/enrich.h"
#include "enrich/lpm.h"

struct dslot {
    uint64_t hash; /* 0: empty */
    char *name;
    uint64_t exact, sub, below;
};

struct asc_intel {
    struct asc_intel_list lists[ASC_INTEL_MAX_LISTS];
    char *own[ASC_INTEL_MAX_LISTS][4]; /* name, category, date, path */
    size_t n;
    struct asc_lpm *lpm;
    struct dslot *dt;
    size_t dcap, dn;
};

/* Per-file parse state. */
struct iload {
    struct asc_intel *in;
    struct asc_intel_list *l;
    uint64_t bit;
    const char *path;
    uint64_t line, first_bad;
    const char *why;
    int csv_col;      /* IP column of a CSV with a header row, -1 none */
    char date[11];    /* first date seen in a header comment */
};

/* ------------------------------------------------------------ domains */

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h ? h : 1;
}

/* Lower-cases s into out (>= 256 bytes) without a trailing dot. Returns
 * the length, 0 when s is not a host name (labels of [a-z0-9_-], 1..63
 * bytes, 253 in all, not ending in an all-digit label). */
static size_t norm_domain(const char *s, size_t n, char *out)
{
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return 0;
    size_t label = 0;
    bool digits = true;
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            digits = true;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > 63)
                return 0;
            digits = digits && c >= '0' && c <= '9';
        } else {
            return 0;
        }
        out[i] = c;
    }
    out[n] = '\0';
    return label && !digits ? n : 0;
}

static struct dslot *dfind(const struct asc_intel *in, const char *s, size_t n, uint64_t h)
{
    if (!in->dcap)
        return NULL;
    for (size_t i = h & (in->dcap - 1);; i = (i + 1) & (in->dcap - 1)) {
        struct dslot *d = &in->dt[i];
        if (!d->hash)
            return d;
        if (d->hash == h && strlen(d->name) == n && memcmp(d->name, s, n) == 0)
            return d;
    }
}

static void dgrow(struct asc_intel *in)
{
    size_t ocap = in->dcap;
    struct dslot *old = in->dt;
    in->dcap = ocap ? ocap * 2 : 1024;
    in->dt = asc_xcalloc(in->dcap, sizeof(*in->dt));
    for (size_t i = 0; i < ocap; i++)
        if (old[i].hash)
            *dfind(in, old[i].name, strlen(old[i].name), old[i].hash) = old[i];
    free(old);
}

enum dkind { D_EXACT, D_SUB, D_BELOW };

static bool dadd(struct asc_intel *in, const char *name, size_t n, enum dkind k, uint64_t bit)
{
    if (in->dn >= ASC_INTEL_MAX_DOMAINS)
        return false;
    if ((in->dn + 1) * 2 > in->dcap)
        dgrow(in);
    uint64_t h = fnv1a(name, n);
    struct dslot *d = dfind(in, name, n, h);
    if (!d->hash) {
        d->hash = h;
        d->name = asc_xstrdup(name);
        in->dn++;
    }
    if (k == D_EXACT)
        d->exact |= bit;
    else if (k == D_SUB)
        d->sub |= bit;
    else
        d->below |= bit;
    return true;
}

uint64_t asc_intel_match_domain(const struct asc_intel *in, const char *name)
{
    char buf[256];
    size_t n = name ? strlen(name) : 0;
    if (!in || !in->dn || n > 254 || !(n = norm_domain(name, n, buf)))
        return 0;
    uint64_t bits = 0;
    const char *p = buf;
    for (bool full = true;; full = false) {
        size_t len = n - (size_t)(p - buf);
        const struct dslot *d = dfind(in, p, len, fnv1a(p, len));
        if (d && d->hash)
            bits |= full ? (d->exact | d->sub) : (d->sub | d->below);
        const char *dot = strchr(p, '.');
        if (!dot)
            break;
        p = dot + 1;
    }
    return bits;
}

uint64_t asc_intel_match_addr(const struct asc_intel *in, const struct asc_addr *a)
{
    uint64_t v = 0;
    return in && asc_lpm_lookup(in->lpm, a, &v) ? v : 0;
}

/* ------------------------------------------------------------ life cycle */

struct asc_intel *asc_intel_new(void)
{
    struct asc_intel *in = asc_xcalloc(1, sizeof(*in));
    in->lpm = asc_lpm_new(ASC_LPM_OR);
    return in;
}

void asc_intel_free(struct asc_intel *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->n; i++)
        for (int k = 0; k < 4; k++)
            free(in->own[i][k]);
    for (size_t i = 0; i < in->dcap; i++)
        free(in->dt[i].name);
    free(in->dt);
    asc_lpm_free(in->lpm);
    free(in);
}

size_t asc_intel_n_lists(const struct asc_intel *in)
{
    return in ? in->n : 0;
}

const struct asc_intel_list *asc_intel_list(const struct asc_intel *in, size_t i)
{
    return in && i < in->n ? &in->lists[i] : NULL;
}

/* ------------------------------------------------------------ dates, names */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

static void fmt_date(char out[11], int y, int m, int d)
{
    const int v[3] = {y, m, d}, w[3] = {4, 2, 2};
    char *p = out;
    for (int i = 0; i < 3; i++) {
        for (int k = w[i] - 1, x = v[i]; k >= 0; k--, x /= 10)
            p[k] = (char)('0' + x % 10);
        p += w[i];
        *p++ = i < 2 ? '-' : '\0';
    }
}

static bool contains_nocase(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

/* First date in s: YYYY-MM-DD, or a month name with a day and a year in
 * any order ("Thu Aug 20 12:53:45 UTC 2026", "Tue, 09 Apr 2024 ..."). */
static bool find_date(const char *s, char out[11])
{
    for (const char *p = s; *p; p++) {
        int y, m, d, len = 0;
        if (isdigit((unsigned char)*p) && (p == s || !isdigit((unsigned char)p[-1])) &&
            sscanf(p, "%4d-%2d-%2d%n", &y, &m, &d, &len) == 3 && len == 10 && y >= 1990 &&
            y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
            fmt_date(out, y, m, d);
            return true;
        }
    }
    int mon = 0, day = 0, year = 0;
    char tok[32];
    const char *p = s;
    int len;
    while (sscanf(p, " %31[^ ,\t]%n", tok, &len) == 1) {
        p += len;
        while (*p == ',')
            p++;
        size_t tl = strlen(tok);
        char *end;
        long v = strtol(tok, &end, 10);
        if (*end == '\0' && tl == 4 && v >= 1990 && v <= 2999)
            year = (int)v;
        else if (*end == '\0' && tl <= 2 && v >= 1 && v <= 31 && !day)
            day = (int)v;
        else if (tl >= 3 && !mon)
            for (int i = 0; i < 12; i++)
                if (strncasecmp(tok, months[i], 3) == 0 && (tl == 3 || isalpha((unsigned char)tok[3])))
                    mon = i + 1;
    }
    if (!mon || !day || !year)
        return false;
    fmt_date(out, year, mon, day);
    return true;
}

static void header_comment(struct iload *L, const char *line)
{
    static const char *const keys[] = {"date", "updated", "last-modified", "generated"};
    if (L->date[0])
        return;
    for (size_t i = 0; i < ASC_ARRAY_LEN(keys); i++)
        if (contains_nocase(line, keys[i]) && find_date(line, L->date))
            return;
}

static bool has_token(const char *s, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = s; (p = strstr(p, tok)); p++) {
        bool left = p == s || !isalnum((unsigned char)p[-1]);
        bool right = !isalpha((unsigned char)p[n]);
        if (left && right)
            return true;
    }
    return false;
}

/* Category from a (lower-case) list name or path. */
static const char *guess_category(const char *s)
{
    static const struct {
        const char *needle;
        const char *cat;
    } map[] = {
        {"feodo", "c2"},         {"botcc", "c2"},        {"c2", "c2"},
        {"cybercrime", "c2"},    {"drop", "drop"},       {"ssh", "bruteforce"},
        {"brute", "bruteforce"}, {"dshield", "scanner"}, {"scan", "scanner"},
        {"blocklist_de", "attacks"}, {"compromised", "compromised"},
        {"phish", "phishing"},   {"proxy", "proxy"},     {"vpn", "proxy"},
        {"malware", "malware"},  {"urlhaus", "malware"}, {"spam", "spam"},
        {"firehol_level", "reputation"},
    };
    if (has_token(s, "tor"))
        return "tor";
    for (size_t i = 0; i < ASC_ARRAY_LEN(map); i++)
        if (strstr(s, map[i].needle))
            return map[i].cat;
    return "unknown";
}

/* ------------------------------------------------------------ entries */

static void bad(struct iload *L, const char *why)
{
    L->l->n_bad++;
    if (!L->first_bad) {
        L->first_bad = L->line;
        L->why = why;
    }
}

static void add_net(struct iload *L, const struct asc_addr *net, unsigned plen)
{
    if (asc_lpm_add(L->in->lpm, net, plen, L->bit) != 0) {
        bad(L, "prefix table full");
        return;
    }
    if (plen == (net->family == ASC_AF_INET ? 32u : 128u))
        L->l->n_addrs++;
    else
        L->l->n_nets++;
}

static void range_cb(void *ctx, const struct asc_addr *net, unsigned plen)
{
    add_net(ctx, net, plen);
}

/* IP, CIDR, LO-HI range or domain in tok; false when none of them. */
static bool add_token(struct iload *L, const char *tok, bool hosts)
{
    struct asc_addr a, b;
    unsigned plen;
    char buf[256];
    size_t n = strlen(tok);
    if (asc_cidr_parse(tok, &a, &plen) == 0) {
        add_net(L, &a, plen);
        return true;
    }
    const char *dash = strchr(tok, '-');
    if (dash && (size_t)(dash - tok) < 64 && !strchr(tok, '.') == !strchr(dash, '.')) {
        char lo[64];
        memcpy(lo, tok, (size_t)(dash - tok));
        lo[dash - tok] = '\0';
        if (asc_addr_parse(lo, &a) == 0 && asc_addr_parse(dash + 1, &b) == 0)
            return asc_range_to_cidrs(&a, &b, range_cb, L) > 0;
    }
    enum dkind k = hosts ? D_EXACT : D_SUB;
    if (!hosts && n > 2 && tok[0] == '*' && tok[1] == '.')
        tok += 2, n -= 2, k = D_BELOW;
    else if (!hosts && n > 1 && tok[0] == '.')
        tok += 1, n -= 1;
    if (n > 254 || !(n = norm_domain(tok, n, buf)) || !strchr(buf, '.'))
        return false;
    if (!dadd(L->in, buf, n, k, L->bit)) {
        bad(L, "domain table full");
        return true;
    }
    L->l->n_domains++;
    return true;
}

/* CSV header row: remember which column holds the IP. */
static bool csv_header(struct iload *L, char *line)
{
    static const char *const cols[] = {"dst_ip", "dstip", "ip_address", "ip"};
    if (!strchr(line, ',') || isdigit((unsigned char)line[line[0] == '"']))
        return false;
    int col = 0;
    for (char *f = strtok(line, ","); f; f = strtok(NULL, ","), col++) {
        f += strspn(f, " \"");
        f[strcspn(f, " \"")] = '\0';
        for (size_t i = 0; i < ASC_ARRAY_LEN(cols); i++)
            if (strcasecmp(f, cols[i]) == 0) {
                L->csv_col = col;
                return true;
            }
    }
    return false;
}

static void csv_line(struct iload *L, char *line)
{
    int col = 0;
    for (char *p = line, *f; (f = strsep(&p, ",")); col++) {
        if (col != L->csv_col)
            continue;
        f += strspn(f, " \"");
        f[strcspn(f, " \"")] = '\0';
        if (!add_token(L, f, false))
            bad(L, "bad IP in the CSV column");
        return;
    }
    bad(L, "CSV line without the IP column");
}

static void json_line(struct iload *L, const char *line)
{
    json_t *o = json_loads(line, 0, NULL);
    json_t *v = o ? json_object_get(o, "cidr") : NULL;
    if (o && !v)
        v = json_object_get(o, "ip");
    if (json_is_string(v)) {
        if (!add_token(L, json_string_value(v), false))
            bad(L, "bad cidr in JSON line");
    } else if (!json_is_object(o) || !json_object_get(o, "type")) {
        bad(L, "JSON line without cidr");
    }
    json_decref(o);
}

static bool is_sink_addr(const char *s)
{
    return strcmp(s, "0.0.0.0") == 0 || strcmp(s, "127.0.0.1") == 0 || strcmp(s, "::1") == 0 ||
           strcmp(s, "::") == 0;
}

static void entry_line(struct iload *L, char *line)
{
    char *f[4] = {0};
    int n = 0;
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    for (char *p = line, *t; n < 4 && (t = strsep(&p, " \t;,"));)
        if (*t)
            f[n++] = t;
    if (n == 0)
        return;
    if (strcmp(f[0], "ExitNode") == 0 || strcmp(f[0], "Published") == 0 ||
        strcmp(f[0], "LastStatus") == 0 || strcasecmp(f[0], "Start") == 0)
        return; /* Tor exit-addresses records, DShield header */
    if (strcmp(f[0], "ExitAddress") == 0 && n >= 2) {
        if (!add_token(L, f[1], false))
            bad(L, "bad ExitAddress");
        return;
    }
    struct asc_addr a, b;
    unsigned plen;
    if (n >= 3 && asc_addr_parse(f[0], &a) == 0 && asc_addr_parse(f[1], &b) == 0 &&
        asc_cidr_parse(f[0], &a, &plen) == 0) { /* DShield: start end netblock ... */
        char c[80];
        snprintf(c, sizeof(c), "%s/%s", f[0], f[2]);
        if (!add_token(L, c, false))
            bad(L, "bad DShield netblock");
        return;
    }
    if (n >= 2 && is_sink_addr(f[0])) { /* hosts file */
        if (strchr(f[1], '.') && !add_token(L, f[1], true))
            bad(L, "bad host name");
        return;
    }
    if (!add_token(L, f[0], false))
        bad(L, "not an IP, CIDR, range or domain");
}

static void one_line(struct iload *L, char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        line[--n] = '\0';
    line += strspn(line, " \t");
    if (!*line)
        return;
    if (*line == '#' || *line == ';') {
        header_comment(L, line);
        return;
    }
    if (*line == '{') {
        json_line(L, line);
        return;
    }
    if (L->csv_col < 0 && line[0] == '"') {
        char tmp[ASC_INTEL_MAX_LINE + 1];
        snprintf(tmp, sizeof(tmp), "%s", line);
        if (csv_header(L, tmp))
            return;
    }
    if (L->csv_col >= 0)
        csv_line(L, line);
    else
        entry_line(L, line);
}

/* ------------------------------------------------------------ loading */

/* One line into buf without its newline: 1, 0 at EOF, -1 when it is too
 * long or holds a NUL byte (the whole line is consumed either way, so line
 * numbers stay right). */
static int get_line(FILE *f, char *buf, int cap)
{
    int c;
    size_t n = 0;
    bool any = false, bad_line = false;
    while ((c = getc_unlocked(f)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        if (c == 0 || n >= (size_t)cap - 1)
            bad_line = true;
        else
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    if (!any)
        return 0;
    return bad_line ? -1 : 1;
}

struct spec {
    char name[128], category[64], date[16];
    const char *file;
};

/* "FILE" or "NAME,CATEGORY[,DATE]=FILE" (the form with a comma before '='). */
static int parse_spec(const char *spec, struct spec *s, struct asc_err *err)
{
    memset(s, 0, sizeof(*s));
    const char *eq = strchr(spec, '=');
    const char *comma = strchr(spec, ',');
    s->file = spec;
    if (eq && comma && comma < eq) {
        char head[256];
        if ((size_t)(eq - spec) >= sizeof(head))
            return asc_err_set(err, ASC_EINVAL, "intel spec too long: %s", spec);
        memcpy(head, spec, (size_t)(eq - spec));
        head[eq - spec] = '\0';
        char *p = head, *f[3] = {0};
        for (int i = 0; i < 3 && p; i++)
            f[i] = strsep(&p, ",");
        if (p || !f[0][0] || !f[1] || !f[1][0])
            return asc_err_set(err, ASC_EINVAL, "intel spec %s: want NAME,CATEGORY[,DATE]=FILE", spec);
        snprintf(s->name, sizeof(s->name), "%s", f[0]);
        snprintf(s->category, sizeof(s->category), "%s", f[1]);
        if (f[2] && !find_date(f[2], s->date))
            return asc_err_set(err, ASC_EINVAL, "intel spec %s: date is not YYYY-MM-DD", spec);
        s->file = eq + 1;
    }
    if (!s->file[0])
        return asc_err_set(err, ASC_EINVAL, "intel spec %s: no file", spec);
    return 0;
}

/* Defaults from the path: name = base name without extension, date from a
 * YYYY-MM-DD in the base or parent directory name. */
static void path_defaults(const char *path, struct spec *s, char *path_date)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!s->name[0]) {
        snprintf(s->name, sizeof(s->name), "%s", base);
        char *dot = strrchr(s->name, '.');
        if (dot && dot != s->name)
            *dot = '\0';
    }
    path_date[0] = '\0';
    char tail[512];
    size_t off = (size_t)(base - path);
    size_t from = 0;
    for (size_t i = 0; off && i + 1 < off; i++) /* start of the parent directory */
        if (path[i] == '/')
            from = i + 1;
    snprintf(tail, sizeof(tail), "%s", path + from);
    for (char *p = tail; *p; p++) /* only the numeric form counts here */
        if (isdigit((unsigned char)*p) && find_date(p, path_date) && strstr(tail, path_date))
            break;
        else
            path_date[0] = '\0';
}

static void finish_list(struct iload *L, const struct spec *s, const char *path_date)
{
    struct asc_intel *in = L->in;
    size_t i = in->n;
    char lower[256];
    const char *date = s->date[0] ? s->date : L->date[0] ? L->date : path_date;
    const char *cat = s->category;
    if (!cat[0]) {
        snprintf(lower, sizeof(lower), "%s", s->name);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        cat = guess_category(lower);
        if (strcmp(cat, "unknown") == 0) {
            snprintf(lower, sizeof(lower), "%s", L->path);
            for (char *p = lower; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            cat = guess_category(lower);
        }
    }
    in->own[i][0] = asc_xstrdup(s->name);
    in->own[i][1] = asc_xstrdup(cat);
    in->own[i][2] = asc_xstrdup(date);
    in->own[i][3] = asc_xstrdup(L->path);
    L->l->name = in->own[i][0];
    L->l->category = in->own[i][1];
    L->l->date = in->own[i][2];
    L->l->path = in->own[i][3];
    in->n++;
    asc_lpm_build(in->lpm);
    if (L->l->n_bad)
        asc_log(ASC_LOG_WARN, "intel", "%s:%llu: malformed line skipped (%s); %llu malformed line%s in this list",
                L->path, (unsigned long long)L->first_bad, L->why,
                (unsigned long long)L->l->n_bad, L->l->n_bad == 1 ? "" : "s");
    if (!L->l->n_addrs && !L->l->n_nets && !L->l->n_domains)
        asc_log(ASC_LOG_WARN, "intel", "%s: list \"%s\" has no entries", L->path, s->name);
}

static int load(struct asc_intel *in, FILE *f, const char *spec, struct asc_err *err)
{
    struct spec s;
    char path_date[11];
    int rc = parse_spec(spec, &s, err);
    if (rc)
        return -1;
    if (in->n >= ASC_INTEL_MAX_LISTS) {
        asc_err_set(err, ASC_ENOMEM, "%s: more than %d intel lists", s.file, ASC_INTEL_MAX_LISTS);
        return -1;
    }
    path_defaults(s.file, &s, path_date);
    struct iload L = {.in = in, .l = &in->lists[in->n], .bit = 1ull << in->n, .path = s.file,
                      .csv_col = -1};
    memset(L.l, 0, sizeof(*L.l));
    char *line = asc_xmalloc(ASC_INTEL_MAX_LINE + 1);
    while ((rc = get_line(f, line, ASC_INTEL_MAX_LINE + 1)) != 0) {
        L.line++;
        if (rc < 0)
            bad(&L, "line too long or holds a NUL byte");
        else
            one_line(&L, line);
    }
    free(line);
    if (ferror(f))
        asc_log(ASC_LOG_WARN, "intel", "%s: read error after line %llu", s.file,
                (unsigned long long)L.line);
    finish_list(&L, &s, path_date);
    return (int)(in->n - 1);
}

int asc_intel_load_stream(struct asc_intel *in, FILE *f, const char *spec, struct asc_err *err)
{
    return load(in, f, spec, err);
}

int asc_intel_load(struct asc_intel *in, const char *spec, struct asc_err *err)
{
    struct spec s;
    if (parse_spec(spec, &s, err))
        return -1;
    FILE *f = fopen(s.file, "r");
    if (!f) {
        asc_err_set(err, ASC_EIO, "%s: cannot open", s.file);
        return -1;
    }
    int rc = load(in, f, spec, err);
    fclose(f);
    return rc;
}
