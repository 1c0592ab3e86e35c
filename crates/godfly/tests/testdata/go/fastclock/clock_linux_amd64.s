// Linux: clock_gettime is 228, CLOCK_MONOTONIC 1; an error is -errno.
#define CLOCK_GETTIME $228
#define CLOCK_MONOTONIC $1
#define CLOCK_REALTIME $0
#define ERRNO NEGQ AX
#include "clock_amd64.h"
