/*
 * enrich_none.c - TEMPORARY: an enricher that knows nothing, so detectors
 * link before the enrichment backends land (removed when src/enrich/enrich.c
 * arrives).
 */
#include <string.h>

#include "enrich/enrich.h"

void asc_enrich_lookup(struct asc_enricher *e, const struct asc_addr *a, struct asc_geo *out)
{
    (void)e;
    (void)a;
    memset(out, 0, sizeof(*out));
    out->src_cc = out->src_asn = out->src_name = out->src_flags = ASC_SRC_NONE;
}
