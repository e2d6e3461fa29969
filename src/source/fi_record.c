/*
 * fi_record.c - NetFlow v9 / IPFIX data records to flow records, and
 * options records to per-exporter sampling rates.
 *
 * Source stage, flow-record side (see flowin.h). Information elements are
 * those of the IANA IPFIX registry (RFC 7012), whose ids 1-127 are the
 * NetFlow v9 field types of RFC 3954 section 8. Integers may use
 * reduced-size encoding (RFC 7011 section 6.2): any length 1..8 is read
 * big-endian. Variable-length fields (RFC 7011 section 7) carry a 1- or
 * 3-byte length prefix. Enterprise-specific fields are skipped and counted,
 * except the RFC 5103 reverse elements (PEN 29305), which fill the reverse
 * direction of a biflow. Sampling (RFC 3954 field types 34, 48-50; RFC 7012
 * 302, 305, 306, 309, 310) scales packets and bytes and marks the record.
 */
#include <stddef.h>
#include <string.h>

#include "decode/decode.h"
#include "source/fi_internal.h"

#define NTP_UNIX_OFFSET INT64_C(2208988800)
/* Absurd times are treated as absent, keeping every sum in range: at most
 * 4e9 s (year 2096), 4e12 ms, 4e15 us of duration. */
#define LIM_S UINT64_C(4000000000)
#define LIM_MS UINT64_C(4000000000000)
#define LIM_US UINT64_C(4000000000000000)

struct rec {
    /* Zeroed for each record (rec_reset): */
    struct asc_flow f;
    uint64_t pk[2], by[2], pk_tot[2], by_tot[2], pk_out, by_out;
    uint64_t samp_interval, samp_space, samp_size, samp_pop;
    uint64_t frame_size;                 /* dataLinkFrameSize (IE 312) */
    const uint8_t *sect;                 /* packet section (IE 313/315), borrowed */
    uint8_t end_reason;
    bool biflow;
    /* Set for each record by rec_reset, or read only with what says they
     * were written: */
    asc_time abs_first, abs_last;        /* INT64_MIN when absent */
    int64_t up_first, up_last;           /* sysUpTime ms, -1 when absent */
    int64_t sys_init_ms, dur_us;         /* -1 when absent */
    int32_t icmp;                        /* type << 8 | code, -1 when absent */
    int64_t sampler;                     /* sampler / selector id, -1 when absent */
    struct asc_addr s4, d4, s6, d6;      /* family 0: absent; set_addr writes all of b */
    size_t sect_len;                     /* with sect */
    int sect_dlt;
    uint32_t shash;                      /* fi_stitch_hash of the key, once finished */
};

/* A record slot ready for the next record: the first part zeroed (the
 * fewer bytes, the fewer stores per record), the rest set. */
static void rec_reset(struct rec *r)
{
    asc_zero(r, offsetof(struct rec, abs_first));
    r->abs_first = r->abs_last = INT64_MIN;
    r->up_first = r->up_last = r->sys_init_ms = r->dur_us = r->sampler = -1;
    r->icmp = -1;
    r->s4.family = r->d4.family = r->s6.family = r->d6.family = 0;
}

/* An unsigned integer of any reduced size 1..8, big-endian; the common
 * widths without a loop. */
