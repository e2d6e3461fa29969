/*
 * flood_vec.c - which flood vector a packet belongs to (flood detector).
 *
 * Reflection vectors are recognised by the response's source port (UDP
 * amplification services) or by an unsolicited SYN-ACK, and only count
 * when the receiver sent nothing in that flow: a response to a request
 * the victim made is ordinary traffic. Direct vectors count packets that
 * are not part of a conversation the victim takes part in (a SYN, an ACK
 * or RST outside any handshake, UDP and ICMP the victim never answered).
 */
#include <string.h>

#include "detect/flood_int.h"

struct amp_service {
    uint16_t port;
    const char *vector;
};

/* UDP services abused for amplification (US-CERT TA14-017A and later
 * reports), by the source port of their responses; X(port, vector). */
#define AMP_SERVICES(X)                                                                   \
    X(17, "udp.qotd-amp") X(19, "udp.chargen-amp") X(53, "udp.dns-amp")                  \
    X(69, "udp.tftp-amp") X(111, "udp.portmap-amp") X(123, "udp.ntp-amp")                \
    X(137, "udp.netbios-amp") X(161, "udp.snmp-amp") X(389, "udp.cldap-amp")             \
    X(500, "udp.ike-amp") X(520, "udp.rip-amp") X(1434, "udp.mssql-amp")                 \
    X(1900, "udp.ssdp-amp") X(3283, "udp.ard-amp") X(3702, "udp.wsd-amp")                \
    X(4500, "udp.ike-amp") X(5351, "udp.natpmp-amp") X(5353, "udp.mdns-amp")             \
    X(5683, "udp.coap-amp") X(10001, "udp.ubiquiti-amp") X(11211, "udp.memcached-amp")   \
    X(27015, "udp.steam-amp") X(32414, "udp.plex-amp") X(33848, "udp.jenkins-amp")       \
    X(37810, "udp.dvr-amp") X(47808, "udp.bacnet-amp")

#define AMP_ENTRY(port, vector) {port, vector},
static const struct amp_service amp[] = {AMP_SERVICES(AMP_ENTRY)};
#define N_AMP (sizeof(amp) / sizeof(amp[0]))

/* A 256-bit filter of the services' ports, built by the compiler: a port
 * whose bit is clear is none of them (about nine ports in ten of a random
 * spray), so most UDP records skip the search. */
#define AMP_BIT(port) ((((unsigned)(port) * 40503u) >> 8) & 255u)
#define AMP_WORD(w, port, vector) | (AMP_BIT(port) / 64 == (w) ? 1ull << (AMP_BIT(port) % 64) : 0)
#define AMP_W0(port, vector) AMP_WORD(0, port, vector)
#define AMP_W1(port, vector) AMP_WORD(1, port, vector)
#define AMP_W2(port, vector) AMP_WORD(2, port, vector)
#define AMP_W3(port, vector) AMP_WORD(3, port, vector)
static const uint64_t amp_filter[4] = {0 AMP_SERVICES(AMP_W0), 0 AMP_SERVICES(AMP_W1),
                                       0 AMP_SERVICES(AMP_W2), 0 AMP_SERVICES(AMP_W3)};

static const char *const fixed_names[FV_AMP0] = {
    "none", "tcp.syn", "tcp.synack-reflection", "tcp.ack", "tcp.rst", "udp", "icmp",
    "ip.fragments",
};

const char *flood_vec_name(unsigned vec)
{
    if (vec < FV_AMP0)
        return fixed_names[vec];
    return vec - FV_AMP0 < N_AMP ? amp[vec - FV_AMP0].vector : "unknown";
}

bool flood_vec_reflective(unsigned vec)
{
    return vec == FV_SYNACK || vec >= FV_AMP0;
}

bool flood_vec_needs_sources(unsigned vec)
{
    /* One host sending a lot is a DoS only for vectors no conversation
     * produces; reflection needs many reflectors by nature. */
    return vec != FV_SYN && vec != FV_ICMP && vec != FV_FRAG;
}

uint8_t flood_vec_proto(unsigned vec)
{
    switch (vec) {
    case FV_SYN: case FV_SYNACK: case FV_ACK: case FV_RST: return 6;
    case FV_ICMP: return 0;     /* ICMP or ICMPv6 */
    case FV_FRAG: return 0;
    default: return 17;
    }
}

double flood_vec_floor(const struct flood_params *p, unsigned vec)
{
    switch (vec) {
    case FV_SYN: return p->syn_pps;
    case FV_SYNACK: return p->amp_pps;
    case FV_ACK: case FV_RST: return p->tcp_pps;
    case FV_UDP: return p->udp_pps;
    case FV_ICMP: return p->icmp_pps;
    case FV_FRAG: return p->frag_pps;
    default: return p->amp_pps;
    }
}

