/*
 * zeeklog.c - Zeek conn.log (TSV and JSON lines) to flow records.
 *
 * Source stage, flow-record side (see zeeklog.h). TSV: the "#separator"
 * line sets the separator (default tab), "#fields" names the columns (any
 * order, extra columns such as Stratosphere's labels ignored), "#unset_field"
 * and "#empty_field" the placeholders. JSON: one object per line parsed
 * with jansson, keys as in Zeek's JSON writer; "ts" is epoch seconds or an
 * ISO 8601 UTC string. Zeek's orig/resp become ascribe's orig/resp (a
 * history starting with '^' says Zeek already flipped them); ports of ICMP
 * are Zeek's type/code, as ascribe uses too. Zeek logs no TCP flags: each
 * side's flags union is rebuilt from the history letters (upper case the
 * originator, lower case the responder), or without a history from
 * conn_state, so that detectors reading tcp_flags see what Zeek saw.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "source/zeeklog.h"

enum col {
    C_TS, C_OH, C_OP, C_RH, C_RP, C_PROTO, C_DUR, C_OB, C_RB, C_STATE, C_HIST,
    C_OPK, C_OIB, C_RPK, C_RIB, C_VLAN, C__COUNT
};
static const char *const col_names[C__COUNT] = {
    "ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
    "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "orig_ip_bytes",
    "resp_pkts", "resp_ip_bytes", "vlan",
};

#define ZEEK_MAX_LINE 65536
#define ZEEK_MAX_COLS 128

struct asc_zeek {
    struct asc_fi *fi;
    char sep;
    int col[C__COUNT];      /* column index per field, -1 if absent */
    bool have_fields;
    char unset[16], empty[16];
};

struct zval {               /* a field's text, borrowed */
    const char *s;
    size_t n;
};

