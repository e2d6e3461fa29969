/*
 * cmd.c - the `flows` and `analyze` commands: option parsing, building the
 * pipeline configuration, running it and reporting.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "report/stats.h"

enum {
    OPT_MAX_FLOWS = 1000,
    OPT_TCP,
    OPT_TCP_INIT,
    OPT_TCP_CLOSED,
    OPT_UDP,
    OPT_ICMP,
    OPT_OTHER,
    OPT_ACTIVE,
    OPT_FORMAT,
    OPT_JSON,
    OPT_NO_PROGRESS,
    OPT_COLOR,
    OPT_SET,
    OPT_NO_DETECT,
    OPT_NO_STITCH,
    OPT_HTML,
    OPT_CSV,
    OPT_HOME,
    OPT_HOME_NET,
    OPT_EVIDENCE,
    OPT_THREADS,
};

#define FLOW_LONGOPTS                                                                          \
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},                                     \
        {"timeout-tcp", required_argument, NULL, OPT_TCP},                                     \
        {"timeout-tcp-init", required_argument, NULL, OPT_TCP_INIT},                           \
        {"timeout-tcp-closed", required_argument, NULL, OPT_TCP_CLOSED},                       \
        {"timeout-udp", required_argument, NULL, OPT_UDP},                                     \
        {"timeout-icmp", required_argument, NULL, OPT_ICMP},                                   \
        {"timeout-other", required_argument, NULL, OPT_OTHER},                                 \
        {"active-timeout", required_argument, NULL, OPT_ACTIVE},                              \
        {"no-stitch", no_argument, NULL, OPT_NO_STITCH}

static const char flow_opts_help[] =
    "flow table:\n"
    "  --max-flows N           hard cap on live flows (default 1000000); when full the\n"
    "                          flow nearest to expiry is evicted and counted\n"
    "  --timeout-tcp S         idle timeout for TCP (default 300 s)\n"
    "  --timeout-tcp-init S    idle timeout for unanswered TCP (default 60 s)\n"
    "  --timeout-tcp-closed S  linger after FIN both ways or RST (default 5 s)\n"
    "  --timeout-udp S         idle timeout for UDP (default 60 s)\n"
    "  --timeout-icmp S        idle timeout for ICMP (default 60 s)\n"
    "  --timeout-other S       idle timeout for other protocols (default 60 s)\n"
    "  --active-timeout S      cut flows longer than this (default 1800 s, 0 = never)\n"
    "flow exports (docs/flow-inputs.md):\n"
    "  --no-stitch             keep one-way NetFlow/IPFIX/sFlow records apart instead of\n"
    "                          joining the two directions of a connection\n"
    "  --set flowin.KEY=VALUE  a stitching or template setting, e.g.\n"
    "                          flowin.stitch_window=60 (repeatable; docs/flow-inputs.md)\n";

static int parse_seconds(const char *arg, asc_time *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || v < 0 || v > 1e7)
        return -1;
    *out = (asc_time)(v * 1e9);
    return 0;
}

int asc_parse_flow_opt(int opt, const char *arg, struct asc_flow_conf *cf)
{
    asc_time *t = NULL;
    switch (opt) {
    case OPT_MAX_FLOWS: {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || v < 16 || v > 1000000000ULL) {
            fprintf(stderr, "ascribe: --max-flows wants a number from 16 to 1e9, not '%s'\n",
                    arg);
            return -1;
        }
        cf->max_flows = (size_t)v;
        return 1;
    }
    case OPT_TCP: t = &cf->tcp_idle; break;
    case OPT_TCP_INIT: t = &cf->tcp_init_idle; break;
    case OPT_TCP_CLOSED: t = &cf->tcp_closed_idle; break;
    case OPT_UDP: t = &cf->udp_idle; break;
    case OPT_ICMP: t = &cf->icmp_idle; break;
    case OPT_OTHER: t = &cf->other_idle; break;
    case OPT_ACTIVE: t = &cf->active; break;
    default: return 0;
    }
    if (parse_seconds(arg, t) != 0) {
        fprintf(stderr, "ascribe: a timeout wants seconds (e.g. 60 or 0.5), not '%s'\n", arg);
        return -1;
    }
    return 1;
}

static int finish(int rc, const struct asc_err *err)
{
    if (rc == ASC_EXIT_FATAL)
        fprintf(stderr, "ascribe: %s\n", err->msg[0] ? err->msg : "failed");
    return rc;
}

/* The operands left after option parsing are the inputs. */
static int take_inputs(struct asc_pipe_conf *pc, const char *cmd, int argc, char **argv)
{
    if (optind >= argc) {
        fprintf(stderr, "ascribe %s: no input file (use - for standard input)\n", cmd);
        return -1;
    }
    pc->inputs = (const char *const *)argv + optind;
    pc->n_inputs = (size_t)(argc - optind);
    return 0;
}

