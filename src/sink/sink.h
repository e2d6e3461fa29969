/*
 * sink.h - the output interface and its registry.
 *
 * A sink is a static const struct asc_sink_ops listed in src/sink/registry.c.
 * Called on the detection thread only:
 *   open()          once; `cf` gives the sink its own options (path, format).
 *   put_flow()      per flow record, in the order the flow table emits them
 *                   (deterministic for a given input); may be NULL.
 *   put_incident()  per incident; may be NULL.
 *   put_summary()   once at the end with the run summary; may be NULL.
 *   flush()         at batch boundaries and at the end.
 *   close()         once; frees state, reports write errors in err.
 * Every pointer argument is borrowed for the call.
 */
#ifndef ASC_SINK_H
#define ASC_SINK_H

#include <stdio.h>

#include "model/flow.h"
#include "model/incident.h"

#define ASC_SINK_ABI 1

struct asc_run_summary;   /* defined by the app; rendered by sinks that want it */

struct asc_sink_conf {
    const char *path;     /* "-" for stdout */
    FILE *stream;         /* when set, write here instead of opening path */
    const char *format;   /* sink-specific variant, may be NULL */
};

struct asc_sink_ops {
    int abi;
    const char *name;     /* "json", "zeek", ... */
    int (*open)(const struct asc_sink_conf *cf, void **state, struct asc_err *err);
    int (*put_flow)(void *state, const struct asc_flow *f);
    int (*put_incident)(void *state, const struct asc_incident *inc);
    int (*put_summary)(void *state, const struct asc_run_summary *s);
    int (*flush)(void *state);
    int (*close)(void *state, struct asc_err *err);
};

extern const struct asc_sink_ops *const asc_sinks[];
const struct asc_sink_ops *asc_sink_find(const char *name);

#endif
