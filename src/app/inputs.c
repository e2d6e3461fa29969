/*
 * inputs.c - sorting command inputs by kind, and reading the Zeek
 * conn.logs among them as flow records.
 *
 * App layer, in front of the pipeline: a capture (pcap/pcapng, also one
 * holding NetFlow/IPFIX/sFlow export datagrams) goes to the capture merge;
 * a file that starts like a Zeek log goes to the Zeek reader, whose
 * records enter at the flow-record stage through the flow-export state.
 */
#include <stdlib.h>

#include "app/app.h"
#include "core/conf.h"
#include "source/flowin.h"
#include "source/zeeklog.h"

void asc_inputs_split(const char *const *inputs, size_t n, struct asc_inputs *out)
{
    out->caps = asc_xcalloc(n ? n : 1, sizeof(*out->caps));
    out->logs = asc_xcalloc(n ? n : 1, sizeof(*out->logs));
    out->n_caps = out->n_logs = 0;
    for (size_t i = 0; i < n; i++) {
        if (asc_zeek_sniff_path(inputs[i]) != ASC_ZEEK_NONE)
            out->logs[out->n_logs++] = inputs[i];
        else
            out->caps[out->n_caps++] = inputs[i];
    }
}

void asc_inputs_fini(struct asc_inputs *in)
{
    free(in->caps);
    free(in->logs);
    in->caps = in->logs = NULL;
}

int asc_inputs_read_logs(const struct asc_inputs *in, struct asc_fi *fi, struct asc_err *err)
{
    for (size_t i = 0; i < in->n_logs; i++) {
        struct asc_zeek *z = asc_zeek_new(fi);
        int rc = asc_zeek_read_file(z, in->logs[i], err);
        asc_zeek_free(z);
        if (rc)
            return rc;
    }
    return 0;
}

/* One flowin.* setting: a count, or seconds (stored as asc_time). */
struct fi_setting {
    const char *key;
    double min, max;
    size_t *count;
    asc_time *secs;
};

/* Reads the flowin.* settings over cf's defaults; ASC_EINVAL naming the
 * first one out of its range (or not whole, for a count). */
static int flowin_settings(struct asc_conf *conf, struct asc_fi_conf *cf, struct asc_err *err)
{
    const struct fi_setting set[] = {
        {"max_exporters", 1, 1 << 20, &cf->max_exporters, NULL},
        {"max_templates", 1, 65535, &cf->max_templates, NULL},
        {"template_ttl", 1, 86400, NULL, &cf->template_ttl},
        {"max_held", 0, 65536, &cf->max_held, NULL},
        {"max_held_bytes", 0, 1 << 30, &cf->max_held_bytes, NULL},
        {"hold_time", 0, 3600, NULL, &cf->hold_time},
        {"stitch_window", 0, 3600, NULL, &cf->stitch_window},
        {"stitch_slack", 0, 3600, NULL, &cf->stitch_slack},
        {"max_stitch", 1, 1 << 22, &cf->max_stitch, NULL},
    };
    for (size_t i = 0; i < ASC_ARRAY_LEN(set); i++) {
        const struct fi_setting *k = &set[i];
        double dflt = k->count ? (double)*k->count : (double)*k->secs / ASC_NS_PER_SEC;
        double v = asc_conf_num(conf, "flowin", k->key, dflt);
        if (!(v >= k->min && v <= k->max) || (k->count && v != (double)(size_t)v)) {
            asc_err_set(err, ASC_EINVAL, "flowin.%s=%g: must be %s from %.0f to %.0f", k->key, v,
                        k->count ? "a whole number" : "seconds", k->min, k->max);
            return ASC_EINVAL;
        }
        if (k->count)
            *k->count = (size_t)v;
        else
            *k->secs = (asc_time)(v * ASC_NS_PER_SEC);
    }
    return 0;
}

struct asc_fi *asc_flowin_new(const struct asc_pipe_conf *pc,
                              void (*emit)(void *ctx, const struct asc_flow *f), void *ctx,
                              struct asc_err *err)
{
    struct asc_fi_conf cf;
    asc_fi_conf_default(&cf);
    cf.stitch = !pc->no_stitch;
    if (flowin_settings(pc->conf, &cf, err) != 0)
        return NULL;
    return asc_fi_new(&cf, emit, ctx);
}

void asc_flowin_note_time(struct asc_run_summary *s, const struct asc_flow *f)
{
    if (s->first == 0 || f->first < s->first)
        s->first = f->first;
    if (f->last > s->last)
        s->last = f->last;
}
