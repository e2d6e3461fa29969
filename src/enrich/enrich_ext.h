/*
 * enrich_ext.h - TEMPORARY: the functions enrich.c needs from modules
 * being written on another branch (issue 3): special.h
 * (asc_special_flags) and registry.h (asc_registry_open). intel.h is
 * already committed. When those headers exist they are used instead, and
 * this file and enrich_ext.c are to be deleted at the merge (then include
 * "enrich/special.h" and "enrich/registry.h" in enrich.c directly).
 */
#ifndef ASC_ENRICH_EXT_H
#define ASC_ENRICH_EXT_H

#include "enrich/enrich.h"
#include "enrich/intel.h"

#if __has_include("enrich/special.h")
#include "enrich/special.h"
#else
/* ASC_NF_PRIVATE / ASC_NF_RESERVED / ASC_NF_BOGON of an address. */
uint32_t asc_special_flags(const struct asc_addr *a);
#endif

#if __has_include("enrich/registry.h")
#include "enrich/registry.h"
#else
/* RIR delegated file, pfx2as table or country list as a backend. */
int asc_registry_open(const char *path, struct asc_geo_backend *out, struct asc_err *err);
#endif

#endif
