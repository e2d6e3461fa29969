/*
 * test_registry.c - walks the detector and sink registries: names unique
 * and non-empty, ABI current, and every slot a plugin's role requires set.
 */
#include <string.h>

#include "detect/detector.h"
#include "harness.h"
#include "sink/sink.h"

static void test_sinks(void)
{
    size_t n = 0;
    for (size_t i = 0; asc_sinks[i]; i++, n++) {
        const struct asc_sink_ops *s = asc_sinks[i];
        CHECK(s->abi == ASC_SINK_ABI);
        CHECK(s->name && s->name[0]);
        CHECK(s->open && s->flush && s->close);
        CHECK(s->put_flow || s->put_incident || s->put_summary);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(asc_sinks[j]->name, s->name) != 0);
        CHECK(asc_sink_find(s->name) == s);
    }
    CHECK(n >= 2);
    CHECK(asc_sink_find("json") != NULL);
    CHECK(asc_sink_find("no-such-sink") == NULL);
}

static void test_detectors(void)
{
    for (size_t i = 0; asc_detectors[i]; i++) {
        const struct asc_detector_ops *d = asc_detectors[i];
        CHECK(d->abi == ASC_DETECTOR_ABI);
        CHECK(d->name && d->name[0] && d->version && d->version[0]);
        CHECK(d->init && d->fini);
        CHECK(!(d->wants & ASC_WANT_PKT) || d->on_pkt);
        CHECK(!(d->wants & ASC_WANT_FLOW_END) || d->on_flow_end);
        CHECK(!(d->wants & ASC_WANT_TICK) || d->on_tick);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(asc_detectors[j]->name, d->name) != 0);
        CHECK(asc_detector_find(d->name) == d);
    }
    CHECK(asc_detector_find("no-such-detector") == NULL);
}

TEST_MAIN(T(test_sinks), T(test_detectors))
