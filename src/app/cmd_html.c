/*
 * cmd_html.c - the HTML report from the app's side: `analyze --html FILE`
 * captures the analyze JSON document in memory (the JSON sink writes into a
 * memory stream), writes it to the --json destination if one was given, and
 * renders the page from that exact text (src/sink/html.c). The `html`
 * command renders a page from a saved `--json` document.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "sink/html.h"

int asc_html_capture_begin(struct asc_html_capture *hc, struct asc_pipe_conf *pc,
                           struct asc_err *err)
{
    memset(hc, 0, sizeof(*hc));
    hc->mem = open_memstream(&hc->buf, &hc->len);
    if (!hc->mem)
        return asc_err_set(err, ASC_ENOMEM, "cannot buffer the JSON document for --html");
    pc->sink_conf.stream = hc->mem;
    return 0;
}

static int write_all(const char *path, const char *buf, size_t len, struct asc_err *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f)
        return asc_err_set(err, ASC_EIO, "%s: cannot open for writing", path);
    int bad = fwrite(buf, 1, len, f) != len;
    bad |= f == stdout ? fflush(f) != 0 : fclose(f) != 0;
    return bad ? asc_err_set(err, ASC_EIO, "%s: write error", path) : 0;
}

int asc_html_capture_end(struct asc_html_capture *hc, bool ok, const char *json_path,
                         const char *html_path, struct asc_err *err)
{
    int rc = 0;
    if (hc->mem && fclose(hc->mem) != 0)
        ok = false;
    hc->mem = NULL;
    if (ok && json_path)
        rc = write_all(json_path, hc->buf, hc->len, err);
    if (ok && rc == 0)
        rc = asc_html_write(hc->buf, hc->len, html_path, err);
    free(hc->buf);
    hc->buf = NULL;
    return rc;
}

static void html_usage(FILE *f)
{
    fputs("usage: ascribe html [-o FILE] JSON\n"
          "\n"
          "Render the self-contained HTML report (docs/report-html.md) from a document\n"
          "written by 'ascribe analyze --json' (- reads standard input). The same page\n"
          "as 'analyze --html'; byte-identical for the same document.\n"
          "\n"
          "  -o, --output FILE   write here (default: standard output)\n"
          "  -h, --help          this help\n",
          f);
}

/* Read a whole stream, at most 1 GiB. */
static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = asc_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap >= (size_t)1 << 30) {
                free(buf);
                return NULL;
            }
            cap *= 2;
            buf = asc_xrealloc(buf, cap, 1);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int asc_cmd_html(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = "-";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            html_usage(stdout);
            return ASC_EXIT_OK;
        default:
            html_usage(stderr);
            return ASC_EXIT_FATAL;
        }
    }
    if (optind + 1 != argc) {
        html_usage(stderr);
        return ASC_EXIT_FATAL;
    }
    const char *in = argv[optind];
    FILE *f = strcmp(in, "-") ? fopen(in, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "ascribe html: %s: cannot open\n", in);
        return ASC_EXIT_FATAL;
    }
    size_t len = 0;
    char *buf = slurp(f, &len);
    if (f != stdin)
        fclose(f);
    if (!buf) {
        fprintf(stderr, "ascribe html: %s: read error or larger than 1 GiB\n", in);
        return ASC_EXIT_FATAL;
    }
    struct asc_err err = {0};
    int rc = asc_html_write(buf, len, out, &err);
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "ascribe html: %s: %s\n", in, err.msg);
        return ASC_EXIT_FATAL;
    }
    return ASC_EXIT_OK;
}