static inline uint64_t get_uint(const uint8_t *p, size_t n)
{
    switch (n) {
    case 1: return p[0];
    case 2: return asc_load_be16(p);
    case 4: return asc_load_be32(p);
    case 8: return (uint64_t)asc_load_be32(p) << 32 | asc_load_be32(p + 4);
    default: break;
    }
    uint64_t v = 0;
    if (n > 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static asc_time ntp_time(const uint8_t *p, size_t n)
{
    if (n != 8)
        return INT64_MIN;
    int64_t secs = (int64_t)asc_load_be32(p) - NTP_UNIX_OFFSET;
    uint64_t frac = asc_load_be32(p + 4);
    return secs * ASC_NS_PER_SEC + (asc_time)((frac * 1000000000u) >> 32);
}

static void set_addr(struct asc_addr *a, const uint8_t *p, size_t n)
{
    if (n == 4 || n == 16) {
        a->family = n == 4 ? ASC_AF_INET : ASC_AF_INET6;
        memset(a->b, 0, sizeof(a->b));
        memcpy(a->b, p, n);
    }
}

static void reverse_field(struct rec *r, uint16_t id, const uint8_t *p, size_t n)
{
    uint64_t v = get_uint(p, n);
    r->biflow = true;
    switch (id) {
    case 1: r->by[1] = v; break;
    case 2: r->pk[1] = v; break;
    case 85: r->by_tot[1] = v; break;
    case 86: r->pk_tot[1] = v; break;
    case 6: r->f.dir[1].tcp_flags = (uint8_t)v; break;
    case 52: r->f.dir[1].ttl_min = (uint8_t)v; break;
    case 53: r->f.dir[1].ttl_max = (uint8_t)v; break;
    default: break;
    }
}

static void time_field(struct rec *r, uint16_t id, const uint8_t *p, size_t n)
{
    uint64_t v = get_uint(p, n);
    uint64_t lim = id == 150 || id == 151 ? LIM_S : id == 162 ? LIM_US : LIM_MS;
    if (v > lim && id >= 150)
        return;
    switch (id) {
    case 21: r->up_last = (int64_t)(v & 0xffffffffu); break;
    case 22: r->up_first = (int64_t)(v & 0xffffffffu); break;
    case 150: r->abs_first = (asc_time)v * ASC_NS_PER_SEC; break;
    case 151: r->abs_last = (asc_time)v * ASC_NS_PER_SEC; break;
    case 152: r->abs_first = (asc_time)v * 1000000; break;
    case 153: r->abs_last = (asc_time)v * 1000000; break;
    case 154: case 156: r->abs_first = ntp_time(p, n); break;
    case 155: case 157: r->abs_last = ntp_time(p, n); break;
    case 160: r->sys_init_ms = (int64_t)v; break;
    case 161: r->dur_us = (int64_t)v * 1000; break;
    case 162: r->dur_us = (int64_t)v; break;
    default: break;
    }
}

/* One IANA field into the record. */
static void field(struct rec *r, uint16_t id, const uint8_t *p, size_t n)
{
    switch (id) {
    case 1: r->by[0] = get_uint(p, n); break;
    case 2: r->pk[0] = get_uint(p, n); break;
    case 85: r->by_tot[0] = get_uint(p, n); break;
    case 86: r->pk_tot[0] = get_uint(p, n); break;
    case 23: r->by_out = get_uint(p, n); break;
    case 24: r->pk_out = get_uint(p, n); break;
    case 231: r->by[0] = get_uint(p, n); r->biflow = true; break;   /* initiatorOctets */
    case 232: r->by[1] = get_uint(p, n); r->biflow = true; break;   /* responderOctets */
    case 298: r->pk[0] = get_uint(p, n); r->biflow = true; break;   /* initiatorPackets */
    case 299: r->pk[1] = get_uint(p, n); r->biflow = true; break;   /* responderPackets */
    case 4: r->f.key.proto = (uint8_t)get_uint(p, n); break;
    case 6: r->f.dir[0].tcp_flags = (uint8_t)get_uint(p, n); break;
    case 7: r->f.key.orig_port = (uint16_t)get_uint(p, n); break;
    case 11: r->f.key.resp_port = (uint16_t)get_uint(p, n); break;
    case 8: set_addr(&r->s4, p, n); break;
    case 12: set_addr(&r->d4, p, n); break;
    case 27: set_addr(&r->s6, p, n); break;
    case 28: set_addr(&r->d6, p, n); break;
    case 32: case 139: r->icmp = (int32_t)(get_uint(p, n) & 0xffff); break;
    case 176: case 178:   /* type alone */
        r->icmp = (int32_t)((get_uint(p, n) & 0xff) << 8 | (r->icmp < 0 ? 0 : r->icmp & 0xff));
        break;
    case 177: case 179:   /* code alone */
        r->icmp = (int32_t)((r->icmp < 0 ? 0 : r->icmp & 0xff00) | (get_uint(p, n) & 0xff));
        break;
    case 52: r->f.dir[0].ttl_min = (uint8_t)get_uint(p, n); break;
    case 53: r->f.dir[0].ttl_max = (uint8_t)get_uint(p, n); break;
    case 58: case 243:
        if (!r->f.key.vlan)
            r->f.key.vlan = (uint16_t)(get_uint(p, n) & 0xfff);
        break;
    case 136: r->end_reason = (uint8_t)get_uint(p, n); break;
    case 34: case 50: case 305: r->samp_interval = get_uint(p, n); break;
    case 306: r->samp_space = get_uint(p, n); break;
    case 309: r->samp_size = get_uint(p, n); break;
    case 310: r->samp_pop = get_uint(p, n); break;
    case 48: case 302: r->sampler = (int64_t)get_uint(p, n); break;
    case 312: r->frame_size = get_uint(p, n); break;
    case 313: case 315:   /* ipHeaderPacketSection, dataLinkFrameSection (RFC 7133) */
        r->sect = p;
        r->sect_len = n;
        r->sect_dlt = id == 315 ? 1 : (n && (p[0] >> 4) == 6) ? 229 : 228;
        break;
    default: time_field(r, id, p, n); break;
    }
}

static uint32_t rec_rate(const struct rec *r)
{
    uint64_t rate = 0;
    if (r->samp_size && r->samp_pop)         /* RFC 5476 n-out-of-N */
        rate = r->samp_pop / r->samp_size;
    else if (r->samp_interval && r->samp_space)   /* RFC 5476: interval taken, space skipped */
        rate = (r->samp_interval + r->samp_space) / r->samp_interval;
    else if (r->samp_interval)
        rate = r->samp_interval;
    return rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
}

/* An absolute time in milliseconds (IE 152/153), absent when absurd
 * (LIM_MS, as in time_field). */
static inline void ms_time(asc_time *t, const uint8_t *p)
{
    uint64_t v = get_uint(p, 8);
    if (v <= LIM_MS)
        *t = (asc_time)v * 1000000;
}

/* The direct stores, once: op, IANA element, width, and the store of the
 * field at p into r. Each stores exactly what field() and time_field()
 * would for that element at that width (the record starts zeroed). Used
 * for the op enum, fi_field_op's table, one_field's switch and the plans'
 * reads. */
#define DIRECT_OPS(X)                                                   \
    X(OP_BY0_4, 1, 4, r->by[0] = asc_load_be32(p))                      \
    X(OP_BY0_8, 1, 8, r->by[0] = get_uint(p, 8))                         \
    X(OP_PK0_4, 2, 4, r->pk[0] = asc_load_be32(p))                      \
    X(OP_PK0_8, 2, 8, r->pk[0] = get_uint(p, 8))                         \
    X(OP_PROTO_1, 4, 1, r->f.key.proto = p[0])                          \
    X(OP_FLAGS0_1, 6, 1, r->f.dir[0].tcp_flags = p[0])                  \
    X(OP_FLAGS0_2, 6, 2, r->f.dir[0].tcp_flags = p[1])                  \
    X(OP_SPORT_2, 7, 2, r->f.key.orig_port = asc_load_be16(p))          \
    X(OP_DPORT_2, 11, 2, r->f.key.resp_port = asc_load_be16(p))         \
    X(OP_SRC4, 8, 4, set_addr(&r->s4, p, 4))                            \
    X(OP_DST4, 12, 4, set_addr(&r->d4, p, 4))                           \
    X(OP_SRC6, 27, 16, set_addr(&r->s6, p, 16))                         \
    X(OP_DST6, 28, 16, set_addr(&r->d6, p, 16))                         \
    X(OP_UP_FIRST_4, 22, 4, r->up_first = asc_load_be32(p))             \
    X(OP_UP_LAST_4, 21, 4, r->up_last = asc_load_be32(p))               \
    X(OP_MS_FIRST_8, 152, 8, ms_time(&r->abs_first, p))                 \
    X(OP_MS_LAST_8, 153, 8, ms_time(&r->abs_last, p))

#define OP_ENUM(op, id, len, store) op,
enum {
    OP_FIELD = 0,   /* field(), reverse_field(), or skipped (enterprise) */
    DIRECT_OPS(OP_ENUM) OP__COUNT
};
#undef OP_ENUM

uint8_t fi_field_op(const struct fi_field *f)
{
#define OP_ROW(op, id, len, store) {id, len, op},
    static const struct {
        uint16_t id, len;
        uint8_t op;
    } direct[] = {DIRECT_OPS(OP_ROW)};
#undef OP_ROW
    if (f->pen != 0)
        return OP_FIELD;
    for (size_t i = 0; i < ASC_ARRAY_LEN(direct); i++)
        if (direct[i].id == f->id && direct[i].len == f->len)
            return direct[i].op;
    return OP_FIELD;
}

/* A field without a direct store: by IANA element, reverse element, or
 * skipped (other enterprises). Kept out of line so that one_field, with
 * the direct stores, is inlined into the record loop. */
static __attribute__((noinline)) void any_field(struct rec *r, const struct fi_field *fd,
                                                const uint8_t *p, size_t n, bool *skipped_pen)
{
    if (fd->pen == 0)
        field(r, fd->id, p, n);
    else if (fd->pen == FI_PEN_REVERSE)
        reverse_field(r, fd->id, p, n);
    else
        *skipped_pen = true;
}

static inline __attribute__((always_inline)) void one_field(struct rec *r,
                                                            const struct fi_field *fd,
                                                            const uint8_t *p, size_t n,
                                                            bool *skipped_pen)
{
#define OP_CASE(op, id, len, store) case op: store; return;
    switch (fd->op) {
    DIRECT_OPS(OP_CASE)
#undef OP_CASE
    default: any_field(r, fd, p, n, skipped_pen); return;
    }
}

/* Where a field stores (plan_target), so that a plan can check that no
 * two fields of a template store to the same place. */
enum {
    TG_NONE = 0, TG_BY0, TG_PK0, TG_PROTO, TG_FLAGS0, TG_SPORT, TG_DPORT, TG_SRC4, TG_DST4,
    TG_SRC6, TG_DST6, TG_UP_FIRST, TG_UP_LAST, TG_ABS_FIRST, TG_ABS_LAST, TG__COUNT
};

/* The target of a field among those of the direct ops (TG_NONE: another
 * place, or nothing). Reverse (PEN 29305) elements store to the reverse
 * direction and other enterprises' are skipped: neither is a target. */
static unsigned plan_target(const struct fi_field *f)
{
    if (f->pen != 0)
        return TG_NONE;
    switch (f->id) {
    case 1: case 231: return TG_BY0;
    case 2: case 298: return TG_PK0;
    case 4: return TG_PROTO;
    case 6: return TG_FLAGS0;
    case 7: return TG_SPORT;
    case 11: return TG_DPORT;
    case 8: return TG_SRC4;
    case 12: return TG_DST4;
    case 27: return TG_SRC6;
    case 28: return TG_DST6;
    case 22: return TG_UP_FIRST;
    case 21: return TG_UP_LAST;
    case 150: case 152: case 154: case 156: return TG_ABS_FIRST;
    case 151: case 153: case 155: case 157: return TG_ABS_LAST;
    default: return TG_NONE;
    }
}

struct fi_plan {
    int32_t at[OP__COUNT];       /* record offset of each direct op's field, -1: none */
    uint16_t n_other;
    struct fi_plan_other {
        uint16_t field, off;     /* index in t->f, offset in the record */
    } other[];
};

struct fi_plan *fi_plan_new(const struct fi_tmpl *t, size_t *bytes)
{
    *bytes = 0;
    if (t->varlen || t->options)
        return NULL;
    bool taken[TG__COUNT] = {false};
    size_t n_other = 0;
    for (unsigned i = 0; i < t->nfields; i++) {
        unsigned tg = plan_target(&t->f[i]);
        if (tg != TG_NONE && taken[tg])
            return NULL;   /* two fields store to one place: order matters */
        taken[tg] = tg != TG_NONE;
        n_other += t->f[i].op == OP_FIELD;
    }
    size_t size = sizeof(struct fi_plan) + n_other * sizeof(struct fi_plan_other);
    struct fi_plan *pl = asc_xcalloc(1, size);
    for (size_t k = 0; k < OP__COUNT; k++)
        pl->at[k] = -1;
    uint32_t off = 0;
    for (unsigned i = 0; i < t->nfields; i++) {
        if (t->f[i].op != OP_FIELD)
            pl->at[t->f[i].op] = (int32_t)off;
        else
            pl->other[pl->n_other++] = (struct fi_plan_other){(uint16_t)i, (uint16_t)off};
        off += t->f[i].len;
    }
    *bytes = size;
    return pl;
}

/* One record by its template's plan: each direct field from its offset
 * (a branch per op that goes the same way for every record of the
 * template), then the others in template order. */
static void read_planned(struct rec *r, const struct fi_tmpl *t, const uint8_t *rec,
                         bool *skipped_pen)
{
    const struct fi_plan *pl = t->plan;
    const int32_t *at = pl->at;
#define OP_PLANNED(op, id, len, store)                                  \
    if (at[op] >= 0) {                                                  \
        const uint8_t *p = rec + at[op];                                \
        store;                                                          \
    }
    DIRECT_OPS(OP_PLANNED)
#undef OP_PLANNED
    for (unsigned k = 0; k < pl->n_other; k++) {
        const struct fi_field *fd = &t->f[pl->other[k].field];
        any_field(r, fd, rec + pl->other[k].off, fd->len, skipped_pen);
    }
}

/* Parse one record at the cursor. false: the record ran past the set.
 * A template without variable-length fields has a fixed record length,
 * checked once; the fields are then read without a bounds test each. */
static bool parse_record(const struct fi_tmpl *t, struct asc_cursor *c, struct rec *r,
                         bool *skipped_pen)
{
    if (!t->varlen) {
        if (!asc_cur_has(c, t->min_len))
            return false;
        const uint8_t *p = asc_cur_ptr(c);
        if (t->plan) {
            read_planned(r, t, p, skipped_pen);
        } else {
            for (unsigned i = 0; i < t->nfields; i++) {
                one_field(r, &t->f[i], p, t->f[i].len, skipped_pen);
                p += t->f[i].len;
            }
        }
        asc_cur_skip(c, t->min_len);
        return true;
    }
    for (unsigned i = 0; i < t->nfields; i++) {
        const struct fi_field *fd = &t->f[i];
        size_t n = fd->len;
        if (n == FI_VARLEN) {
            n = asc_cur_u8(c);
            if (n == 255)
                n = asc_cur_be16(c);
        }
        if (c->bad || !asc_cur_has(c, n))
            return false;
        const uint8_t *p = asc_cur_ptr(c);
        asc_cur_skip(c, n);
        one_field(r, fd, p, n, skipped_pen);
    }
    return true;
}

static void options_record(struct asc_fi *fi, struct fi_exporter *ex, const struct rec *r)
{
    fi_cnt(fi, ASC_FI_OPT_RECORDS);
    uint32_t rate = rec_rate(r);
    if (!rate)
        return;
    fi_cnt(fi, ASC_FI_SAMPLING_UPDATES);
    if (r->sampler < 0) {
        ex->rate = rate;
        return;
    }
    for (size_t i = 0; i < ex->n_samplers; i++)
        if (ex->samplers[i].id == (uint32_t)r->sampler) {
            ex->samplers[i].rate = rate;
            return;
        }
    size_t slot = ex->n_samplers < FI_MAX_SAMPLERS ? ex->n_samplers++ : FI_MAX_SAMPLERS - 1;
    ex->samplers[slot] = (struct fi_sampler){.id = (uint32_t)r->sampler, .rate = rate};
    if (!ex->rate)
        ex->rate = rate;
}

static uint32_t record_sampling(const struct fi_exporter *ex, const struct rec *r)
{
    uint32_t rate = rec_rate(r);
    if (rate)
        return rate;
    if (r->sampler >= 0)
        for (size_t i = 0; i < ex->n_samplers; i++)
            if (ex->samplers[i].id == (uint32_t)r->sampler)
                return ex->samplers[i].rate;
    return ex->rate;
}

static asc_time up_time(const struct fi_msg *m, const struct rec *r, int64_t up)
{
    if (m->version == 9)
        return (asc_time)m->unix_secs * ASC_NS_PER_SEC -
               (int64_t)(int32_t)(m->uptime_ms - (uint32_t)up) * 1000000;
    if (r->sys_init_ms >= 0)
        return (r->sys_init_ms + up) * 1000000;
    return (asc_time)m->unix_secs * ASC_NS_PER_SEC;
}

static void record_times(const struct fi_msg *m, struct rec *r)
{
    asc_time exp = m->unix_secs ? (asc_time)m->unix_secs * ASC_NS_PER_SEC : m->arrival;
    asc_time first = r->abs_first, last = r->abs_last;
    if (first == INT64_MIN && r->up_first >= 0)
        first = up_time(m, r, r->up_first);
    if (last == INT64_MIN && r->up_last >= 0)
        last = up_time(m, r, r->up_last);
    if (first == INT64_MIN && last != INT64_MIN)
        first = r->dur_us >= 0 ? last - r->dur_us * 1000 : last;
    if (first == INT64_MIN)
        first = exp;
    if (last == INT64_MIN)
        last = r->dur_us >= 0 ? first + r->dur_us * 1000 : first;
    r->f.first = first;
    r->f.last = last;
}

/* ICMP type/code to the "ports" Zeek and Community ID use (see docs/flows.md). */
static void icmp_ports(struct asc_flow *f, int32_t tc)
{
    static const uint8_t v4[][2] = {{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16},
                                    {16, 15}, {17, 18}, {18, 17}, {10, 9}, {9, 10}};
    static const uint8_t v6[][2] = {{128, 129}, {129, 128}, {133, 134}, {134, 133},
                                    {135, 136}, {136, 135}, {130, 131}, {131, 130},
                                    {144, 145}, {145, 144}};
    uint8_t type = (uint8_t)(tc >> 8), code = (uint8_t)tc;
    const uint8_t(*tab)[2] = f->key.proto == 1 ? v4 : v6;
    f->key.orig_port = type;
    f->key.resp_port = code;
    for (size_t i = 0; i < 10; i++)
        if (tab[i][0] == type)
            f->key.resp_port = tab[i][1];
}

static void end_reason(struct asc_flow *f, uint8_t why)
{
    switch (why) {   /* RFC 7012 flowEndReason */
    case 1: f->end = ASC_END_IDLE; break;
    case 2: f->end = ASC_END_ACTIVE; break;
    case 3: f->end = ASC_END_CLOSED; break;
    case 4: f->end = ASC_END_EOF; break;
    case 5: f->end = ASC_END_EVICTED; break;
    default: f->end = ASC_END_IDLE; break;
    }
}

/* A record carrying a sampled packet's headers instead of a flow key:
 * the packet decoder gives the addresses; one record per IP layer. */
static bool packet_section(struct asc_fi *fi, const struct fi_msg *m, struct rec *r)
{
    struct asc_pkt pkt;
    uint32_t wire = r->frame_size > r->sect_len && r->frame_size < UINT32_MAX
                        ? (uint32_t)r->frame_size : (uint32_t)r->sect_len;
    asc_decode(&pkt, r->sect_dlt, r->sect, (uint32_t)r->sect_len, wire, m->arrival);
    if (!pkt.n_ipl)
        return false;
    uint32_t rate = r->f.sampling > 1 ? r->f.sampling : 1;
    record_times(m, r);
    for (unsigned i = 0; i < pkt.n_ipl && i < ASC_MAX_IPL; i++) {
        const struct asc_ipl *l = &pkt.ipl[i];
        struct asc_flow f = r->f;
        f.key.orig = l->src;
        f.key.resp = l->dst;
        f.key.orig_port = l->sport;
        f.key.resp_port = l->dport;
        f.key.proto = l->proto;
        f.key.tun_id = l->tun_id;
        f.tun = l->tun;
        if (pkt.n_vlan)
            f.key.vlan = pkt.vlan[pkt.n_vlan > 1 ? 1 : 0];
        uint64_t pk = r->pk[0] ? r->pk[0] : 1;
        uint64_t by = r->by[0] ? r->by[0] : l->ip_len ? l->ip_len : wire - ASC_MIN(wire, l->l3_off);
        f.dir[0].pkts = fi_scale32(fi, pk, rate);
        f.dir[0].ip_bytes = by * rate;
        f.dir[0].tcp_flags = l->proto == 6 ? l->tcp_flags : 0;
        f.dir[0].ttl_min = f.dir[0].ttl_max = l->ttl;
        fi_record(fi, &f);
    }
    return true;
}

/* Finish a data record into a flow; false if it has no usable addresses. */
static bool finish_flow(struct asc_fi *fi, const struct fi_msg *m, struct rec *r)
{
    struct asc_flow *f = &r->f;
    if (r->s4.family && r->d4.family) {
        f->key.orig = r->s4;
        f->key.resp = r->d4;
    } else if (r->s6.family && r->d6.family) {
        f->key.orig = r->s6;
        f->key.resp = r->d6;
    } else {
        return false;
    }
    if (f->key.proto == 1 || f->key.proto == 58) {
        int32_t tc = r->icmp >= 0 ? r->icmp : (int32_t)f->key.resp_port;
        icmp_ports(f, tc);
    }
    if (f->key.proto != 6)
        f->dir[0].tcp_flags = f->dir[1].tcp_flags = 0;
    for (int d = 0; d < 2; d++) {
        uint64_t pk = r->pk[d] ? r->pk[d] : r->pk_tot[d];
        uint64_t by = r->by[d] ? r->by[d] : r->by_tot[d];
        if (d == 0 && !pk && !by) {
            pk = r->pk_out;
            by = r->by_out;
        }
        uint32_t rate = f->sampling > 1 ? f->sampling : 1;
        f->dir[d].pkts = fi_scale32(fi, pk, rate);
        f->dir[d].ip_bytes = by > UINT64_MAX / rate ? UINT64_MAX : by * rate;
    }
    if (r->biflow)
        f->flags |= ASC_FF_BIFLOW;
    record_times(m, r);
    end_reason(f, r->end_reason);
    return true;
}

/* Records go out STITCH_BEHIND behind the decoder: record i is decoded,
 * its stitch index slot prefetched, and then record i - STITCH_BEHIND
 * goes to fi_record, so the index reads overlap the decoding of a few
 * records. The order of fi_record calls is the order of the records;
 * options records and packet sections send the waiting ones first. */
#define STITCH_BEHIND 4
#define RB 8 /* ring slots: at least STITCH_BEHIND + 1, a power of two (% is a mask) */
_Static_assert(RB > STITCH_BEHIND && (RB & (RB - 1)) == 0, "the ring holds the window");

struct waiting {
    struct rec rb[RB];   /* ring: the waiting records, then the one being decoded */
    unsigned head, n;
};

static void send_waiting(struct asc_fi *fi, struct waiting *w, unsigned keep)
{
    while (w->n > keep) {
        fi_record_hashed(fi, &w->rb[w->head].f, w->rb[w->head].shash);
        w->head = (w->head + 1) % RB;
        w->n--;
    }
}

void fi_data_set(struct asc_fi *fi, const struct fi_msg *m, const struct fi_tmpl *t,
                 const uint8_t *p, size_t len)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    bool skipped_pen = false;
    struct waiting w;
    w.head = w.n = 0;
    /* min_len > 0 or a varlen field (>= 1 byte each) is guaranteed by the
     * template parser, so every pass consumes bytes and the loop ends. */
    while (asc_cur_left(&c) >= (t->min_len ? t->min_len : 1)) {
        struct rec *r = &w.rb[(w.head + w.n) % RB];
        rec_reset(r);
        size_t before = c.off;
        if (!parse_record(t, &c, r, &skipped_pen)) {
            fi_cnt(fi, ASC_FI_BAD_RECORD);   /* a field past the end of the set */
            break;
        }
        if (c.off == before)
            break;
        if (t->options) {
            options_record(fi, m->ex, r);
            continue;
        }
        r->f.src_kind = m->version == 9 ? ASC_SRC_NETFLOW : ASC_SRC_IPFIX;
        r->f.sampling = record_sampling(m->ex, r);
        bool keyless = !(r->s4.family && r->d4.family) && !(r->s6.family && r->d6.family);
        if (keyless && r->sect) {
            send_waiting(fi, &w, 0);
            /* r is still the slot after the (now empty) ring's head */
            if (!packet_section(fi, m, r))
                fi_cnt(fi, ASC_FI_BAD_RECORD);
            continue;
        }
        if (!finish_flow(fi, m, r)) {
            fi_cnt(fi, ASC_FI_BAD_RECORD);
            continue;
        }
        r->shash = fi->stitch ? fi_stitch_hash(&r->f.key) : 0;
        fi_stitch_prefetch(fi, r->shash);
        w.n++;
        send_waiting(fi, &w, STITCH_BEHIND);
    }
    send_waiting(fi, &w, 0);
    if (skipped_pen)
        fi_cnt(fi, ASC_FI_ENTERPRISE_SKIPPED);
}
