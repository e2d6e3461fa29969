/*
 * zeeklog.h - Zeek conn.log reader (TSV with its #fields header, in any
 * column order, and JSON lines) producing struct asc_flow records.
 *
 * Source stage, flow-record side: records go through asc_fi_put_biflow()
 * (flowin.h) and enter the pipeline at the flow-record stage. Lines that
 * cannot be used (missing columns, bad addresses or numbers) are counted
 * and skipped, never fatal. Input is a caller's buffer or a file.
 */
#ifndef ASC_ZEEKLOG_H
#define ASC_ZEEKLOG_H

#include "source/flowin.h"

enum asc_zeek_fmt { ASC_ZEEK_NONE = 0, ASC_ZEEK_TSV, ASC_ZEEK_JSON };

/* Which Zeek format the first bytes of a file are, if any. */
enum asc_zeek_fmt asc_zeek_sniff(const uint8_t *head, size_t len);
/* Same, for a file path (reads its first bytes; "-" is never a log). */
enum asc_zeek_fmt asc_zeek_sniff_path(const char *path);

struct asc_zeek;
struct asc_zeek *asc_zeek_new(struct asc_fi *fi);   /* fi borrowed */
void asc_zeek_free(struct asc_zeek *z);
/* One line without its newline (may hold NULs; len bytes are read). */
void asc_zeek_line(struct asc_zeek *z, const char *line, size_t len);
/* Read a whole file line by line. Returns 0, or ASC_EIO with err set. */
int asc_zeek_read_file(struct asc_zeek *z, const char *path, struct asc_err *err);

#endif
