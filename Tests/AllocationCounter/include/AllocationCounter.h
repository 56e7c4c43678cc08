#ifndef THREEFACTOR_ALLOCATION_COUNTER_H
#define THREEFACTOR_ALLOCATION_COUNTER_H

/// Counts the heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc,
/// memalign) made by the calling thread between `allocation_counter_start` and
/// `allocation_counter_stop`. Linked into the test binary only: its definitions of the
/// allocation functions take the place of the C library's in the whole process and pass
/// every call on to it.
void allocation_counter_start(void);
/// Stops counting on the calling thread and returns the number of allocations counted.
long allocation_counter_stop(void);

#endif
