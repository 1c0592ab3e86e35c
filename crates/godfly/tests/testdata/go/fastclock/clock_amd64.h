#include "textflag.h"

// Every register the kernel keeps across a system call is set to a known
// value first and compared afterwards; kept reports the ones that held.
#define SETREGS \
	MOVQ $0x1111, BX; \
	MOVQ $0x2222, DX; \
	MOVQ $0x3333, R8; \
	MOVQ $0x4444, R9; \
	MOVQ $0x5555, R10; \
	MOVQ $0x6666, R13; \
	MOVQ $0x7777, R15

#define CHECKREGS(out) \
	MOVQ $0, R11; \
	CMPQ BX, $0x1111; JNE 2(PC); ORQ $1, R11; \
	CMPQ DX, $0x2222; JNE 2(PC); ORQ $2, R11; \
	CMPQ R8, $0x3333; JNE 2(PC); ORQ $4, R11; \
	CMPQ R9, $0x4444; JNE 2(PC); ORQ $8, R11; \
	CMPQ R10, $0x5555; JNE 2(PC); ORQ $16, R11; \
	CMPQ R13, $0x6666; JNE 2(PC); ORQ $32, R11; \
	CMPQ R15, $0x7777; JNE 2(PC); ORQ $64, R11; \
	MOVQ R11, out

// func clockAt(which int, sp uintptr) (errno uintptr, kept uint64, ts [2]int64)
// Reads the monotonic (which 0) or real-time (1) clock with the Go
// runtime's own instruction shape (a constant clock id and the timespec
// at 8(SP)), on the stack pointer given (0: this function's own frame),
// so that the timespec can be made to lie on a page that faults.
TEXT ·clockAt(SB), NOSPLIT, $32-48
	MOVQ which+0(FP), CX
	MOVQ sp+8(FP), R12
	MOVQ SP, R14
	CMPQ R12, $0
	JEQ 2(PC)
	MOVQ R12, SP
	SETREGS
	CMPQ CX, $0
	JNE real
	MOVL CLOCK_GETTIME, AX
	MOVQ CLOCK_MONOTONIC, DI
	LEAQ 8(SP), SI
	SYSCALL
	JMP done
real:
	MOVL CLOCK_GETTIME, AX
	MOVQ CLOCK_REALTIME, DI
	LEAQ 8(SP), SI
	SYSCALL
done:
	ERRNO
	CHECKREGS(R12)
	MOVQ $0, CX
	MOVQ $0, SI
	CMPQ AX, $0
	JNE nots
	MOVQ 8(SP), CX
	MOVQ 16(SP), SI
nots:
	MOVQ R14, SP
	MOVQ AX, errno+16(FP)
	MOVQ R12, kept+24(FP)
	MOVQ CX, ts+32(FP)
	MOVQ SI, ts+40(FP)
	// R14 (g in Go's ABIInternal) is reloaded by the ABI0 wrapper.
	RET

// func getMXCSR() uint32
TEXT ·getMXCSR(SB), NOSPLIT, $8-4
	STMXCSR 0(SP)
	MOVL 0(SP), AX
	MOVL AX, ret+0(FP)
	RET

// func setMXCSR(v uint32)
TEXT ·setMXCSR(SB), NOSPLIT, $8-4
	MOVL v+0(FP), AX
	MOVL AX, 0(SP)
	LDMXCSR 0(SP)
	RET
