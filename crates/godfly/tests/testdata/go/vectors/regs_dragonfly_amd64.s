// getpid is 20 on DragonFly.
#define GETPID $20
#include "regs_amd64.h"
