/*
 * conf.c - the settings list behind conf.h (a small array; settings are few).
 */
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"

struct setting {
    char *section, *key;
    double value;
    bool used;
};

struct asc_conf {
    struct setting *v;
    size_t n;
};

struct asc_conf *asc_conf_new(void)
{
    return asc_xcalloc(1, sizeof(struct asc_conf));
}

void asc_conf_free(struct asc_conf *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].section);
        free(c->v[i].key);
    }
    free(c->v);
    free(c);
}

int asc_conf_set(struct asc_conf *c, const char *kv, struct asc_err *err)
{
    const char *dot = strchr(kv, '.'), *eq = strchr(kv, '=');
    if (!dot || !eq || dot > eq || dot == kv || eq == dot + 1)
        return asc_err_set(err, ASC_EINVAL, "bad setting '%s': expected DETECTOR.KEY=NUMBER", kv);
    char *end;
    double v = strtod(eq + 1, &end);
    if (end == eq + 1 || *end || v != v)
        return asc_err_set(err, ASC_EINVAL, "bad setting '%s': '%s' is not a number", kv, eq + 1);
    struct setting s = {.value = v};
    s.section = asc_xstrdup(kv);
    s.section[dot - kv] = 0;
    s.key = asc_xstrdup(dot + 1);
    s.key[eq - dot - 1] = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].section, s.section) && !strcmp(c->v[i].key, s.key)) {
            c->v[i].value = v;          /* the last one wins */
            free(s.section);
            free(s.key);
            return 0;
        }
    c->v = asc_xrealloc(c->v, c->n + 1, sizeof(*c->v));
    c->v[c->n++] = s;
    return 0;
}

double asc_conf_num(struct asc_conf *c, const char *section, const char *key, double dflt)
{
    if (!c)
        return dflt;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].section, section) && !strcmp(c->v[i].key, key)) {
            c->v[i].used = true;
            return c->v[i].value;
        }
    return dflt;
}

int asc_conf_unused(const struct asc_conf *c, struct asc_err *err)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!c->v[i].used)
            return asc_err_set(err, ASC_EINVAL,
                               "unknown setting '%s.%s' (see docs/detectors/, "
                               "docs/flow-inputs.md)",
                               c->v[i].section, c->v[i].key);
    return 0;
}
