// sysvipc: System V shared memory, semaphores and message queues with
// DragonFly's numbers and structures (sys/ipc.h, shm.h, sem.h, msg.h).
// Built for DragonFly only.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

const (
	sysSemctl = 220
	sysSemget = 221
	sysSemop  = 222
	sysMsgctl = 224
	sysMsgget = 225
	sysMsgsnd = 226
	sysMsgrcv = 227
	sysShmat  = 228
	sysShmctl = 229
	sysShmdt  = 230
	sysShmget = 231

	ipcCreat  = 01000
	ipcNowait = 04000
	ipcRmid   = 0
	ipcSet    = 1
	ipcStat   = 2
	getVal    = 5
	getAll    = 6
	getPid    = 4
	setVal    = 8
	setAll    = 9
)

var ne = binary.LittleEndian

func p(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

func errs(e syscall.Errno) string {
	if e == 0 {
		return "ok"
	}
	return e.Error()
}

// semctl passes the union semun by pointer, as DragonFly's libc does.
func semctl(id, num, cmd int, arg uint64) (uintptr, syscall.Errno) {
	u := arg
	r, _, e := syscall.Syscall6(sysSemctl, uintptr(id), uintptr(num), uintptr(cmd), uintptr(unsafe.Pointer(&u)), 0, 0)
	return r, e
}

func main() {
	// Shared memory.
	id, _, e := syscall.Syscall(sysShmget, 0, 8192, ipcCreat|0600)
	fmt.Println("shmget:", errs(e))
	a1, _, e := syscall.Syscall(sysShmat, id, 0, 0)
	fmt.Println("shmat:", errs(e), "page-aligned:", a1%4096 == 0)
	a2, _, _ := syscall.Syscall(sysShmat, id, 0, 0)
	m1 := unsafe.Slice((*byte)(unsafe.Pointer(a1)), 8192)
	m2 := unsafe.Slice((*byte)(unsafe.Pointer(a2)), 8192)
	copy(m1[100:], "shared")
	fmt.Println("a second attach sees the first's writes:", a1 != a2, string(m2[100:106]))
	ds := make([]byte, 88)
	_, _, e = syscall.Syscall(sysShmctl, id, ipcStat, p(ds))
	fmt.Println("IPC_STAT:", errs(e), "segsz", ne.Uint64(ds[32:]), "nattch", ne.Uint32(ds[48:]),
		"cpid is me:", int(ne.Uint32(ds[44:])) == os.Getpid(), "uid is me:", int(ne.Uint32(ds[8:])) == os.Geteuid(),
		"mode", fmt.Sprintf("%o", ne.Uint16(ds[16:])))
	ne.PutUint16(ds[16:], 0640)
	_, _, e = syscall.Syscall(sysShmctl, id, ipcSet, p(ds))
	syscall.Syscall(sysShmctl, id, ipcStat, p(ds))
	fmt.Println("IPC_SET mode:", errs(e), fmt.Sprintf("%o", ne.Uint16(ds[16:])))
	_, _, e = syscall.Syscall(sysShmdt, a2, 0, 0)
	fmt.Println("shmdt:", errs(e))
	_, _, e = syscall.Syscall(sysShmdt, a2, 0, 0)
	fmt.Println("shmdt again:", errs(e))
	_, _, e = syscall.Syscall(sysShmdt, a1+4096, 0, 0)
	fmt.Println("shmdt inside a segment:", errs(e))
	syscall.Syscall(sysShmctl, id, ipcStat, p(ds))
	fmt.Println("nattch after one detach:", ne.Uint32(ds[48:]))
	_, _, e = syscall.Syscall(sysShmctl, id, 77, p(ds))
	fmt.Println("shmctl unknown command:", errs(e))
	_, _, e = syscall.Syscall(sysShmdt, a1, 0, 0)
	fmt.Println("shmdt the first:", errs(e))
	_, _, e = syscall.Syscall(sysShmctl, id, ipcRmid, 0)
	fmt.Println("IPC_RMID:", errs(e))
	_, _, e = syscall.Syscall(sysShmat, id, 0, 0)
	fmt.Println("shmat after IPC_RMID:", errs(e))
	// The address space stays godfly's to keep: an attach over memory
	// already mapped is refused.
	id2, _, _ := syscall.Syscall(sysShmget, 0, 4096, ipcCreat|0600)
	_, _, e = syscall.Syscall(sysShmat, id2, uintptr(unsafe.Pointer(&ds[0]))&^4095, 0)
	fmt.Println("shmat over mapped memory refused:", e != 0)
	syscall.Syscall(sysShmctl, id2, ipcRmid, 0)

	// Semaphores.
	sid, _, e := syscall.Syscall(sysSemget, 0, 2, ipcCreat|0600)
	fmt.Println("semget:", errs(e))
	_, e = semctl(int(sid), 0, setVal, 3)
	v, _ := semctl(int(sid), 0, getVal, 0)
	fmt.Println("SETVAL 3, GETVAL:", errs(e), v)
	ops := make([]byte, 6)
	ne.PutUint16(ops[0:], 0)
	ne.PutUint16(ops[2:], uint16(0xffff)) // -1
	_, _, e = syscall.Syscall(sysSemop, sid, p(ops), 1)
	v, _ = semctl(int(sid), 0, getVal, 0)
	pid, _ := semctl(int(sid), 0, getPid, 0)
	fmt.Println("semop -1:", errs(e), "value", v, "last pid is me:", int(pid) == os.Getpid())
	ne.PutUint16(ops[2:], uint16(0xfffb)) // -5
	ne.PutUint16(ops[4:], ipcNowait)
	_, _, e = syscall.Syscall(sysSemop, sid, p(ops), 1)
	fmt.Println("semop -5 IPC_NOWAIT:", errs(e))
	six := make([]byte, 36)
	_, _, e = syscall.Syscall(sysSemop, sid, p(six), 6)
	fmt.Println("six operations:", errs(e))
	arr := []uint16{7, 9}
	_, e = semctl(int(sid), 0, setAll, uint64(uintptr(unsafe.Pointer(&arr[0]))))
	got := []uint16{0, 0}
	semctl(int(sid), 0, getAll, uint64(uintptr(unsafe.Pointer(&got[0]))))
	fmt.Println("SETALL, GETALL:", errs(e), got)
	sds := make([]byte, 112)
	_, e = semctl(int(sid), 0, ipcStat, uint64(p(sds)))
	fmt.Println("IPC_STAT:", errs(e), "nsems", ne.Uint16(sds[40:]), "mode", fmt.Sprintf("%o", ne.Uint16(sds[16:])))
	_, e = semctl(int(sid), 0, 99, 0)
	fmt.Println("semctl unknown command:", errs(e))
	_, e = semctl(int(sid), 0, ipcRmid, 0)
	fmt.Println("IPC_RMID:", errs(e))
	_, e = semctl(int(sid), 0, getVal, 0)
	fmt.Println("GETVAL after IPC_RMID:", errs(e))

	// Message queues.
	qid, _, e := syscall.Syscall(sysMsgget, 0, ipcCreat|0600, 0)
	fmt.Println("msgget:", errs(e))
	msg := make([]byte, 8+16)
	ne.PutUint64(msg, 7)
	copy(msg[8:], "hello")
	_, _, e = syscall.Syscall6(sysMsgsnd, qid, p(msg), 5, 0, 0, 0)
	fmt.Println("msgsnd:", errs(e))
	qds := make([]byte, 160)
	syscall.Syscall(sysMsgctl, qid, ipcStat, p(qds))
	fmt.Println("IPC_STAT: qnum", ne.Uint64(qds[56:]), "cbytes", ne.Uint64(qds[48:]), "lspid is me:", int(ne.Uint32(qds[72:])) == os.Getpid())
	small := make([]byte, 8+2)
	_, _, e = syscall.Syscall6(sysMsgrcv, qid, p(small), 2, 0, 0, 0)
	fmt.Println("msgrcv into 2 bytes:", errs(e))
	in := make([]byte, 8+16)
	n, _, e := syscall.Syscall6(sysMsgrcv, qid, p(in), 16, 0, 0, 0)
	fmt.Println("msgrcv:", errs(e), n, "type", ne.Uint64(in), string(in[8:8+n]))
	_, _, e = syscall.Syscall6(sysMsgrcv, qid, p(in), 16, 0, ipcNowait, 0)
	fmt.Println("msgrcv empty IPC_NOWAIT:", errs(e))
	_, _, e = syscall.Syscall(sysMsgctl, qid, ipcRmid, 0)
	fmt.Println("IPC_RMID:", errs(e))
	fmt.Println("EXIT-SUCCESS")
}