static unsigned amp_vector(uint16_t sport)
{
    unsigned b = AMP_BIT(sport);
    if (!(amp_filter[b / 64] >> (b % 64) & 1))
        return 0;
    for (unsigned i = 0; i < N_AMP; i++)
        if (amp[i].port == sport) {
            /* Services sharing a vector name share its slot (IKE 500/4500). */
            for (unsigned j = 0; j < i; j++)
                if (!strcmp(amp[j].vector, amp[i].vector))
                    return FV_AMP0 + j;
            return FV_AMP0 + i;
        }
    return 0;
}

/* Direction of the packet's sender in f: 0 originator, 1 responder. */
static int sender_dir(const struct asc_ipl *l, const struct asc_flow *f)
{
    return asc_addr_eq(&l->src, &f->key.orig) ? 0 : 1;
}

static unsigned classify_tcp(const struct asc_ipl *l, const struct asc_flow *f, int sd,
                             bool victim_silent, unsigned *ev)
{
    uint8_t fl = l->tcp_flags;
    if ((fl & (ASC_TH_SYN | ASC_TH_ACK)) == ASC_TH_SYN) {
        if (f && sd == 0 && asc_flow_verifies_orig(f))
            *ev |= ASC_EV_ANSWERED;
        return FV_SYN;
    }
    if ((fl & (ASC_TH_SYN | ASC_TH_ACK)) == (ASC_TH_SYN | ASC_TH_ACK)) {
        if (!victim_silent)
            return FV_NONE;
        *ev |= ASC_EV_REFLECTED;
        return FV_SYNACK;
    }
    if (fl & ASC_TH_RST)
        return victim_silent ? FV_RST : FV_NONE;
    if (f && (f->flags & ASC_FF_SYN_SEEN))
        return FV_NONE;         /* part of a handshaken connection */
    return victim_silent ? FV_ACK : FV_NONE;
}

/* Whether flood_vec_classify could give l a vector: a pure SYN, an
 * unanswered packet (the victim silent), or a packet without a transport
 * header or fragmented. Everything else is FV_NONE, whatever its flow. */
bool flood_vec_possible(const struct asc_ipl *l, const struct asc_flow *f)
{
    if (!f || !l->l4_ok || l->frag != ASC_FRAG_NONE)
        return true;
    if (l->proto == 6 && (l->tcp_flags & (ASC_TH_SYN | ASC_TH_ACK)) == ASC_TH_SYN)
        return true;
    return f->dir[!sender_dir(l, f)].pkts == 0;
}

unsigned flood_vec_classify(const struct asc_ipl *l, const struct asc_flow *f, unsigned *ev)
{
    *ev = 0;
    int sd = f ? sender_dir(l, f) : 0;
    bool victim_silent = !f || f->dir[!sd].pkts == 0;
    if (!l->l4_ok) {
        if (l->frag == ASC_FRAG_FIRST || l->frag == ASC_FRAG_LATER)
            return FV_FRAG;
        return FV_NONE;
    }
    switch (l->proto) {
    case 6:
        return classify_tcp(l, f, sd, victim_silent, ev);
    case 17: {
        unsigned v = amp_vector(l->sport);
        if (v) {
            if (!victim_silent)
                return FV_NONE;
            *ev |= ASC_EV_REFLECTED;
            return v;
        }
        return victim_silent ? FV_UDP : FV_NONE;
    }
    case 1:
    case 58:
        return victim_silent ? FV_ICMP : FV_NONE;
    default:
        return FV_NONE;
    }
}

/* TCP flags union of one side of a record; for Zeek records (no flags)
 * from the history letters: upper case the originator, lower the responder. */
static uint8_t record_flags(const struct asc_flow *f, int sd)
{
    uint8_t fl = f->dir[sd].tcp_flags;
    if (fl || !f->history[0])
        return fl;
    for (const char *h = f->history; *h; h++) {
        bool orig = *h >= 'A' && *h <= 'Z';
        if (orig != (sd == 0))
            continue;
        switch (*h | 0x20) {
        case 's': fl |= ASC_TH_SYN; break;
        case 'h': fl |= ASC_TH_SYN | ASC_TH_ACK; break;
        case 'a': fl |= ASC_TH_ACK; break;
        case 'd': fl |= ASC_TH_PSH | ASC_TH_ACK; break;
        case 'f': fl |= ASC_TH_FIN; break;
        case 'r': fl |= ASC_TH_RST; break;
        default: break;
        }
    }
    return fl;
}

