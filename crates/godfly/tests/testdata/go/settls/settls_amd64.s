#include "textflag.h"

// func settls()
TEXT ·settls(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$0x81, DI	// AMD64_SET_FSBASE
	MOVQ	$0, SI
	MOVL	$165, AX	// sysarch
	SYSCALL
	JCC	2(PC)
	MOVL	$0xf1, 0xf1	// crash
	RET
