/*
 * test_flowin.c - unit tests of the flow-export decoders with hand-made
 * datagrams: good NetFlow v9 / IPFIX / v5 records, RFC 5103 biflows,
 * stitching, and broken input (absurd templates, fields past the end,
 * zero-length loops, unknown templates, caps) counted and skipped.
 */
#include "harness.h"
#include "source/flowin.h"

#ifdef __GLIBC__
#include <malloc.h>   /* mallinfo2: test_template_plan_memory */
#endif

struct sink {
    struct asc_flow f[64];
    size_t n;
};

static void on_flow(void *ctx, const struct asc_flow *f)
{
    struct sink *s = ctx;
    if (s->n < 64)
        s->f[s->n++] = *f;
}

/* A tiny datagram builder. */
struct buf {
    uint8_t b[4096];
    size_t n;
};
static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void u16(struct buf *b, unsigned v) { u8(b, v >> 8); u8(b, v); }
static void u32(struct buf *b, uint32_t v) { u16(b, v >> 16); u16(b, v & 0xffff); }
static void put16(struct buf *b, size_t at, unsigned v)
{
    b->b[at] = (uint8_t)(v >> 8);
    b->b[at + 1] = (uint8_t)v;
}

static void v9_header(struct buf *b)
{
    b->n = 0;
    u16(b, 9); u16(b, 1); u32(b, 100000); u32(b, 1700000000); u32(b, 1); u32(b, 7);
}
static void ipfix_header(struct buf *b)
{
    b->n = 0;
    u16(b, 10); u16(b, 0); u32(b, 1700000000); u32(b, 1); u32(b, 7);
}
static size_t set_open(struct buf *b, unsigned id)
{
    size_t at = b->n;
    u16(b, id);
    u16(b, 0);
    return at;
}
static void set_close(struct buf *b, size_t at) { put16(b, at + 2, (unsigned)(b->n - at)); }

static struct asc_addr exporter(void)
{
    struct asc_addr a;
    asc_addr_parse("192.0.2.1", &a);
    return a;
}

static const struct asc_flowin_stats *feed(struct asc_fi *fi, struct buf *b, bool ipfix)
{
    if (ipfix)
        put16(b, 2, (unsigned)b->n);
    struct asc_addr ex = exporter();
    asc_fi_datagram(fi, &ex, (asc_time)1700000000 * ASC_NS_PER_SEC, b->b, b->n, ASC_FIP_NONE);
    return asc_fi_stats(fi);
}

/* v9 template 300: src4 dst4 sport dport proto pkts bytes flags */
static void v9_template(struct buf *b)
{
    size_t s = set_open(b, 0);
    u16(b, 300); u16(b, 8);
    u16(b, 8); u16(b, 4); u16(b, 12); u16(b, 4); u16(b, 7); u16(b, 2); u16(b, 11); u16(b, 2);
    u16(b, 4); u16(b, 1); u16(b, 2); u16(b, 4); u16(b, 1); u16(b, 4); u16(b, 6); u16(b, 1);
    set_close(b, s);
}
static void v9_record(struct buf *b, uint32_t src, uint32_t dst, unsigned sp, unsigned dp)
{
    u32(b, src); u32(b, dst); u16(b, sp); u16(b, dp); u8(b, 6); u32(b, 3); u32(b, 180); u8(b, 0x12);
}

static void test_v9_good_and_stitched(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    v9_header(&b);
    v9_template(&b);
    size_t d = set_open(&b, 300);
    v9_record(&b, 0x0a000001, 0x0a000002, 40000, 443);
    v9_record(&b, 0x0a000002, 0x0a000001, 443, 40000);
    set_close(&b, d);
    const struct asc_flowin_stats *st = feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_TEMPLATES], 1);
    CHECK_EQ_U(st->c[ASC_FI_RECORDS], 2);
    CHECK_EQ_U(st->c[ASC_FI_STITCHED], 1);
    CHECK_EQ_U(s.n, 1);
    CHECK_EQ_U(s.f[0].key.orig_port, 40000);
    CHECK_EQ_U(s.f[0].dir[0].pkts, 3);
    CHECK_EQ_U(s.f[0].dir[1].ip_bytes, 180);
    CHECK(s.f[0].flags & ASC_FF_STITCHED);
    asc_fi_free(fi);
}

