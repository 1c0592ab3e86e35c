// DragonFly: clock_gettime is 232, CLOCK_MONOTONIC 4; an error sets CF
// and leaves the errno in AX.
#define CLOCK_GETTIME $232
#define CLOCK_MONOTONIC $4
#define CLOCK_REALTIME $0
#define ERRNO JCS 2(PC); MOVQ $0, AX
#include "clock_amd64.h"