/* Whether an export record (no history, only each side's flags union)
 * shows its originator completing the handshake and going past it: besides
 * its SYN it sent at least one more packet (a SYN cannot carry the
 * handshake's ACK; sampled counts are scaled), with ACK, and data (PSH) or
 * a normal close (FIN); and the responder, when its side was exported,
 * sent the SYN-ACK (a biflow record, RFC 5103 or NSEL, with nothing from
 * the responder is no connection: the exporter saw that side send
 * nothing). That takes the SYN-ACK's sequence number, which a spoofed SYN
 * flood's sender never sees: its side is SYNs only, or SYN and
 * the bare RST (no ACK) a real host at the spoofed address sends back to
 * an unsolicited SYN-ACK, whatever the victim answers. A SYN, ACK and
 * nothing more (an open-and-drop connection) is not past the handshake. */
static bool record_handshaken(const struct asc_flow *f)
{
    const uint8_t sa = ASC_TH_SYN | ASC_TH_ACK;
    const struct asc_flow_dir *o = &f->dir[0], *r = &f->dir[1];
    uint64_t sampling = f->sampling > 1 ? f->sampling : 1;
    if (asc_flow_has_history(f) || (o->tcp_flags & sa) != sa ||
        !(o->tcp_flags & (ASC_TH_PSH | ASC_TH_FIN)) || o->pkts < 2 * sampling)
        return false;
    if (!r->pkts)   /* a biflow says the responder sent nothing: no handshake */
        return !(f->flags & ASC_FF_BIFLOW);
    return (r->tcp_flags & sa) == sa;
}

/* TCP part of flood_vec_record: fl is the union of the sender's flags. */
static unsigned record_tcp(const struct asc_flow *f, int sd, bool silent, uint64_t *pkts,
                           unsigned *ev)
{
    uint8_t fl = record_flags(f, sd);
    const uint8_t conv = ASC_TH_ACK | ASC_TH_FIN | ASC_TH_PSH | ASC_TH_RST;
    if (fl & ASC_TH_SYN) {
        /* SYN and ACK from a sender nobody answered, no data, no FIN: its
         * SYN-ACKs (and RSTs). ECE with CWR is an ECN-setup SYN (RFC 3168),
         * which a SYN-ACK never carries: that sender sent SYNs. */
        bool ecn_syn = (fl & (ASC_TH_ECE | ASC_TH_CWR)) == (ASC_TH_ECE | ASC_TH_CWR);
        if (silent && (fl & ASC_TH_ACK) && !(fl & (ASC_TH_FIN | ASC_TH_PSH)) && !ecn_syn) {
            *ev |= ASC_EV_REFLECTED;    /* SYN-ACKs (and RSTs) nobody asked for */
            return FV_SYNACK;
        }
        if (sd == 1 && (fl & ASC_TH_ACK))
            return FV_NONE;             /* the responder's SYN-ACK */
        if (sd == 0 && record_handshaken(f))
            return FV_NONE;             /* a connection, not a SYN flood's */
        if (sd == 0 && asc_flow_verifies_orig(f))
            *ev |= ASC_EV_ANSWERED;
        if (fl & conv) {
            /* A connection's record: one SYN of its packets (scaled). */
            uint64_t one = f->sampling > 1 ? f->sampling : 1;
            if (*pkts > one)
                *pkts = one;
        }
        return FV_SYN;
    }
    if (!silent || !fl)
        return FV_NONE;                 /* answered, or flags not exported */
    return (fl & ASC_TH_RST) ? FV_RST : FV_ACK;
}

unsigned flood_vec_record(const struct asc_flow *f, int sd, uint64_t *pkts, unsigned *ev)
{
    *ev = 0;
    *pkts = f->dir[sd].pkts;
    if (!*pkts)
        return FV_NONE;
    /* One-way records count as unanswered: the flood floors are rates
     * over many records (docs/flow-inputs.md, one-way records). */
    bool silent = f->dir[!sd].pkts == 0;
    switch (f->key.proto) {
    case 6:
        return record_tcp(f, sd, silent, pkts, ev);
    case 17: {
        if (!silent)
            return FV_NONE;
        unsigned v = amp_vector(sd == 0 ? f->key.orig_port : f->key.resp_port);
        if (v)
            *ev |= ASC_EV_REFLECTED;
        return v ? v : FV_UDP;
    }
    case 1:
    case 58:
        return silent ? FV_ICMP : FV_NONE;
    default:
        return FV_NONE;
    }
}