static void test_unknown_template_held_then_dropped(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    v9_header(&b);
    size_t d = set_open(&b, 301);
    v9_record(&b, 1, 2, 3, 4);
    set_close(&b, d);
    const struct asc_flowin_stats *st = feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_UNKNOWN_TEMPLATE], 1);
    CHECK_EQ_U(st->c[ASC_FI_SETS_HELD], 1);
    asc_fi_flush(fi);
    CHECK_EQ_U(st->c[ASC_FI_SETS_DROPPED], 1);
    CHECK_EQ_U(s.n, 0);
    /* the same set followed by its template is replayed */
    v9_header(&b);
    d = set_open(&b, 300);
    v9_record(&b, 1, 2, 3, 4);
    set_close(&b, d);
    feed(fi, &b, false);
    v9_header(&b);
    v9_template(&b);
    feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_SETS_REPLAYED], 1);
    asc_fi_flush(fi);
    CHECK_EQ_U(s.n, 1);
    asc_fi_free(fi);
}

static void test_absurd_templates(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    /* field count far beyond the set */
    v9_header(&b);
    size_t t = set_open(&b, 0);
    u16(&b, 400); u16(&b, 5000); u16(&b, 8); u16(&b, 4);
    set_close(&b, t);
    const struct asc_flowin_stats *st = feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_BAD_TEMPLATE], 1);
    /* record length over 65535 */
    v9_header(&b);
    t = set_open(&b, 0);
    u16(&b, 401); u16(&b, 2); u16(&b, 1); u16(&b, 65535); u16(&b, 2); u16(&b, 65535);
    set_close(&b, t);
    feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_BAD_TEMPLATE], 2);
    /* IPFIX: only zero-length fields, whose data set would never end */
    ipfix_header(&b);
    t = set_open(&b, 2);
    u16(&b, 402); u16(&b, 2); u16(&b, 1); u16(&b, 0); u16(&b, 2); u16(&b, 0);
    set_close(&b, t);
    size_t d = set_open(&b, 402);
    u32(&b, 0);
    set_close(&b, d);
    feed(fi, &b, true);
    CHECK_EQ_U(st->c[ASC_FI_BAD_TEMPLATE], 3);
    CHECK_EQ_U(st->c[ASC_FI_TEMPLATES], 0);
    /* template id below 256 */
    v9_header(&b);
    t = set_open(&b, 0);
    u16(&b, 12); u16(&b, 1); u16(&b, 8); u16(&b, 4);
    set_close(&b, t);
    feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_BAD_TEMPLATE], 4);
    asc_fi_free(fi);
}

static void test_field_past_end_and_set_loops(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    /* IPFIX template with a variable-length field; the record claims 200 bytes */
    ipfix_header(&b);
    size_t t = set_open(&b, 2);
    u16(&b, 500); u16(&b, 2); u16(&b, 8); u16(&b, 4); u16(&b, 315); u16(&b, 0xffff);
    set_close(&b, t);
    size_t d = set_open(&b, 500);
    u32(&b, 0x0a000001); u8(&b, 200); u32(&b, 0);
    set_close(&b, d);
    const struct asc_flowin_stats *st = feed(fi, &b, true);
    CHECK_EQ_U(st->c[ASC_FI_BAD_RECORD], 1);
    /* a set whose length is 0 (would loop) and one running past the end */
    struct asc_addr ex = exporter();
    ipfix_header(&b);
    u16(&b, 256); u16(&b, 0);
    put16(&b, 2, (unsigned)b.n);
    CHECK(asc_fi_sniff(b.b, b.n, 4739) == ASC_FIP_NONE);
    asc_fi_datagram(fi, &ex, 1, b.b, b.n, ASC_FIP_IPFIX);
    CHECK(st->c[ASC_FI_BAD_LENGTH] >= 1);
    v9_header(&b);
    u16(&b, 300); u16(&b, 900); u32(&b, 0);
    asc_fi_datagram(fi, &ex, 1, b.b, b.n, ASC_FIP_NF9);
    CHECK(st->c[ASC_FI_BAD_LENGTH] >= 2);
    /* a truncated v5 datagram forced through */
    b.n = 0;
    u16(&b, 5); u16(&b, 30); u32(&b, 0); u32(&b, 0); u32(&b, 0); u32(&b, 0); u32(&b, 0);
    v9_record(&b, 1, 2, 3, 4);
    asc_fi_datagram(fi, &ex, 1, b.b, b.n, ASC_FIP_NF5);
    CHECK_EQ_U(s.n, 0);
    CHECK(asc_fi_sniff(b.b, b.n, 2055) == ASC_FIP_NONE);
    asc_fi_flush(fi);
    asc_fi_free(fi);
}

