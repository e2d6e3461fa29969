/*
 * collect.c - `ascribe collect`: the live flow collector. Listens on UDP
 * for NetFlow v5/v9, IPFIX and sFlow v5 exports and writes the flow
 * records as `ascribe flows` does (JSON lines or Zeek conn.log).
 *
 * App layer. Sources are the UDP sockets of src/source/udp_src.c; the
 * datagrams go through the flow-export decoder (src/source/flowin.h) and
 * the records to the sink. Data time is the datagram's arrival time (the
 * one place the wall clock stands in for data time: live input has no
 * other). Stops on SIGINT/SIGTERM, after --count datagrams or --duration
 * seconds, then flushes held and waiting records and reports its counters.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/conf.h"
#include "core/jsonw.h"
#include "source/flowin.h"
#include "source/udp_src.h"

#define MAX_LISTEN 8
#define DGRAM_MAX 65536
#define STOP_DRAIN 65536        /* datagrams read per socket after the stop */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct collector {
    const struct asc_sink_ops *sink;
    void *sink_state;
    int sink_rc;
    uint64_t flows;
    int fds[MAX_LISTEN];
    size_t n_fds;
    uint32_t last_drops[MAX_LISTEN];
    uint64_t seen;              /* datagrams read */
    struct asc_fi *fi;
};

static void on_flow(void *ctx, const struct asc_flow *f)
{
    struct collector *c = ctx;
    c->flows++;
    if (!c->sink_rc)
        c->sink_rc = c->sink->put_flow(c->sink_state, f);
}

static asc_time wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (asc_time)ts.tv_sec * ASC_NS_PER_SEC + ts.tv_nsec;
}

static void usage(FILE *f)
{
    fputs("usage: ascribe collect [OPTIONS] --netflow|--ipfix|--sflow ADDR:PORT ...\n"
          "\n"
          "Receive NetFlow v5/v9, IPFIX and sFlow v5 exports on UDP and write one record\n"
          "per flow, as 'ascribe flows' does. Each listener accepts any of the export\n"
          "protocols; the flag names the usual one. Stops on SIGINT or SIGTERM.\n"
          "\n"
          "  --netflow ADDR:PORT     listen here (e.g. 0.0.0.0:2055, [::]:2055, :9995)\n"
          "  --ipfix ADDR:PORT       listen here (e.g. :4739)\n"
          "  --sflow ADDR:PORT       listen here (e.g. :6343)\n"
          "  --count N               stop after N datagrams\n"
          "  --duration S            stop after S seconds\n"
          "  --format json|zeek      output format (default json)\n"
          "  -o, --output FILE       write flows here instead of standard output\n"
          "  --stats FILE            write the input counters as JSON at the end (- = stderr)\n"
          "  --rcvbuf BYTES          socket receive buffer (default 33554432)\n"
          "  --no-stitch             keep one-way records apart\n"
          "  --set flowin.KEY=VALUE  a stitching or template setting, e.g.\n"
          "                          flowin.max_stitch=1000000 (repeatable; docs/flow-inputs.md)\n"
          "  -h, --help              this help\n",
          f);
}

static void write_stats(const char *path, const struct collector *c)
{
    FILE *f = !strcmp(path, "-") ? stderr : fopen(path, "w");
    if (!f) {
        fprintf(stderr, "ascribe: %s: cannot open for writing\n", path);
        return;
    }
    struct asc_jsonw w;
    asc_jw_init(&w);
    asc_jw_obj_open(&w, NULL);
    asc_jw_u64(&w, "flows", c->flows);
    asc_jw_obj_open(&w, "flow_inputs");
    const struct asc_flowin_stats *st = asc_fi_stats(c->fi);
    for (int i = 0; i < ASC_FI__COUNT; i++)
        asc_jw_u64(&w, asc_fi_counter_name((enum asc_fi_counter)i), st->c[i]);
    asc_jw_obj_close(&w);
    asc_jw_obj_close(&w);
    asc_jw_raw_char(&w, '\n');
    asc_jw_flush(&w, f);
    asc_jw_fini(&w);
    if (f != stderr)
        fclose(f);
}

