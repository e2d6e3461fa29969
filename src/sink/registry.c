/*
 * registry.c - the list of built-in sinks. A unit test walks it and checks
 * that names are unique and the required slots are set.
 */
#include <string.h>

#include "sink/sink.h"

extern const struct asc_sink_ops asc_sink_json;
extern const struct asc_sink_ops asc_sink_zeek;

const struct asc_sink_ops *const asc_sinks[] = {
    &asc_sink_json,
    &asc_sink_zeek,
    NULL,
};

const struct asc_sink_ops *asc_sink_find(const char *name)
{
    for (size_t i = 0; asc_sinks[i]; i++)
        if (strcmp(asc_sinks[i]->name, name) == 0)
            return asc_sinks[i];
    return NULL;
}
