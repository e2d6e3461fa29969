/*
 * registry.c - the list of built-in detectors, in the order the pipeline
 * calls them. The registry
 * test walks it (names unique, slots set according to `wants`).
 */
#include <string.h>

#include "detect/detector.h"

extern const struct asc_detector_ops asc_detector_flood;
extern const struct asc_detector_ops asc_detector_scan;
extern const struct asc_detector_ops asc_detector_backscatter;
extern const struct asc_detector_ops asc_detector_bruteforce;
extern const struct asc_detector_ops asc_detector_intel;

const struct asc_detector_ops *const asc_detectors[] = {
    &asc_detector_flood,
    &asc_detector_scan,
    &asc_detector_backscatter,
    &asc_detector_bruteforce,
    &asc_detector_intel,
    NULL,
};

const struct asc_detector_ops *asc_detector_find(const char *name)
{
    for (size_t i = 0; asc_detectors[i]; i++)
        if (strcmp(asc_detectors[i]->name, name) == 0)
            return asc_detectors[i];
    return NULL;
}
