/*
 * enrich_ext.c - TEMPORARY stand-ins for special.c, registry.c and
 * intel.c, which are written on another branch (issue 3). Each group
 * compiles only while the real source file is absent (__has_include), and
 * is weak, so the real definitions win. Delete this file and
 * enrich_ext.h when those branches are merged.
 *
 * The stand-ins do nothing useful: no special-purpose flags (so private
 * addresses are not flagged and may get ASC_NF_UNROUTED), --registry and
 * --intel fail with a message saying they are not available yet.
 */
#include <stdlib.h>

#include "enrich/enrich_ext.h"

/* Keeps the translation unit non-empty once every group is gone. */
typedef int asc_enrich_ext_unused;

#if !__has_include("enrich/special.c")
__attribute__((weak)) uint32_t asc_special_flags(const struct asc_addr *a)
{
    (void)a;
    return 0;
}
#endif

#if !__has_include("enrich/registry.c")
__attribute__((weak)) int asc_registry_open(const char *path, struct asc_geo_backend *out,
                                            struct asc_err *err)
{
    (void)out;
    return asc_err_set(err, ASC_ENOTSUP, "%s: registry tables are not built in yet", path);
}
#endif

#if !__has_include("enrich/intel.c")
struct asc_intel {
    int unused;
};

__attribute__((weak)) struct asc_intel *asc_intel_new(void)
{
    return asc_xcalloc(1, sizeof(struct asc_intel));
}

__attribute__((weak)) void asc_intel_free(struct asc_intel *in)
{
    free(in);
}

__attribute__((weak)) int asc_intel_load(struct asc_intel *in, const char *spec,
                                         struct asc_err *err)
{
    (void)in;
    asc_err_set(err, ASC_ENOTSUP, "%s: intel lists are not built in yet", spec);
    return -1;
}

__attribute__((weak)) size_t asc_intel_n_lists(const struct asc_intel *in)
{
    (void)in;
    return 0;
}

__attribute__((weak)) const struct asc_intel_list *asc_intel_list(const struct asc_intel *in,
                                                                  size_t i)
{
    (void)in, (void)i;
    return NULL;
}

__attribute__((weak)) uint64_t asc_intel_match_addr(const struct asc_intel *in,
                                                    const struct asc_addr *a)
{
    (void)in, (void)a;
    return 0;
}

__attribute__((weak)) uint64_t asc_intel_match_domain(const struct asc_intel *in,
                                                      const char *name)
{
    (void)in, (void)name;
    return 0;
}
#endif
