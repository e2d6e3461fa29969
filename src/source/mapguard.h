/*
 * mapguard.h - keep a read-only file mapping safe when the file shrinks.
 *
 * Used by the capture reader's fast path (pcap_src.c). Touching a page of
 * a mapping past the end of a file that was truncated after mmap raises
 * SIGBUS. A guarded window has its pages from the faulting one to its end
 * replaced by zero pages instead, the access goes on, and the window is
 * marked hit; the reader then checks the mark and reports the damage as it
 * reports any truncated capture. Faults outside guarded windows keep the
 * default action. Single-threaded use (the reader's thread).
 */
#ifndef ASC_MAPGUARD_H
#define ASC_MAPGUARD_H

#include <stdbool.h>
#include <stddef.h>

/* Guard [p, p + len); returns a slot, or -1 when every slot is taken or
 * the handler cannot be installed (the caller then does not map). */
int asc_mapguard_add(const void *p, size_t len);
void asc_mapguard_del(int slot);
/* True once a fault hit the slot's window since it was added. */
bool asc_mapguard_hit(int slot);

#endif
