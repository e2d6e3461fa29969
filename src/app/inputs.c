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

struct asc_fi *asc_flowin_new(const struct asc_pipe_conf *pc,
                              void (*emit)(void *ctx, const struct asc_flow *f), void *ctx)
{
    struct asc_fi_conf cf;
    asc_fi_conf_default(&cf);
    cf.stitch = !pc->no_stitch;
    return asc_fi_new(&cf, emit, ctx);
}

void asc_flowin_note_time(struct asc_run_summary *s, const struct asc_flow *f)
{
    if (s->first == 0 || f->first < s->first)
        s->first = f->first;
    if (f->last > s->last)
        s->last = f->last;
}