static void test_caps(void)
{
    struct sink s = {0};
    struct asc_fi_conf cf;
    asc_fi_conf_default(&cf);
    cf.max_templates = 4;
    cf.max_exporters = 1;
    struct asc_fi *fi = asc_fi_new(&cf, on_flow, &s);
    struct buf b;
    v9_header(&b);
    size_t t = set_open(&b, 0);
    for (unsigned id = 256; id < 266; id++) {
        u16(&b, id); u16(&b, 1); u16(&b, 8); u16(&b, 4);
    }
    set_close(&b, t);
    const struct asc_flowin_stats *st = feed(fi, &b, false);
    CHECK_EQ_U(st->c[ASC_FI_TEMPLATES], 4);
    CHECK_EQ_U(st->c[ASC_FI_TMPL_CAP], 6);
    struct asc_addr other;
    asc_addr_parse("198.51.100.9", &other);
    asc_fi_datagram(fi, &other, 1, b.b, b.n, ASC_FIP_NF9);
    CHECK_EQ_U(st->c[ASC_FI_EXPORTER_CAP], 1);
    CHECK(asc_fi_mem(fi) < (1u << 20) + 8 * 262144 * 200u);
    asc_fi_free(fi);
}

static void test_ipfix_biflow_reverse(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    ipfix_header(&b);
    size_t t = set_open(&b, 2);
    /* src, dst, proto, octets, packets, reverse octets (PEN 29305), an unknown PEN field */
    u16(&b, 600); u16(&b, 7);
    u16(&b, 8); u16(&b, 4); u16(&b, 12); u16(&b, 4); u16(&b, 4); u16(&b, 1);
    u16(&b, 1); u16(&b, 2); /* reduced-size: 2-byte octet count */
    u16(&b, 2); u16(&b, 8);
    u16(&b, 0x8001); u16(&b, 4); u32(&b, 29305);
    u16(&b, 0x8123); u16(&b, 2); u32(&b, 9);
    set_close(&b, t);
    size_t d = set_open(&b, 600);
    u32(&b, 0x0a000001); u32(&b, 0x0a000002); u8(&b, 17); u16(&b, 1000); u32(&b, 0); u32(&b, 5);
    u32(&b, 777); u16(&b, 0);
    set_close(&b, d);
    const struct asc_flowin_stats *st = feed(fi, &b, true);
    CHECK_EQ_U(st->c[ASC_FI_BIFLOWS], 1);
    CHECK_EQ_U(st->c[ASC_FI_ENTERPRISE_SKIPPED], 1);
    CHECK_EQ_U(s.n, 1);
    CHECK_EQ_U(s.f[0].dir[0].ip_bytes, 1000);
    CHECK_EQ_U(s.f[0].dir[0].pkts, 5);
    CHECK_EQ_U(s.f[0].dir[1].ip_bytes, 777);
    asc_fi_free(fi);
}

