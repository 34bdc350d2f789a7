#ifndef LADING_CARCHIVE_SHIM_H
#define LADING_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