enum asc_zeek_fmt asc_zeek_sniff(const uint8_t *h, size_t len)
{
    if (len >= 10 && !memcmp(h, "#separator", 10))
        return ASC_ZEEK_TSV;
    if (len >= 7 && !memcmp(h, "#fields", 7))
        return ASC_ZEEK_TSV;
    size_t d = 0;   /* a headerless log: "1517336080.794930<TAB>C..." */
    while (d < len && h[d] >= '0' && h[d] <= '9')
        d++;
    if (d >= 9 && d < len && h[d] == '.') {
        size_t f = d + 1;
        while (f < len && h[f] >= '0' && h[f] <= '9')
            f++;
        if (f < len && f > d + 1 && h[f] == '\t')
            return ASC_ZEEK_TSV;
    }
    size_t i = 0;
    while (i < len && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
        i++;
    if (i + 1 < len && h[i] == '{' && (h[i + 1] == '"' || h[i + 1] == ' '))
        return ASC_ZEEK_JSON;
    return ASC_ZEEK_NONE;
}

enum asc_zeek_fmt asc_zeek_sniff_path(const char *path)
{
    if (!strcmp(path, "-"))
        return ASC_ZEEK_NONE;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ASC_ZEEK_NONE;
    uint8_t h[64];
    size_t n = fread(h, 1, sizeof(h), f);
    fclose(f);
    return asc_zeek_sniff(h, n);
}

struct asc_zeek *asc_zeek_new(struct asc_fi *fi)
{
    struct asc_zeek *z = asc_xcalloc(1, sizeof(*z));
    z->fi = fi;
    z->sep = '\t';
    /* Zeek's default conn.log column order, for logs cut before #fields */
    static const int defaults[C__COUNT] = {
        [C_TS] = 0, [C_OH] = 2, [C_OP] = 3, [C_RH] = 4, [C_RP] = 5, [C_PROTO] = 6,
        [C_DUR] = 8, [C_OB] = 9, [C_RB] = 10, [C_STATE] = 11, [C_HIST] = 15, [C_OPK] = 16,
        [C_OIB] = 17, [C_RPK] = 18, [C_RIB] = 19, [C_VLAN] = -1,
    };
    memcpy(z->col, defaults, sizeof(z->col));
    z->have_fields = true;
    strcpy(z->unset, "-");
    strcpy(z->empty, "(empty)");
    return z;
}

void asc_zeek_free(struct asc_zeek *z)
{
    free(z);
}

/* ---- value parsing ---- */

static bool parse_u64(struct zval v, uint64_t *out)
{
    uint64_t x = 0;
    if (!v.n || v.n > 20)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        if (v.s[i] < '0' || v.s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(v.s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

/* "1234.567891" seconds to nanoseconds. */
static bool parse_secs(struct zval v, asc_time *out)
{
    size_t dot = 0;
    while (dot < v.n && v.s[dot] != '.')
        dot++;
    uint64_t s, frac = 0;
    if (!parse_u64((struct zval){v.s, dot}, &s) || s > 10000000000ULL)
        return false;
    size_t digits = 0;
    for (size_t i = dot + 1; i < v.n; i++, digits++) {
        if (v.s[i] < '0' || v.s[i] > '9')
            return false;
        if (digits < 9)
            frac = frac * 10 + (uint64_t)(v.s[i] - '0');
    }
    for (; digits < 9; digits++)
        frac *= 10;
    *out = (asc_time)s * ASC_NS_PER_SEC + (asc_time)frac;
    return true;
}

static bool parse_addr(struct zval v, struct asc_addr *a)
{
    char buf[ASC_ADDR_STRLEN];
    if (!v.n || v.n >= sizeof(buf))
        return false;
    memcpy(buf, v.s, v.n);
    buf[v.n] = '\0';
    return asc_addr_parse(buf, a) == 0;
}

static uint8_t parse_state(struct zval v)
{
    for (int s = 1; s < ASC_CS__COUNT; s++) {
        const char *n = asc_conn_state_name((enum asc_tcp_state)s);
        if (strlen(n) == v.n && !memcmp(n, v.s, v.n))
            return (uint8_t)s;
    }
    return ASC_CS_NONE;
}

/* TCP flags of both sides from Zeek's history: S SYN, H/h SYN-ACK, A
 * ACK, D data (PSH|ACK as a sender of data sets), F FIN, R RST; other
 * letters (^, C, T, W, G, I, Q, ...) carry no flag. Zeek's F does not say
 * whether the FIN had ACK: in a connection that shows an exchange (a
 * SYN-ACK, an ACK or data, or FINs both ways) it did, as every segment
 * after the handshake does; a lone FIN (F, Fr) may be a stealth probe and
 * stays FIN only. */
static void flags_from_history(struct asc_flow *f)
{
    bool exchange = strpbrk(f->history, "HhAaDd") ||
                    (strchr(f->history, 'F') && strchr(f->history, 'f'));
    for (const char *h = f->history; *h; h++) {
        int side = *h >= 'a' && *h <= 'z';
        uint8_t fl;
        switch (*h | 0x20) {
        case 's': fl = ASC_TH_SYN; break;
        case 'h': fl = ASC_TH_SYN | ASC_TH_ACK; break;
        case 'a': fl = ASC_TH_ACK; break;
        case 'd': fl = ASC_TH_PSH | ASC_TH_ACK; break;
        case 'f': fl = ASC_TH_FIN; break;
        case 'r': fl = ASC_TH_RST; break;
        default: fl = 0; break;
        }
        if (fl == ASC_TH_FIN && exchange)
            fl |= ASC_TH_ACK;
        f->dir[side].tcp_flags |= fl;
    }
}

/* Without a history: the least each conn_state implies (Zeek's docs);
 * established means the originator's ACK and the responder's SYN-ACK. */
static void flags_from_state(struct asc_flow *f)
{
    enum {
        SYN = ASC_TH_SYN, ACK = ASC_TH_ACK, SA = ASC_TH_SYN | ASC_TH_ACK, FIN = ASC_TH_FIN,
        RST = ASC_TH_RST
    };
    static const uint8_t fl[ASC_CS__COUNT][2] = {
        [ASC_CS_S0] = {SYN, 0},
        [ASC_CS_S1] = {SA, SA},
        [ASC_CS_SF] = {SA | FIN, SA | FIN},
        [ASC_CS_REJ] = {SYN, RST},
        [ASC_CS_S2] = {SA | FIN, SA},
        [ASC_CS_S3] = {SA, SA | FIN},
        [ASC_CS_RSTO] = {SA | RST, SA},
        [ASC_CS_RSTOS0] = {SYN | RST, 0},
        [ASC_CS_RSTR] = {SA, SA | RST},
        [ASC_CS_RSTRH] = {0, SA | RST},
        [ASC_CS_SH] = {SYN | FIN, 0},
        [ASC_CS_SHR] = {0, SA | FIN},
        [ASC_CS_OTH] = {ACK, 0},
    };
    if (f->state < ASC_CS__COUNT) {
        f->dir[0].tcp_flags = f->dir[0].pkts ? fl[f->state][0] : 0;
        f->dir[1].tcp_flags = f->dir[1].pkts ? fl[f->state][1] : 0;
    }
}

static bool is_unset(const struct asc_zeek *z, struct zval v)
{
    return !v.n || (strlen(z->unset) == v.n && !memcmp(v.s, z->unset, v.n)) ||
           (strlen(z->empty) == v.n && !memcmp(v.s, z->empty, v.n));
}

/* Fill a flow from the fields (vals[C_*], n = 0 when absent). */
static bool build(const struct asc_zeek *z, struct zval *vals, struct asc_flow *f)
{
    uint64_t u;
    memset(f, 0, sizeof(*f));
    f->src_kind = ASC_SRC_ZEEK;
    if (!parse_secs(vals[C_TS], &f->first) || !parse_addr(vals[C_OH], &f->key.orig) ||
        !parse_addr(vals[C_RH], &f->key.resp) || f->key.orig.family != f->key.resp.family)
        return false;
    struct zval p = vals[C_PROTO];
    bool v6 = f->key.orig.family == ASC_AF_INET6;
    if (p.n == 3 && !memcmp(p.s, "tcp", 3))
        f->key.proto = 6;
    else if (p.n == 3 && !memcmp(p.s, "udp", 3))
        f->key.proto = 17;
    else if (p.n == 4 && !memcmp(p.s, "icmp", 4))
        f->key.proto = v6 ? 58 : 1;
    else
        f->key.proto = 0;
    for (int i = 0; i < 2; i++) {
        struct zval pv = vals[i ? C_RP : C_OP];
        if (is_unset(z, pv))
            continue;
        if (!parse_u64(pv, &u) || u > 65535)
            return false;
        if (i)
            f->key.resp_port = (uint16_t)u;
        else
            f->key.orig_port = (uint16_t)u;
    }
    asc_time dur = 0;
    if (!is_unset(z, vals[C_DUR]) && !parse_secs(vals[C_DUR], &dur))
        return false;
    f->last = f->first + dur;
    static const int cnt[2][3] = {{C_OPK, C_OIB, C_OB}, {C_RPK, C_RIB, C_RB}};
    for (int d = 0; d < 2; d++) {
        for (int k = 0; k < 3; k++) {
            struct zval cv = vals[cnt[d][k]];
            if (is_unset(z, cv))
                continue;
            if (!parse_u64(cv, &u) || (k == 0 && u > UINT32_MAX))
                return false;
            if (k == 0)
                f->dir[d].pkts = f->dir[d].frames = (uint32_t)u;
            else if (k == 1)
                f->dir[d].ip_bytes = u;
            else
                f->dir[d].pl_bytes = u;
        }
    }
    if (!is_unset(z, vals[C_VLAN]) && parse_u64(vals[C_VLAN], &u))
        f->key.vlan = (uint16_t)(u & 0xfff);
    if (!is_unset(z, vals[C_STATE]))
        f->state = parse_state(vals[C_STATE]);
    struct zval h = vals[C_HIST];
    if (!is_unset(z, h)) {
        size_t n = ASC_MIN(h.n, (size_t)ASC_HIST_MAX);
        memcpy(f->history, h.s, n);
        f->history[n] = '\0';
    }
    if (f->key.proto == 6 && f->history[0])
        flags_from_history(f);
    else if (f->key.proto == 6)
        flags_from_state(f);
    f->sampling = 1;
    return true;
}

static void emit(struct asc_zeek *z, struct zval *vals)
{
    struct asc_flow f;
    if (!build(z, vals, &f)) {
        asc_fi_count(z->fi, ASC_FI_ZEEK_BAD_LINES, 1);
        return;
    }
    asc_fi_count(z->fi, ASC_FI_ZEEK_LINES, 1);
    asc_fi_put_biflow(z->fi, &f);
}

/* ---- TSV ---- */

static void header_line(struct asc_zeek *z, const char *s, size_t n)
{
    if (n > 11 && !memcmp(s, "#separator ", 11)) {
        if (n >= 15 && s[11] == '\\' && s[12] == 'x') {
            unsigned v = 0;
            if (sscanf(s + 13, "%2x", &v) == 1 && v)
                z->sep = (char)v;
        } else {
            z->sep = s[11];
        }
        return;
    }
    size_t i = 0;
    while (i < n && s[i] != z->sep)
        i++;
    if (i >= n)
        return;
    const char *val = s + i + 1;
    size_t vn = n - i - 1;
    if (i == 12 && !memcmp(s, "#unset_field", 12) && vn < sizeof(z->unset)) {
        memcpy(z->unset, val, vn);
        z->unset[vn] = '\0';
    } else if (i == 12 && !memcmp(s, "#empty_field", 12) && vn < sizeof(z->empty)) {
        memcpy(z->empty, val, vn);
        z->empty[vn] = '\0';
    } else if (i == 7 && !memcmp(s, "#fields", 7)) {
        for (int c = 0; c < C__COUNT; c++)
            z->col[c] = -1;
        int idx = 0;
        size_t a = 0;
        for (size_t j = 0; j <= vn; j++) {
            if (j < vn && val[j] != z->sep)
                continue;
            for (int c = 0; c < C__COUNT; c++)
                if (strlen(col_names[c]) == j - a && !memcmp(val + a, col_names[c], j - a))
                    z->col[c] = idx;
            idx++;
            a = j + 1;
        }
        z->have_fields = z->col[C_TS] >= 0 && z->col[C_OH] >= 0 && z->col[C_RH] >= 0;
    }
}

static void tsv_line(struct asc_zeek *z, const char *s, size_t n)
{
    struct zval cols[ZEEK_MAX_COLS];
    int nc = 0;
    size_t a = 0;
    for (size_t j = 0; j <= n && nc < ZEEK_MAX_COLS; j++) {
        if (j < n && s[j] != z->sep)
            continue;
        cols[nc++] = (struct zval){s + a, j - a};
        a = j + 1;
    }
    struct zval vals[C__COUNT];
    for (int c = 0; c < C__COUNT; c++)
        vals[c] = z->col[c] >= 0 && z->col[c] < nc ? cols[z->col[c]] : (struct zval){"", 0};
    if (z->col[C_RIB] >= 0 && z->col[C_RIB] >= nc) {   /* a cut-off last line */
        asc_fi_count(z->fi, ASC_FI_ZEEK_BAD_LINES, 1);
        return;
    }
    emit(z, vals);
}

/* ---- JSON lines ---- */

static bool iso_time(const char *s, asc_time *out)
{
    struct tm tm = {0};
    int frac_at = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac_at) != 6)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    asc_time ns = 0;
    if (s[frac_at] == '.') {
        asc_time scale = 100000000;
        for (const char *p = s + frac_at + 1; *p >= '0' && *p <= '9'; p++, scale /= 10)
            ns += (*p - '0') * scale;
    }
    *out = (asc_time)t * ASC_NS_PER_SEC + ns;
    return true;
}

static void json_line(struct asc_zeek *z, const char *s, size_t n)
{
    json_error_t e;
    json_t *o = json_loadb(s, n, JSON_DECODE_ANY, &e);
    char bufs[C__COUNT][48];
    struct zval vals[C__COUNT];
    bool ok = o && json_is_object(o);
    for (int c = 0; ok && c < C__COUNT; c++) {
        json_t *v = json_object_get(o, col_names[c]);
        vals[c] = (struct zval){"", 0};
        int len = 0;
        if (!v) {
            continue;
        } else if (json_is_string(v)) {
            const char *t = json_string_value(v);
            asc_time ts;
            if (c == C_TS && iso_time(t, &ts))
                len = snprintf(bufs[c], sizeof(bufs[c]), "%lld.%09lld",
                               (long long)(ts / ASC_NS_PER_SEC), (long long)(ts % ASC_NS_PER_SEC));
            else
                len = snprintf(bufs[c], sizeof(bufs[c]), "%s", t);
        } else if (json_is_integer(v)) {
            len = snprintf(bufs[c], sizeof(bufs[c]), "%lld", (long long)json_integer_value(v));
        } else if (json_is_real(v)) {
            len = snprintf(bufs[c], sizeof(bufs[c]), "%.6f", json_real_value(v));
        }
        if (len < 0 || (size_t)len >= sizeof(bufs[c]))
            ok = false;
        else
            vals[c] = (struct zval){bufs[c], (size_t)len};
    }
    if (ok)
        emit(z, vals);
    else
        asc_fi_count(z->fi, ASC_FI_ZEEK_BAD_LINES, 1);
    json_decref(o);
}

void asc_zeek_line(struct asc_zeek *z, const char *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (!n)
        return;
    if (s[0] == '#') {
        header_line(z, s, n);
        return;
    }
    if (s[0] == '{') {
        json_line(z, s, n);
        return;
    }
    if (!z->have_fields) {
        asc_fi_count(z->fi, ASC_FI_ZEEK_BAD_LINES, 1);
        return;
    }
    tsv_line(z, s, n);
}

int asc_zeek_read_file(struct asc_zeek *z, const char *path, struct asc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return asc_err_set(err, ASC_EIO, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0)
        if (n < ZEEK_MAX_LINE)
            asc_zeek_line(z, line, (size_t)n);
        else
            asc_fi_count(z->fi, ASC_FI_ZEEK_BAD_LINES, 1);
    int rc = ferror(f) ? asc_err_set(err, ASC_EIO, "%s: read error", path) : 0;
    free(line);
    fclose(f);
    return rc;
}
