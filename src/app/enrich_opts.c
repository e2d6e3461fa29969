/*
 * enrich_opts.c - the database options every command that enriches
 * addresses takes (analyze, lookup): --geo, --asn, --libloc, --registry,
 * --intel, --mmdb-dir, --no-default-db, gathered into one
 * struct asc_enrich_conf in the order given.
 */
#include <stdlib.h>

#include "app/app.h"

const char asc_enrich_opts_help[] =
    "  --geo FILE              a .mmdb (GeoLite2/GeoIP2/DB-IP Country, City,\n"
    "                          Anonymous-IP, ...) or a libloc database\n"
    "  --asn FILE              a .mmdb used for AS number and name only\n"
    "  --libloc FILE           a libloc database\n"
    "  --registry FILE         RIR delegated file, pfx2as table or country list\n"
    "      (the four above may repeat and are consulted in the order given)\n"
    "  then, unless --no-default-db: libloc's database\n"
    "  (/var/lib/location/database.db) and .mmdb files named GeoLite2-*, GeoIP2-*,\n"
    "  dbip-* in /usr/share/GeoIP, /var/lib/GeoIP, /usr/local/share/GeoIP\n"
    "  --mmdb-dir DIR          look for .mmdb files here instead (repeatable)\n"
    "  --no-default-db         only the databases given by flag\n"
    "  --intel SPEC            an intel list, [NAME,CATEGORY[,DATE]=]FILE (repeatable)\n";

static void add_str(const char ***v, size_t *n, const char *s)
{
    *v = asc_xrealloc(*v, *n + 1, sizeof(**v));
    (*v)[(*n)++] = s;
}

static void add_db(struct asc_enrich_opts *o, enum asc_db_kind kind, const char *path)
{
    o->dbs = asc_xrealloc(o->dbs, o->cf.n_dbs + 1, sizeof(*o->dbs));
    o->dbs[o->cf.n_dbs++] = (struct asc_db_arg){kind, path};
}

int asc_parse_enrich_opt(int opt, const char *arg, struct asc_enrich_opts *o)
{
    switch (opt) {
    case ASC_OPT_GEO: add_db(o, ASC_DB_GEO, arg); break;
    case ASC_OPT_ASN: add_db(o, ASC_DB_ASN, arg); break;
    case ASC_OPT_LIBLOC: add_db(o, ASC_DB_LIBLOC, arg); break;
    case ASC_OPT_REGISTRY: add_db(o, ASC_DB_REGISTRY, arg); break;
    case ASC_OPT_INTEL: add_str(&o->intel, &o->cf.n_intel, arg); break;
    case ASC_OPT_MMDB_DIR: add_str(&o->dirs, &o->cf.n_mmdb_dirs, arg); break;
    case ASC_OPT_NO_DEFAULT_DB: o->cf.no_default = true; break;
    default: return 0;
    }
    o->cf.dbs = o->dbs;
    o->cf.intel_files = o->intel;
    o->cf.mmdb_dirs = o->dirs;
    return 1;
}

void asc_enrich_opts_free(struct asc_enrich_opts *o)
{
    free(o->dbs);
    free(o->intel);
    free(o->dirs);
}
