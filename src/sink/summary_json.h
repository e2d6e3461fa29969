/*
 * summary_json.h - JSON renderings shared by sinks: one flow record and the
 * run summary, one incident.
 */
#ifndef ASC_SUMMARY_JSON_H
#define ASC_SUMMARY_JSON_H

#include "core/jsonw.h"
#include "model/flow.h"
#include "model/incident.h"
#include "model/summary.h"

void asc_json_flow(struct asc_jsonw *w, const struct asc_flow *f);
void asc_json_summary(struct asc_jsonw *w, const struct asc_run_summary *s);
/* The "run" member alone, inside an open object. */
void asc_json_run(struct asc_jsonw *w, const struct asc_run_summary *s);
void asc_json_incident(struct asc_jsonw *w, const struct asc_incident *inc);

/* Version of the analyze JSON document (docs/schema/analyze.md). */
#define ASC_JSON_SCHEMA_VERSION 3

#endif
