#ifndef SEALED_JOURNAL_CSODIUM_SHIM_H
#define SEALED_JOURNAL_CSODIUM_SHIM_H
// The only C header SealedJournal sees. Only libsodium 1.0.18 APIs may be used.
#include <sodium.h>
#endif