static void flows_usage(FILE *f)
{
    fprintf(f,
            "usage: ascribe flows [OPTIONS] FILE...\n"
            "\n"
            "Write one record per bidirectional flow, in the order flows end.\n"
            "FILE is a pcap/pcapng capture (of traffic, or of NetFlow v5/v9, IPFIX or sFlow\n"
            "export datagrams), a Zeek conn.log (TSV or JSON), or - for standard input.\n"
            "Several captures are merged in timestamp order. Output is deterministic: the\n"
            "same input gives the same bytes.\n"
            "\n"
            "output:\n"
            "  --format json|zeek      JSON lines (default; docs/flows.md) or a Zeek\n"
            "                          conn.log-compatible TSV\n"
            "  -o, --output FILE       write here instead of standard output\n"
            "%s"
            "  -h, --help              this help\n"
            "\n"
            "exit status: 0 ok, 1 usage or fatal error, 2 an input was damaged.\n",
            flow_opts_help);
}

int asc_cmd_flows(int argc, char **argv)
{
    static const struct option longopts[] = {
        FLOW_LONGOPTS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"set", required_argument, NULL, OPT_SET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct asc_pipe_conf pc = {0};
    asc_flow_conf_default(&pc.flow);
    pc.sink = asc_sink_find("json");
    pc.sink_conf.path = "-";
    pc.no_detect = true;
    pc.no_talkers = true; /* flows prints no run summary */
    pc.conf = asc_conf_new();
    struct asc_err err = {0};
    int c, rc = ASC_EXIT_FATAL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        int r = asc_parse_flow_opt(c, optarg, &pc.flow);
        if (r < 0)
            goto out;
        if (r > 0)
            continue;
        switch (c) {
        case OPT_NO_STITCH: pc.no_stitch = true; break;
        case 'o': pc.sink_conf.path = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "zeek")) {
                fprintf(stderr, "ascribe: --format is json or zeek, not '%s'\n", optarg);
                goto out;
            }
            pc.sink = asc_sink_find(optarg);
            break;
        case OPT_SET:
            if (asc_conf_set(pc.conf, optarg, &err) != 0) {
                rc = finish(ASC_EXIT_FATAL, &err);
                goto out;
            }
            break;
        case 'h': flows_usage(stdout); rc = ASC_EXIT_OK; goto out;
        default: flows_usage(stderr); goto out;
        }
    }
    if (take_inputs(&pc, "flows", argc, argv) != 0)
        goto out;
    pc.progress = true;
    struct asc_run_summary *sum = asc_xcalloc(1, sizeof(*sum));
    rc = finish(asc_pipeline_run(&pc, sum, &err), &err);
    free(sum);
out:
    asc_conf_free(pc.conf);
    return rc;
}

static void analyze_usage(FILE *f)
{
    fprintf(f,
            "usage: ascribe analyze [OPTIONS] FILE...\n"
            "\n"
            "Read captures, flow exports or Zeek logs, detect attacks and print the\n"
            "report: incidents (floods, scans, brute force, known-bad contacts, ...)\n"
            "with their sources' evidence grades, the statistics tables (attack\n"
            "traffic by country and AS, controllers, known-bad hosting, victims,\n"
            "vectors, timeline), then protocol mix, top talkers and decode outcomes.\n"
            "On a terminal, progress (bytes done, rate, ETA) is shown on standard error.\n"
            "\n"
            "detection:\n"
            "  --set DET.KEY=VALUE     change a detector setting, e.g. flood.syn_pps=500\n"
            "                          or scan.enabled=0 (repeatable; docs/detectors/)\n"
            "  --no-detect             run no detector\n"
            "  --evidence DIR          write a pcap extract of each incident's first packets\n"
            "                          to DIR (capture input; --set evidence.packets=N,\n"
            "                          default 100; docs/evidence.md)\n"
            "  --threads N             1: read and detect on one thread; 2: detectors on a\n"
            "                          second thread (default when there are two CPUs;\n"
            "                          same results either way; --evidence implies 1)\n"
            "\n"
            "attribution databases (docs/enrich.md):\n"
            "%s"
            "\n"
            "inside and outside (controller statistics, docs/report.md):\n"
            "  --home CC[,CC...]       countries that are inside (ISO codes, e.g. CN)\n"
            "  --home-net CIDR[,...]   networks that are inside (e.g. 10.0.0.0/8)\n"
            "\n"
            "output:\n"
            "  --json FILE             also write the run record, incidents and statistics\n"
            "                          as JSON (- for stdout; docs/schema/analyze.md)\n"
            "  --html FILE             also write the self-contained HTML report\n"
            "                          (- for stdout; docs/report-html.md)\n"
            "  --csv DIR               write each statistics table to DIR/<id>.csv\n"
            "  -q, --quiet             terminal report: headline and incidents only\n"
            "  -v, --verbose           terminal report: every row of every table\n"
            "  --no-progress           never show progress\n"
            "  --color / --no-color    force colour on or off (default: on a terminal)\n"
            "%s"
            "  -h, --help              this help\n"
            "\n"
            "exit status: 0 ok, 1 usage or fatal error, 2 an input was damaged.\n",
            asc_enrich_opts_help, flow_opts_help);
}

