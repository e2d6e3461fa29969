/*
 * summary_json.h - JSON renderings shared by sinks: one flow record and the
 * run summary.
 */
#ifndef ASC_SUMMARY_JSON_H
#define ASC_SUMMARY_JSON_H

#include "core/jsonw.h"
#include "model/flow.h"
#include "model/summary.h"

void asc_json_flow(struct asc_jsonw *w, const struct asc_flow *f);
/* Keys of a record read from an export or log: source, sampling,
 * direction evidence (docs/flow-inputs.md). */
void asc_json_flow_origin(struct asc_jsonw *w, const struct asc_flow *f);
void asc_json_summary(struct asc_jsonw *w, const struct asc_run_summary *s);

#endif