static void note_drops(struct collector *c, size_t i, uint32_t drops)
{
    if (drops != c->last_drops[i]) {
        asc_fi_count(c->fi, ASC_FI_RCV_OVERFLOW, drops - c->last_drops[i]);
        c->last_drops[i] = drops;
    }
}

/* Drain every ready socket; returns datagrams read. */
static uint64_t drain(struct collector *c, struct pollfd *pfd, uint8_t *buf, uint64_t budget)
{
    uint64_t n = 0;
    for (size_t i = 0; i < c->n_fds && n < budget; i++) {
        if (!(pfd[i].revents & POLLIN))
            continue;
        for (int k = 0; k < 256 && n < budget; k++) {
            struct asc_addr from;
            uint32_t drops = c->last_drops[i];
            long len = asc_udp_recv(c->fds[i], buf, DGRAM_MAX, &from, &drops);
            if (len <= 0)
                break;
            note_drops(c, i, drops);
            asc_fi_datagram(c->fi, &from, wall_now(), buf, (size_t)len, ASC_FIP_NONE);
            n++;
        }
    }
    return n;
}

static void run_loop(struct collector *c, uint64_t count, double duration)
{
    struct pollfd pfd[MAX_LISTEN];
    for (size_t i = 0; i < c->n_fds; i++)
        pfd[i] = (struct pollfd){.fd = c->fds[i], .events = POLLIN};
    uint8_t *buf = asc_xmalloc(DGRAM_MAX);
    asc_time start = wall_now(), end = duration > 0 ? start + (asc_time)(duration * 1e9) : 0;
    uint64_t seen = 0;
    while (!stop_signal && (!count || seen < count)) {
        c->seen = seen;
        asc_time now = wall_now();
        if (end && now >= end)
            break;
        int r = poll(pfd, (nfds_t)c->n_fds, 200);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0)
            seen += drain(c, pfd, buf, count ? count - seen : UINT64_MAX);
        asc_fi_advance(c->fi, wall_now());
        if (c->sink_rc)
            break;
    }
    c->seen = seen;
    free(buf);
}

/* At the stop: the datagrams the kernel already queued are read (at most
 * STOP_DRAIN per socket, so a sender that keeps going cannot hold the stop
 * up), then each socket's final drop count is taken, so datagrams dropped
 * after the last one read are counted too. */
static void stop_drain(struct collector *c, uint64_t count)
{
    uint8_t *buf = asc_xmalloc(DGRAM_MAX);
    for (size_t i = 0; i < c->n_fds; i++) {
        for (long k = 0; k < STOP_DRAIN && (!count || c->seen < count); k++) {
            struct asc_addr from;
            uint32_t drops = c->last_drops[i];
            long len = asc_udp_recv(c->fds[i], buf, DGRAM_MAX, &from, &drops);
            if (len <= 0)
                break;
            note_drops(c, i, drops);
            asc_fi_datagram(c->fi, &from, wall_now(), buf, (size_t)len, ASC_FIP_NONE);
            c->seen++;
        }
        uint32_t drops;
        if (asc_udp_drops(c->fds[i], &drops))
            note_drops(c, i, drops);
    }
    free(buf);
}

static int add_listener(struct collector *c, const char *spec, int rcvbuf)
{
    struct asc_err err = {0};
    if (c->n_fds >= MAX_LISTEN) {
        fprintf(stderr, "ascribe collect: at most %d listeners\n", MAX_LISTEN);
        return -1;
    }
    int fd = asc_udp_open(spec, rcvbuf, &err);
    if (fd < 0) {
        fprintf(stderr, "ascribe collect: %s\n", err.msg);
        return -1;
    }
    c->fds[c->n_fds++] = fd;
    return 0;
}

