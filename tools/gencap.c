/*
 * gencap - deterministic synthetic pcap generator for ascribe's demo, benchmarks and
 * end-to-end detection tests.
 *
 * Writes classic pcap (microsecond timestamps, LINKTYPE_ETHERNET) from a seed with its own
 * PRNG (xoshiro256** seeded by splitmix64): the same arguments always give the same bytes.
 * No rand(), no wall clock; data time starts at 2026-01-05 09:00:00 UTC.
 *
 *   gencap --scenario demo -o FILE [--seed N]
 *       ~55k packets over 10 minutes seen at the border of a home network (198.51.100.0/24,
 *       2001:db8:100::/48): web (TLS with SNI, HTTP), ssh, DNS, NTP, ICMP echo, IPv6 sessions,
 *       VLAN-tagged hosts, plus four attacks: a spoofed SYN flood, DNS+NTP amplification
 *       (with IP fragments), a zmap-style horizontal scan and an SSH brute force. Ground truth
 *       goes to FILE.truth.json. The demo is built in memory (it is small) and sorted by time.
 *   gencap --scenario bench -o FILE [--packets N] [--flows M] [--active K] [--seed S]
 *       Large capture for benchmarks (default 15M packets, 1M flows), streamed with constant
 *       memory: a pool of K concurrently active flows (TCP ~70%, UDP ~25%, ICMP, ~20% IPv6),
 *       each advanced one packet at a time in random order.
 *   gencap --scenario attack -o FILE [--seed N]
 *       ~1.45M packets over 90 minutes at the demo's network border, attacks at realistic
 *       scale and pace: a spoofed SYN flood from 1.1M distinct sources at ~137k pkt/s, DNS
 *       amplification from 300 resolvers (victim-side view, fragments), a slow scan of a /24
 *       (a probe every 10-30 s) and a slow SSH brute force (48 sessions over ~47 minutes).
 *       Ground truth goes to FILE.truth.json. Details in gencap_attack.c.
 *
 * Invariants: every IPv4/TCP/UDP/ICMP checksum is valid, IP total length and UDP length are
 * exact, frames shorter than 60 bytes are zero-padded like on the wire, timestamps never go
 * backwards. Outside addresses come from a fixed table of public prefixes (checked with
 * libloc), except the spoofed flood sources, which are uniformly random.
 *
 * Tool, not product: it may exit() and print freely.
 */
#include "gencap.h"

/* ===================================================================== main */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gencap --scenario demo|attack -o FILE [--seed N]\n"
            "       gencap --scenario bench -o FILE [--packets N] [--flows M] [--active K] "
            "[--seed N]\n"
            "  FILE '-' writes to stdout; demo and attack also write FILE.truth.json\n"
            "  bench defaults: --packets 15000000 --flows 1000000 --active min(32768, flows/16)\n");
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end) {
        fprintf(stderr, "gencap: bad %s: %s\n", what, s);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"scenario", required_argument, NULL, 's'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"seed", required_argument, NULL, 'S'},
                                         {"packets", required_argument, NULL, 'n'},
                                         {"flows", required_argument, NULL, 'f'},
                                         {"active", required_argument, NULL, 'a'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *scenario = NULL, *out = NULL;
    uint64_t seed = 1, packets = 15000000, flows = 1000000, active = 0;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "s:o:S:n:f:a:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            scenario = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'S':
            seed = parse_u64(optarg, "seed");
            break;
        case 'n':
            packets = parse_u64(optarg, "packet count");
            break;
        case 'f':
            flows = parse_u64(optarg, "flow count");
            break;
        case 'a':
            active = parse_u64(optarg, "active flow count");
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (!scenario || !out || optind != argc) {
        usage(stderr);
        return 1;
    }
    if (!strcmp(scenario, "demo")) {
        run_demo(out, seed, quiet);
    } else if (!strcmp(scenario, "attack")) {
        run_attack(out, seed, quiet);
    } else if (!strcmp(scenario, "bench")) {
        if (!flows || active > 100000000) {
            fprintf(stderr, "gencap: --flows must be > 0 and --active at most 1e8\n");
            return 1;
        }
        if (!active) /* keep flow starts spread over the capture */
            active = flows / 16 < 1 ? 1 : flows / 16 > 32768 ? 32768 : flows / 16;
        run_bench(out, seed, packets, flows, (uint32_t)active, quiet);
    } else {
        fprintf(stderr, "gencap: unknown scenario %s\n", scenario);
        return 1;
    }
    return 0;
}
