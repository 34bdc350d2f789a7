#ifndef LADING_CARCHIVE_SHIM_H
#define LADING_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
/* libarchive's own zstd, used directly for multithreaded raw streams (job size control). */
#include <zstd.h>
#endif