int asc_cmd_collect(int argc, char **argv)
{
    enum { O_NF = 1000, O_IPFIX, O_SFLOW, O_COUNT, O_DUR, O_FORMAT, O_STATS, O_RCVBUF, O_NOST,
           O_SET };
    static const struct option longopts[] = {
        {"netflow", required_argument, NULL, O_NF},   {"ipfix", required_argument, NULL, O_IPFIX},
        {"sflow", required_argument, NULL, O_SFLOW},  {"count", required_argument, NULL, O_COUNT},
        {"duration", required_argument, NULL, O_DUR}, {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},     {"stats", required_argument, NULL, O_STATS},
        {"rcvbuf", required_argument, NULL, O_RCVBUF}, {"no-stitch", no_argument, NULL, O_NOST},
        {"set", required_argument, NULL, O_SET},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct collector c = {.sink = asc_sink_find("json")};
    struct asc_pipe_conf pc = {0};
    struct asc_sink_conf sc = {.path = "-"};
    const char *specs[MAX_LISTEN + 1], *stats = NULL;
    size_t n_specs = 0;
    uint64_t count = 0;
    double duration = 0;
    int rcvbuf = 32 << 20, opt, rc = ASC_EXIT_FATAL;
    struct asc_err err = {0};
    pc.conf = asc_conf_new();
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case O_NF: case O_IPFIX: case O_SFLOW:
            if (n_specs < MAX_LISTEN)
                specs[n_specs++] = optarg;
            break;
        case O_COUNT: count = strtoull(optarg, NULL, 10); break;
        case O_DUR: duration = strtod(optarg, NULL); break;
        case O_FORMAT:
            if (!(c.sink = asc_sink_find(optarg))) {
                fprintf(stderr, "ascribe: --format is json or zeek, not '%s'\n", optarg);
                return ASC_EXIT_FATAL;
            }
            break;
        case 'o': sc.path = optarg; break;
        case O_STATS: stats = optarg; break;
        case O_RCVBUF: rcvbuf = atoi(optarg); break;
        case O_NOST: pc.no_stitch = true; break;
        case O_SET:
            if (asc_conf_set(pc.conf, optarg, &err) != 0) {
                fprintf(stderr, "ascribe: %s\n", err.msg);
                goto cleanup;
            }
            break;
        case 'h': usage(stdout); rc = ASC_EXIT_OK; goto cleanup;
        default: usage(stderr); goto cleanup;
        }
    }
    if (!n_specs || optind < argc) {
        usage(stderr);
        goto cleanup;
    }
    /* The settings first: a bad one stops before any socket is bound. */
    if (!(c.fi = asc_flowin_new(&pc, on_flow, &c, &err)) || asc_conf_unused(pc.conf, &err)) {
        fprintf(stderr, "ascribe: %s\n", err.msg);
        goto cleanup;
    }
    for (size_t i = 0; i < n_specs; i++)
        if (add_listener(&c, specs[i], rcvbuf) != 0)
            goto cleanup;
    if (c.sink->open(&sc, &c.sink_state, &err) != 0) {
        fprintf(stderr, "ascribe: %s\n", err.msg);
        goto cleanup;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    run_loop(&c, count, duration);
    if (!c.sink_rc && (!count || c.seen < count))
        stop_drain(&c, count);
    asc_fi_flush(c.fi);
    rc = c.sink_rc ? ASC_EXIT_FATAL : ASC_EXIT_OK;
    if (stats)
        write_stats(stats, &c);
cleanup:
    if (c.sink_state && c.sink->close(c.sink_state, &err) != 0) {
        fprintf(stderr, "ascribe: %s\n", err.msg);
        rc = ASC_EXIT_FATAL;
    }
    asc_fi_free(c.fi);
    asc_conf_free(pc.conf);
    for (size_t i = 0; i < c.n_fds; i++)
        close(c.fds[i]);
    return rc;
}
