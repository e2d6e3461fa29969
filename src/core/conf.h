/*
 * conf.h - settings: "section.key=value" pairs from the command line
 * (--set) that detectors (and the flow-export decoder, section flowin)
 * read at init with their own defaults.
 *
 * Every setting must be read by someone; asc_conf_unused() reports the
 * first one that was not (a typo must not silently do nothing).
 */
#ifndef ASC_CONF_H
#define ASC_CONF_H

#include "core/common.h"

struct asc_conf;

struct asc_conf *asc_conf_new(void);
void asc_conf_free(struct asc_conf *c);
/* Parses "section.key=number"; ASC_EINVAL with a message on a bad form. */
int asc_conf_set(struct asc_conf *c, const char *kv, struct asc_err *err);
/* The value of section.key, or dflt; marks it used. c may be NULL. */
double asc_conf_num(struct asc_conf *c, const char *section, const char *key, double dflt);
/* ASC_EINVAL naming the first setting nobody read, else 0. */
int asc_conf_unused(const struct asc_conf *c, struct asc_err *err);

#endif