int asc_cmd_analyze(int argc, char **argv)
{
    static const struct option longopts[] = {
        FLOW_LONGOPTS,
        {"json", required_argument, NULL, OPT_JSON},
        {"html", required_argument, NULL, OPT_HTML},
        {"csv", required_argument, NULL, OPT_CSV},
        {"home", required_argument, NULL, OPT_HOME},
        {"home-net", required_argument, NULL, OPT_HOME_NET},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"set", required_argument, NULL, OPT_SET},
        {"no-detect", no_argument, NULL, OPT_NO_DETECT},
        {"evidence", required_argument, NULL, OPT_EVIDENCE},
        {"threads", required_argument, NULL, OPT_THREADS},
        ASC_ENRICH_LONGOPTS,
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"color", no_argument, NULL, OPT_COLOR},
        {"no-color", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct asc_pipe_conf pc = {0};
    asc_flow_conf_default(&pc.flow);
    pc.progress = true;
    pc.conf = asc_conf_new();
    struct asc_err err = {0};
    struct asc_enrich_opts db = {0};
    int color = isatty(STDOUT_FILENO), c;
    const char *json = NULL, *html = NULL, *csv = NULL;
    struct asc_html_capture hc = {0};
    struct asc_home home = {0};
    enum asc_report_detail detail = ASC_REPORT_NORMAL;
    struct asc_stats *stats = NULL;
    optind = 1;
    int rc = ASC_EXIT_FATAL;
    while ((c = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
        int r = asc_parse_flow_opt(c, optarg, &pc.flow);
        if (r < 0)
            goto out;
        if (r > 0 || asc_parse_enrich_opt(c, optarg, &db))
            continue;
        switch (c) {
        case OPT_NO_STITCH: pc.no_stitch = true; break;
        case OPT_JSON: json = optarg; break;
        case OPT_HTML: html = optarg; break;
        case OPT_CSV: csv = optarg; break;
        case OPT_HOME:
            if (asc_home_parse_cc(&home, optarg, &err) != 0)
                goto out;
            break;
        case OPT_HOME_NET:
            if (asc_home_parse_net(&home, optarg, &err) != 0)
                goto out;
            break;
        case 'q': detail = ASC_REPORT_QUIET; break;
        case 'v': detail = ASC_REPORT_VERBOSE; break;
        case OPT_SET:
            if (asc_conf_set(pc.conf, optarg, &err) != 0)
                goto out;
            break;
        case OPT_NO_DETECT: pc.no_detect = true; break;
        case OPT_EVIDENCE: pc.evidence_dir = optarg; break;
        case OPT_THREADS:
            if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
                asc_err_set(&err, ASC_EINVAL, "--threads: expected 1 or 2, got '%s'", optarg);
                goto out;
            }
            pc.threads = (unsigned)(optarg[0] - '0');
            break;
        case OPT_NO_PROGRESS: pc.progress = false; break;
        case OPT_COLOR: color = 1; break;
        case 'C': color = 0; break;
        case 'h': analyze_usage(stdout); rc = ASC_EXIT_OK; goto out;
        default: analyze_usage(stderr); goto out;
        }
    }
    if (take_inputs(&pc, "analyze", argc, argv) != 0)
        goto out;
    if (json || html) {
        pc.sink = asc_sink_find("json");
        pc.sink_conf.path = json;
        pc.sink_conf.format = "summary";
    }
    if (html && asc_html_capture_begin(&hc, &pc, &err) != 0)
        goto out;
    if (!pc.no_detect && asc_enrich_open(&db.cf, &pc.enr, &err) != 0)
        goto out;
    struct asc_stats_conf scf = {.inputs = pc.inputs, .n_inputs = pc.n_inputs, .enr = pc.enr,
                                 .home = &home};
    stats = pc.stats = asc_stats_new(&scf);
    struct asc_run_summary *sum = asc_xcalloc(1, sizeof(*sum));
    rc = asc_pipeline_run(&pc, sum, &err);
    if (html && asc_html_capture_end(&hc, rc != ASC_EXIT_FATAL, json, html, &err) != 0)
        rc = ASC_EXIT_FATAL;
    if (rc != ASC_EXIT_FATAL && csv && asc_stats_csv(stats, csv, &err) != 0)
        rc = ASC_EXIT_FATAL;
    if (rc != ASC_EXIT_FATAL && !(json && !strcmp(json, "-")) && !(html && !strcmp(html, "-")))
        asc_report_text(stdout, sum, stats, detail, color);
    asc_run_summary_free(sum);
    free(sum);
out:
    asc_stats_free(stats);
    asc_enrich_close(pc.enr);
    asc_enrich_opts_free(&db);
    asc_conf_free(pc.conf);
    /* Usage errors have printed their own message. */
    return err.msg[0] ? finish(rc, &err) : rc;
}
