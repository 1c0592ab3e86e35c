// getpid is 39 on Linux.
#define GETPID $39
#include "regs_amd64.h"