/* Common elements at their usual widths are stored directly (fi_field_op);
 * the same values at other widths go through the general per-element code.
 * Two templates, one of each kind, and the same three records in each: the
 * flows must be alike field by field, and right. The third record's end
 * time is absurd (past year 2096 in ms) and is treated as absent. */
static void ipfix_u(struct buf *b, uint64_t v, unsigned width)
{
    for (unsigned i = width; i-- > 0;)
        u8(b, (unsigned)(v >> (8 * i)));
}

static void test_direct_widths_equal_general(void)
{
    /* element ids; widths in the direct template, then in the general one */
    static const unsigned id[] = {8, 12, 7, 11, 4, 6, 1, 2, 152, 153};
    static const unsigned wd[] = {4, 4, 2, 2, 1, 1, 8, 4, 8, 8};
    static const unsigned wg[] = {4, 4, 1, 3, 2, 4, 3, 2, 6, 6};
    const uint64_t t0 = UINT64_C(1700000000123);
    const uint64_t vals[3][10] = {
        {0x0a000001, 0xc6336401, 200, 53, 17, 0, 1500, 7, t0, t0 + 2500},
        {0x0a000002, 0xc6336402, 201, 443, 6, 0x1b, 52, 1, t0 + 10, t0 + 10},
        {0x0a000003, 0xc6336403, 202, 8080, 6, 0x02, 60, 1, t0 + 20, UINT64_C(0xffffffffffff)},
    };
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    ipfix_header(&b);
    size_t t = set_open(&b, 2);
    for (unsigned tid = 700; tid <= 701; tid++) {
        u16(&b, tid); u16(&b, 10);
        for (size_t i = 0; i < 10; i++) {
            u16(&b, id[i]);
            u16(&b, tid == 700 ? wd[i] : wg[i]);
        }
    }
    set_close(&b, t);
    for (unsigned tid = 700; tid <= 701; tid++) {
        size_t d = set_open(&b, tid);
        for (size_t r = 0; r < 3; r++)
            for (size_t i = 0; i < 10; i++)
                ipfix_u(&b, vals[r][i] + (i == 0 && tid == 701 ? 0x100 : 0),
                        tid == 700 ? wd[i] : wg[i]);
        set_close(&b, d);
    }
    const struct asc_flowin_stats *st = feed(fi, &b, true);
    asc_fi_flush(fi);
    CHECK_EQ_U(st->c[ASC_FI_RECORDS], 6);
    CHECK_EQ_U(st->c[ASC_FI_BAD_RECORD], 0);
    CHECK_EQ_U(s.n, 6);
    for (size_t r = 0; r < 3 && s.n == 6; r++) {
        /* the direct template's flow and the general one's (source + 0x100) */
        const struct asc_flow *fd = NULL, *fg = NULL;
        for (size_t j = 0; j < s.n; j++) {
            const uint8_t *a = s.f[j].key.orig.b;
            uint32_t src = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
            if (src == vals[r][0])
                fd = &s.f[j];
            else if (src == vals[r][0] + 0x100)
                fg = &s.f[j];
        }
        CHECK(fd && fg);
        if (!fd || !fg)
            continue;
        CHECK_EQ_U(fd->key.orig.family, ASC_AF_INET);
        CHECK_EQ_U(fd->key.resp.b[3], vals[r][1] & 0xff);
        CHECK(!memcmp(&fd->key.resp, &fg->key.resp, sizeof(fd->key.resp)));
        CHECK_EQ_U(fd->key.proto, vals[r][4]);
        CHECK_EQ_U(fg->key.proto, vals[r][4]);
        CHECK_EQ_U(fd->key.orig_port, vals[r][2]);
        CHECK_EQ_U(fg->key.orig_port, vals[r][2]);
        CHECK_EQ_U(fd->key.resp_port, vals[r][3]);
        CHECK_EQ_U(fg->key.resp_port, vals[r][3]);
        CHECK_EQ_U(fd->dir[0].tcp_flags, vals[r][5]);
        CHECK_EQ_U(fg->dir[0].tcp_flags, vals[r][5]);
        CHECK_EQ_U(fd->dir[0].ip_bytes, vals[r][6]);
        CHECK_EQ_U(fg->dir[0].ip_bytes, vals[r][6]);
        CHECK_EQ_U(fd->dir[0].pkts, vals[r][7]);
        CHECK_EQ_U(fg->dir[0].pkts, vals[r][7]);
        CHECK(fd->first == (asc_time)vals[r][8] * 1000000);
        CHECK(fg->first == fd->first);
        /* an absurd end: absent, so the flow ends where it began */
        CHECK(fd->last == (r == 2 ? fd->first : (asc_time)vals[r][9] * 1000000));
        CHECK(fg->last == fd->last);
    }
    asc_fi_free(fi);
}

