#ifndef SEALED_JOURNAL_CSODIUM_SHIM_H
#define SEALED_JOURNAL_CSODIUM_SHIM_H
// The only C header SealedJournal sees. Only libsodium 1.0.18 APIs may be used.
#include <sodium.h>

#ifdef __linux__
#include <sys/prctl.h>
// prctl(2) is variadic, which Swift cannot call: these two fixed-argument wrappers are the only
// non-libsodium C in SealedJournal (used by ProcessHardening).
static inline int sealed_journal_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL); }
static inline int sealed_journal_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL); }
#endif
#endif