/* Two fields of one template that store to the same place (octetDeltaCount
 * and initiatorOctets both give the originator's bytes): the template gets
 * no reading plan, its fields are read in order and the later one wins,
 * whichever order the template gives. */
static void test_same_target_fields_in_order(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    ipfix_header(&b);
    size_t t = set_open(&b, 2);
    for (unsigned tid = 710; tid <= 711; tid++) {
        u16(&b, tid); u16(&b, 5);
        u16(&b, 8); u16(&b, 4); u16(&b, 12); u16(&b, 4); u16(&b, 4); u16(&b, 1);
        u16(&b, tid == 710 ? 1 : 231); u16(&b, 4);
        u16(&b, tid == 710 ? 231 : 1); u16(&b, 4);
    }
    set_close(&b, t);
    for (unsigned tid = 710; tid <= 711; tid++) {
        size_t d = set_open(&b, tid);
        u32(&b, 0x0a000001 + (tid - 710)); u32(&b, 0x0a0000ff); u8(&b, 17);
        u32(&b, 100); u32(&b, 200);   /* the first field 100, the second 200 */
        set_close(&b, d);
    }
    feed(fi, &b, true);
    asc_fi_flush(fi);
    CHECK_EQ_U(s.n, 2);
    for (size_t j = 0; j < s.n; j++)
        CHECK_EQ_U(s.f[j].dir[0].ip_bytes, 200);
    asc_fi_free(fi);
}

/* IPFIX template 720 (fixed length, direct fields: it gets a reading plan)
 * or, with count 0, its withdrawal. */
static void ipfix_planned_template(struct buf *b, bool withdraw)
{
    ipfix_header(b);
    size_t t = set_open(b, 2);
    u16(b, 720); u16(b, withdraw ? 0 : 4);
    if (!withdraw) {
        u16(b, 8); u16(b, 4); u16(b, 12); u16(b, 4); u16(b, 4); u16(b, 1);
        u16(b, 1); u16(b, 4);
    }
    set_close(b, t);
}

/* A template's reading plan is part of its memory: counted while the
 * template is held, given back when it is withdrawn, and freed with the
 * decoder (the heap holds as much after asc_fi_free as before asc_fi_new;
 * the ASan build checks the same with its leak checker). */
static void test_template_plan_memory(void)
{
#ifdef __GLIBC__
    size_t heap0 = mallinfo2().uordblks;
#endif
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    ipfix_planned_template(&b, false);
    feed(fi, &b, true);
    size_t held = asc_fi_mem(fi);
    ipfix_planned_template(&b, true);
    const struct asc_flowin_stats *st = feed(fi, &b, true);
    CHECK_EQ_U(st->c[ASC_FI_TMPL_WITHDRAWN], 1);
    size_t none = asc_fi_mem(fi);
    CHECK(none < held);
    ipfix_planned_template(&b, false);
    feed(fi, &b, true);
    CHECK_EQ_U(asc_fi_mem(fi), held);
    asc_fi_free(fi);   /* with template 720 held */
#ifdef __GLIBC__
    CHECK_EQ_U(mallinfo2().uordblks, heap0);
#endif
}

/* One IPFIX data set of seven records whose addresses are variable-length
 * fields: six flows and, fourth, a keyless record carrying an Ethernet
 * frame (dataLinkFrameSection, IE 315). Records wait a few places behind
 * the decoder before the stitcher (fi_record.c); whatever the ring's state,
 * every record must come out once, in the order of the set. */
static void test_ipfix_ring_order_with_section(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b;
    ipfix_header(&b);
    size_t t = set_open(&b, 2);
    u16(&b, 700); u16(&b, 7);
    u16(&b, 8); u16(&b, 0xffff); u16(&b, 12); u16(&b, 0xffff); u16(&b, 7); u16(&b, 2);
    u16(&b, 11); u16(&b, 2); u16(&b, 4); u16(&b, 1); u16(&b, 2); u16(&b, 4);
    u16(&b, 315); u16(&b, 0xffff);
    set_close(&b, t);
    size_t d = set_open(&b, 700);
    for (unsigned i = 0; i < 7; i++) {
        if (i == 3) {   /* no addresses; the frame: Ethernet, IPv4, TCP 1003 -> 80 */
            u8(&b, 0); u8(&b, 0); u16(&b, 0); u16(&b, 0); u8(&b, 0); u32(&b, 1);
            u8(&b, 54);
            for (int k = 0; k < 12; k++)
                u8(&b, 0x02);
            u16(&b, 0x0800);
            u8(&b, 0x45); u8(&b, 0); u16(&b, 40); u32(&b, 0); u8(&b, 64); u8(&b, 6);
            u16(&b, 0); u32(&b, 0x0a000063); u32(&b, 0x0a000064);
            u16(&b, 1003); u16(&b, 80); u32(&b, 1); u32(&b, 0); u8(&b, 0x50); u8(&b, 0x02);
            u16(&b, 1024); u16(&b, 0); u16(&b, 0);
            continue;
        }
        u8(&b, 4); u32(&b, 0x0a000001 + i);
        u8(&b, 4); u32(&b, 0x0a010001 + i);
        u16(&b, 1000 + i); u16(&b, 80); u8(&b, 6); u32(&b, 2);
        u8(&b, 0);   /* an empty section */
    }
    set_close(&b, d);
    const struct asc_flowin_stats *st = feed(fi, &b, true);
    CHECK_EQ_U(st->c[ASC_FI_RECORDS], 7);
    CHECK_EQ_U(st->c[ASC_FI_BAD_RECORD], 0);
    asc_fi_flush(fi);
    CHECK_EQ_U(s.n, 7);
    for (size_t i = 0; i < s.n && i < 7; i++)
        CHECK_EQ_U(s.f[i].key.orig_port, 1000 + i);
    CHECK_EQ_U(s.f[3].key.proto, 6);
    CHECK_EQ_U(s.f[3].key.resp_port, 80);
    asc_fi_free(fi);
}

static void test_sflow_truncated(void)
{
    struct sink s = {0};
    struct asc_fi *fi = asc_fi_new(NULL, on_flow, &s);
    struct buf b = {.n = 0};
    u32(&b, 5); u32(&b, 1); u32(&b, 0x0a000001); u32(&b, 0); u32(&b, 1); u32(&b, 0); u32(&b, 2);
    u32(&b, 1); u32(&b, 500); u32(&b, 1);   /* a flow sample claiming 500 bytes */
    struct asc_addr ex = exporter();
    asc_fi_datagram(fi, &ex, 1, b.b, b.n, ASC_FIP_SFLOW);
    const struct asc_flowin_stats *st = asc_fi_stats(fi);
    CHECK_EQ_U(st->c[ASC_FI_TRUNCATED], 1);
    CHECK(asc_fi_sniff(b.b, b.n, 9999) == ASC_FIP_NONE);
    asc_fi_free(fi);
}

TEST_MAIN(T(test_v9_good_and_stitched), T(test_unknown_template_held_then_dropped),
          T(test_absurd_templates), T(test_field_past_end_and_set_loops), T(test_caps),
          T(test_ipfix_biflow_reverse), T(test_direct_widths_equal_general),
          T(test_same_target_fields_in_order), T(test_template_plan_memory),
          T(test_ipfix_ring_order_with_section),
          T(test_sflow_truncated))
