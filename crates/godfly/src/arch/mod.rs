//! x86-64 pieces, and the only assembly in godfly: signal-handler entry with
//! the `%fs` swap, entering and leaving guest code, the lone `rt_sigreturn`
//! restorer that Syscall User Dispatch lets through, and fault-tolerant
//! copies of guest memory.
//!
//! Every host thread that runs guest code owns a [`ThreadBlock`] at the base
//! of a `BLOCK_SIZE`-aligned region whose upper part is the thread's host
//! signal stack. A handler finds the block by rounding its stack pointer
//! down, so nothing on the entry path touches thread-local storage while the
//! guest's `%fs` is loaded.
//!
//! Invariant: whenever `%fs` holds the host value, the selector is ALLOW.
//! The entry decides "came from guest code" by comparing `%fs` with the host
//! value, and on the way out restores exactly the selector it found, so a
//! signal that lands anywhere inside an entry or exit sequence still sees a
//! consistent state.

pub mod xstate;

use std::arch::global_asm;

/// Size and alignment of a thread's block plus signal stack.
pub const BLOCK_SIZE: usize = 1 << 20;
/// Bytes reserved at the base for the [`ThreadBlock`] (one page), followed by
/// one guard page; the rest is the host signal stack.
pub const BLOCK_HEADER: usize = 4096;
/// The guard page between the header and the stack.
pub const BLOCK_GUARD: usize = 4096;

/// Selector values of Syscall User Dispatch.
pub const SELECTOR_ALLOW: u8 = 0;
/// Syscalls outside the allowed range raise SIGSYS.
pub const SELECTOR_BLOCK: u8 = 1;

/// Per-thread header at the base of the signal-stack region. The assembly
/// below uses the field offsets, which the const assertions pin.
#[repr(C)]
#[derive(Debug)]
pub struct ThreadBlock {
    /// Host `%fs` base (glibc's thread pointer).
    pub host_fs: u64,
    /// Guest `%fs` base (DragonFly `set_tls_area`); authoritative copy.
    pub guest_fs: u64,
    /// Syscall User Dispatch selector byte.
    pub selector: u8,
    /// Padding to the next field.
    pub pad: [u8; 7],
    /// Host stack pointer saved by `godfly_enter_guest`.
    pub host_rsp: u64,
    /// The thread's emulator state (`thread::Lwp`).
    pub lwp: *mut (),
    /// `BLOCK_MAGIC` once initialised.
    pub magic: u64,
    /// Fast path scratch: the guest rip after the rewritten `syscall`.
    pub fast_rip: u64,
    /// Fast path scratch: the guest stack pointer.
    pub fast_rsp: u64,
    /// The XSAVE components the fast path saves and restores around
    /// godfly's code (`xstate::Info`), and the size of their image.
    pub xsave_mask: u64,
    pub xsave_size: u64,
    /// The thread's arrived-signals word (`thread::Lwp::arrived`): the
    /// fast clock goes the full way when a signal came in meanwhile.
    pub arrived: *const u64,
    /// The vDSO's `clock_gettime` (0: none; then no clock stub exists).
    pub vdso_clock: u64,
    /// Fast clock scratch: the call number, for the full way.
    pub clock_nr: u64,
    /// Fast clock scratch: the timespec the vDSO writes, copied to the
    /// guest afterwards (the vDSO never stores to a guest pointer).
    pub clock_ts: [u64; 2],
    /// The full fast entry (`fast_entry`), where the fast clock falls back.
    pub full_entry: u64,
    /// The block's own address (read through `%gs`, cheaper than rdgsbase).
    pub self_addr: u64,
    /// The host's MXCSR_MASK, for the images the lean entry writes.
    pub mxcsr_mask: u64,
}

/// Marks an initialised block.
pub const BLOCK_MAGIC: u64 = 0x676f_6466_6c79_7462;

const _: () = {
    assert!(std::mem::offset_of!(ThreadBlock, host_fs) == 0);
    assert!(std::mem::offset_of!(ThreadBlock, guest_fs) == 8);
    assert!(std::mem::offset_of!(ThreadBlock, selector) == 16);
    assert!(std::mem::offset_of!(ThreadBlock, host_rsp) == 24);
    assert!(std::mem::offset_of!(ThreadBlock, lwp) == 32);
    assert!(std::mem::offset_of!(ThreadBlock, fast_rip) == 48);
    assert!(std::mem::offset_of!(ThreadBlock, fast_rsp) == 56);
    assert!(std::mem::offset_of!(ThreadBlock, xsave_mask) == 64);
    assert!(std::mem::offset_of!(ThreadBlock, xsave_size) == 72);
    assert!(std::mem::offset_of!(ThreadBlock, arrived) == 80);
    assert!(std::mem::offset_of!(ThreadBlock, vdso_clock) == 88);
    assert!(std::mem::offset_of!(ThreadBlock, clock_nr) == 96);
    assert!(std::mem::offset_of!(ThreadBlock, clock_ts) == 104);
    assert!(std::mem::offset_of!(ThreadBlock, full_entry) == 120);
    assert!(std::mem::offset_of!(ThreadBlock, self_addr) == 128);
    assert!(std::mem::offset_of!(ThreadBlock, mxcsr_mask) == 136);
    assert!(std::mem::size_of::<ThreadBlock>() <= BLOCK_HEADER);
};

/// Guest registers used to start a guest thread.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryRegs {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rsp: u64,
    pub rflags: u64,
}

const _: () = {
    assert!(std::mem::offset_of!(EntryRegs, rdi) == 40);
    assert!(std::mem::offset_of!(EntryRegs, rsi) == 32);
    assert!(std::mem::offset_of!(EntryRegs, rip) == 120);
    assert!(std::mem::offset_of!(EntryRegs, rsp) == 128);
    assert!(std::mem::offset_of!(EntryRegs, rflags) == 136);
};

// Signal-handler entries. `SIG_ENTRY name, target` defines `name`, which the
// kernel calls as `name(sig, info, ucontext)` on the thread's signal stack;
// it calls `target(sig, info, ucontext, from_guest)`.
global_asm!(
    r#"
    .text
    .globl godfly_asm_start
godfly_asm_start:
    .macro SIG_ENTRY name, target
    .text
    .globl \name
    .type \name,@function
    .p2align 4
\name:
    mov rax, rsp
    and rax, -{block}
    rdfsbase rcx
    cmp rcx, qword ptr [rax]
    jne 2f
    xor ecx, ecx
    sub rsp, 8
    call \target
    add rsp, 8
    ret
2:
    push rbx
    push r12
    sub rsp, 8
    mov rbx, rax
    movzx r12d, byte ptr [rbx + 16]
    mov byte ptr [rbx + 16], {allow}
    mov rcx, qword ptr [rbx]
    wrfsbase rcx
    mov ecx, 1
    call \target
    mov rcx, qword ptr [rbx + 8]
    wrfsbase rcx
    mov byte ptr [rbx + 16], r12b
    add rsp, 8
    pop r12
    pop rbx
    ret
    .size \name, . - \name
    .endm

    SIG_ENTRY godfly_sigsys_entry, godfly_on_sigsys
    SIG_ENTRY godfly_fault_entry, godfly_on_fault
    SIG_ENTRY godfly_async_entry, godfly_on_async

    .text
    .globl godfly_restorer_start
    .globl godfly_restorer_end
    .p2align 4
godfly_restorer_start:
    mov eax, 15
    syscall
    ud2
    // godfly's own system calls (`host_syscall`), inside the range
    // dispatch always allows: the kernel then skips reading the selector
    // for them, some 30 ns a call on this project's machine. In: rdi =
    // the number, rsi = the six arguments.
    .globl godfly_host_syscall
    .type godfly_host_syscall,@function
    .p2align 4
godfly_host_syscall:
    mov rax, rdi
    mov r11, rsi
    mov rdi, qword ptr [r11]
    mov rsi, qword ptr [r11 + 8]
    mov rdx, qword ptr [r11 + 16]
    mov r10, qword ptr [r11 + 24]
    mov r8, qword ptr [r11 + 32]
    mov r9, qword ptr [r11 + 40]
    syscall
    ret
    .size godfly_host_syscall, . - godfly_host_syscall
    // A bare host thread that sleeps, then ends the process: the deadline
    // for an internal-error report. It touches no memory but its own stack
    // (no TLS, no allocator), so it can be started from a broken godfly.
    // In: rdi = the top of its stack, rsi = seconds, edx = the exit
    // status. Out: clone's result (the thread's id, or -errno).
    .globl godfly_spawn_deadline
    .type godfly_spawn_deadline,@function
    .p2align 4
godfly_spawn_deadline:
    mov qword ptr [rdi - 16], rsi
    mov qword ptr [rdi - 8], 0
    mov qword ptr [rdi - 24], rdx
    lea rsi, [rdi - 32]
    mov edi, {deadline_clone}
    xor edx, edx
    xor r10d, r10d
    xor r8d, r8d
    mov eax, {sys_clone}
    syscall
    test rax, rax
    jnz 3f
2:
    mov eax, {sys_nanosleep}
    lea rdi, [rsp + 16]
    xor esi, esi
    syscall
    cmp rax, -4
    je 2b
    mov rdi, qword ptr [rsp + 8]
    mov eax, {sys_exit_group}
    syscall
    ud2
3:
    ret
    .size godfly_spawn_deadline, . - godfly_spawn_deadline
godfly_restorer_end:

    .globl godfly_enter_guest
    .type godfly_enter_guest,@function
    .p2align 4
godfly_enter_guest:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov qword ptr [rdi + 24], rsp
    push qword ptr [rsi + 136]
    popfq
    mov rax, qword ptr [rdi + 8]
    wrfsbase rax
    mov byte ptr [rdi + 16], {block_sel}
    mov rax, qword ptr [rsi + 0]
    mov rbx, qword ptr [rsi + 8]
    mov rcx, qword ptr [rsi + 16]
    mov rdx, qword ptr [rsi + 24]
    mov rbp, qword ptr [rsi + 48]
    mov r8, qword ptr [rsi + 56]
    mov r9, qword ptr [rsi + 64]
    mov r10, qword ptr [rsi + 72]
    mov r11, qword ptr [rsi + 80]
    mov r12, qword ptr [rsi + 88]
    mov r13, qword ptr [rsi + 96]
    mov r14, qword ptr [rsi + 104]
    mov r15, qword ptr [rsi + 112]
    mov rsp, qword ptr [rsi + 128]
    push qword ptr [rsi + 120]
    mov rdi, qword ptr [rsi + 40]
    mov rsi, qword ptr [rsi + 32]
    ret
    .size godfly_enter_guest, . - godfly_enter_guest

    .globl godfly_leave_guest
    .type godfly_leave_guest,@function
    .p2align 4
godfly_leave_guest:
    mov rsp, qword ptr [rdi + 24]
    mov rax, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
    .size godfly_leave_guest, . - godfly_leave_guest

    .globl godfly_copy
    .globl godfly_guest_access_start
    .globl godfly_guest_access_end
    .globl godfly_guest_access_fixup
    .p2align 4
godfly_guest_access_start:
godfly_copy:
    // `rep movsb` costs about 5 ns here whatever the length up to 64
    // bytes; most copies (a timespec, a return address) are far shorter.
    cmp rdx, 64
    jae 8f
6:
    cmp rdx, 8
    jb 7f
    mov rax, qword ptr [rsi]
    mov qword ptr [rdi], rax
    add rsi, 8
    add rdi, 8
    sub rdx, 8
    jmp 6b
7:
    test rdx, rdx
    jz 9f
    mov al, byte ptr [rsi]
    mov byte ptr [rdi], al
    inc rsi
    inc rdi
    dec rdx
    jmp 7b
8:
    mov rcx, rdx
    rep movsb
9:
    xor eax, eax
    ret

    .globl godfly_strnlen
godfly_strnlen:
    xor eax, eax
3:
    cmp rax, rsi
    jae 4f
    cmp byte ptr [rdi + rax], 0
    je 5f
    inc rax
    jmp 3b
4:
    mov rax, -1
5:
    ret
    // Stores into a byte without changing it: a locked cmpxchg always
    // writes (back) its destination, so a read-only page faults.
    .globl godfly_probe_write
godfly_probe_write:
    mov al, byte ptr [rdi]
    lock cmpxchg byte ptr [rdi], al
    xor eax, eax
    ret
godfly_guest_access_end:
godfly_guest_access_fixup:
    mov rax, -2
    ret
    // Fast path: a rewritten site calls a stub that restores the stack
    // pointer, runs the instructions that stood between `mov $n,%eax` and
    // `syscall`, loads eax and r11 (the rip after the original `syscall`)
    // and jumps here. The thread's block is the %gs base. The guest
    // registers go into a host ucontext_t on the signal stack, as a SIGSYS
    // would have put them, and come back from it afterwards; the extended
    // state (x87, SSE, AVX, AVX-512, ...) goes into an XSAVE image above it
    // that `fpregs` points at, described as a kernel frame's is, so that
    // godfly's own code (and the C library's AVX memcpy) cannot touch it.
    .macro FAST_ENTRY name, save, lean
    .globl \name
    .type \name,@function
    .p2align 4
\name:
    rdgsbase rcx
    mov qword ptr [rcx + 48], r11
    mov qword ptr [rcx + 56], rsp
    mov byte ptr [rcx + 16], {allow}
    mov r11, qword ptr [rcx]
    wrfsbase r11
    lea rsp, [rcx + {block}]
    sub rsp, {xreserve}
    sub rsp, {ucsize}
    mov qword ptr [rsp + {g} + 0*8], r8
    mov qword ptr [rsp + {g} + 1*8], r9
    mov qword ptr [rsp + {g} + 2*8], r10
    mov qword ptr [rsp + {g} + 3*8], 0
    mov qword ptr [rsp + {g} + 4*8], r12
    mov qword ptr [rsp + {g} + 5*8], r13
    mov qword ptr [rsp + {g} + 6*8], r14
    mov qword ptr [rsp + {g} + 7*8], r15
    mov qword ptr [rsp + {g} + 8*8], rdi
    mov qword ptr [rsp + {g} + 9*8], rsi
    mov qword ptr [rsp + {g} + 10*8], rbp
    mov qword ptr [rsp + {g} + 11*8], rbx
    mov qword ptr [rsp + {g} + 12*8], rdx
    mov qword ptr [rsp + {g} + 13*8], rax
    mov qword ptr [rsp + {g} + 14*8], 0
    mov rax, qword ptr [rcx + 56]
    mov qword ptr [rsp + {g} + 15*8], rax
    mov rax, qword ptr [rcx + 48]
    mov qword ptr [rsp + {g} + 16*8], rax
    pushfq
    pop rax
    mov qword ptr [rsp + {g} + 17*8], rax
    lea rdi, [rsp + {ucsize}]
    mov qword ptr [rsp + {fpregs}], rdi
    // A standard-format header, all zero first: XSAVE writes only the
    // XSTATE_BV bits of the components it saves (the others keep what the
    // memory held, and a signal frame or godfly's own stack may have been
    // here), and never XCOMP_BV or the reserved bytes.
    xor eax, eax
    mov qword ptr [rdi + 512], rax
    mov qword ptr [rdi + 520], rax
    mov qword ptr [rdi + 528], rax
    mov qword ptr [rdi + 536], rax
    mov qword ptr [rdi + 544], rax
    mov qword ptr [rdi + 552], rax
    mov qword ptr [rdi + 560], rax
    mov qword ptr [rdi + 568], rax
    .if \lean
    // Lean: the site is in Go's own runtime or syscall assembly, called
    // under Go's ABI0, where no vector register is live across the call:
    // the image says every component is in its initial state (which a
    // delivered signal's frame shows), with the guest's MXCSR, marked
    // lean; only a signal delivery touches it (mem::host_xsave marks it
    // written), and then it is restored whole on the way out.
    mov dword ptr [rdi], 0x037f
    mov dword ptr [rdi + 4], eax
    stmxcsr dword ptr [rdi + 24]
    mov eax, dword ptr [rcx + 136]
    mov dword ptr [rdi + 28], eax
    mov dword ptr [rdi + {lean_mark}], {lean_magic}
    mov dword ptr [rdi + {lean_written}], 0
    .else
    mov dword ptr [rdi + {lean_mark}], eax
    mov eax, dword ptr [rcx + 64]
    mov edx, dword ptr [rcx + 68]
    \save [rdi]
    .endif
    mov dword ptr [rdi + 464], {magic1}
    mov eax, dword ptr [rcx + 72]
    mov dword ptr [rdi + 480], eax
    add eax, 4
    mov dword ptr [rdi + 468], eax
    mov rax, qword ptr [rcx + 64]
    mov qword ptr [rdi + 472], rax
    // godfly's code runs with the ABI's floating-point environment.
    cld
    push {mxcsr}
    ldmxcsr dword ptr [rsp]
    add rsp, 8
    mov rdi, rsp
    call godfly_on_fastcall
    jmp godfly_fast_exit
    .size \name, . - \name
    .endm

    // XSAVEOPT skips what is unchanged since the XRSTOR of the last call.
    FAST_ENTRY godfly_fast_entry, xsaveopt64, 0
    FAST_ENTRY godfly_fast_entry_xsave, xsave64, 0
    FAST_ENTRY godfly_fast_entry_lean, xsave64, 1

    // The way back from every fast entry, with rsp at the context. From
    // the check to the `lea` the sequence can run again from the top: a
    // signal that lands there is noted and sent back to the check
    // (`exit_fix`), which takes it before the guest runs, so no signal
    // waits for the thread's next system call. At the `pop` and the `ret`
    // only rax and rip are still on the guest stack: `exit_fix` finishes
    // them and the signal is the guest's at once.
    .globl godfly_fast_exit_check
    .globl godfly_fast_exit_lea
    .globl godfly_fast_exit_pop
    .globl godfly_fast_exit_ret
    .p2align 4
godfly_fast_exit:
godfly_fast_exit_check:
    mov rcx, qword ptr gs:[128]
    lea rsp, [rcx + {block} - {xreserve} - {ucsize}]
    mov rax, qword ptr [rcx + 80]
    cmp qword ptr [rax], 0
    jne godfly_fast_exit_signals
    mov rax, qword ptr [rcx + 8]
    wrfsbase rax
    mov byte ptr [rcx + 16], {block_sel}
    // A lean image (the mark, not written since) holds no register: only
    // MXCSR comes back, and godfly's AVX left upper halves dirty: clean,
    // so the guest's SSE code pays no transition (what Go's own AVX code
    // does before returning). Anything else is restored whole.
    cmp dword ptr [rsp + {ucsize} + {lean_mark}], {lean_magic}
    jne 1f
    cmp dword ptr [rsp + {ucsize} + {lean_written}], 0
    jne 1f
    ldmxcsr dword ptr [rsp + {ucsize} + 24]
    vzeroupper
    jmp 2f
1:
    mov eax, dword ptr [rcx + 64]
    mov edx, dword ptr [rcx + 68]
    xrstor64 [rsp + {ucsize}]
2:
    // godfly_on_fastcall has written rip and rax just below the guest
    // rsp (fault-safely: a sigreturn may have left rsp anywhere).
    // The flags: SF, ZF, AF, PF and CF by sahf, OF by an add; popfq (slow,
    // microcoded) only when the old or new flags hold any other bit than
    // those, IF and bit 1 (DF, TF, AC, ID: what sahf cannot set).
    mov rcx, qword ptr [rsp + {g} + 17*8]
    pushfq
    pop rax
    or rax, rcx
    test rax, {flags_other}
    jnz 3f
    mov eax, ecx
    shl eax, 8
    bt ecx, 11
    setc al
    add al, 0x7f
    sahf
    jmp 4f
3:
    push rcx
    popfq
4:
    mov rax, qword ptr [rsp + {g} + 15*8]
    mov r8, qword ptr [rsp + {g} + 0*8]
    mov r9, qword ptr [rsp + {g} + 1*8]
    mov r10, qword ptr [rsp + {g} + 2*8]
    mov r11, qword ptr [rsp + {g} + 3*8]
    mov r12, qword ptr [rsp + {g} + 4*8]
    mov r13, qword ptr [rsp + {g} + 5*8]
    mov r14, qword ptr [rsp + {g} + 6*8]
    mov r15, qword ptr [rsp + {g} + 7*8]
    mov rdi, qword ptr [rsp + {g} + 8*8]
    mov rsi, qword ptr [rsp + {g} + 9*8]
    mov rbp, qword ptr [rsp + {g} + 10*8]
    mov rbx, qword ptr [rsp + {g} + 11*8]
    mov rdx, qword ptr [rsp + {g} + 12*8]
    mov rcx, qword ptr [rsp + {g} + 14*8]
godfly_fast_exit_lea:
    lea rsp, [rax - 16]
godfly_fast_exit_pop:
    pop rax
godfly_fast_exit_ret:
    ret
    // A signal was noted after the dispatcher's last look (or a rewound
    // exit saw one): take it in godfly's state, then leave again. In: rcx
    // = the block, rsp = the context.
godfly_fast_exit_signals:
    mov rax, qword ptr [rcx]
    wrfsbase rax
    mov byte ptr [rcx + 16], {allow}
    cld
    push {mxcsr}
    ldmxcsr dword ptr [rsp]
    add rsp, 8
    mov rdi, rsp
    call godfly_on_fastcall_signals
    jmp godfly_fast_exit_check

    // The fast clock: a rewritten `clock_gettime` site whose clock the
    // host's vDSO answers (`loader::fastpath` makes its stub). In: eax =
    // the call number, ecx = the Linux clock, r11 = the rip after the
    // original `syscall`, rdi and rsi as the guest set them. The vDSO uses
    // neither vector registers nor %fs, so there is no XSAVE, no context
    // and no %fs swap: only the selector is opened (a vDSO that falls back
    // to a system call must reach the kernel), and a signal that lands
    // here or in the vDSO is godfly's (trap treats the vDSO as godfly
    // code), noted for later. The vDSO writes a timespec in the block,
    // which is copied to the guest (a fault there resumes at the slow
    // exit). Out as from the kernel: rax = 0, CF clear, rcx = rip, r11 =
    // rflags, the rest unchanged. A vDSO error, a signal that arrived
    // meanwhile or a bad pointer take the full entry instead, with the
    // registers as the stub left them.
    .globl godfly_fast_clock
    .type godfly_fast_clock,@function
    .p2align 4
godfly_fast_clock:
    mov qword ptr gs:[48], r11
    mov qword ptr gs:[56], rsp
    mov qword ptr gs:[96], rax
    mov r11, qword ptr gs:[128]
    mov byte ptr [r11 + 16], {allow}
    lea rsp, [r11 + {block} - {xreserve}]
    pushfq
    push rdi
    push rsi
    push rdx
    push r8
    push r9
    push r10
    push r11
    cld
    mov edi, ecx
    lea rsi, [r11 + 104]
    call qword ptr [r11 + 88]
    pop r11
    test eax, eax
    jnz godfly_clock_slow
    // From here to godfly_clock_leave the sequence can run again from the
    // top (rsp and r11 are set anew, the registers read from the stack,
    // not popped): a signal that lands there is sent back here (the
    // check then takes the full way, which delivers it). At the `lea` and
    // the `ret` only rip is left: `exit_fix` finishes the return.
    .globl godfly_clock_check
    .globl godfly_clock_leave
    .globl godfly_clock_lea
    .globl godfly_clock_ret
godfly_clock_check:
    mov r11, qword ptr gs:[128]
    lea rsp, [r11 + {block} - {xreserve} - 56]
    mov rax, qword ptr [r11 + 80]
    cmp qword ptr [rax], 0
    jne godfly_clock_slow
    mov rsi, qword ptr [rsp + 32]
    .globl godfly_clock_copy_start
    .globl godfly_clock_copy_end
godfly_clock_copy_start:
    mov rax, qword ptr [r11 + 104]
    mov qword ptr [rsi], rax
    mov rax, qword ptr [r11 + 112]
    mov qword ptr [rsi + 8], rax
godfly_clock_copy_end:
    mov r10, qword ptr [rsp]
    mov r9, qword ptr [rsp + 8]
    mov r8, qword ptr [rsp + 16]
    mov rdx, qword ptr [rsp + 24]
    mov rsi, qword ptr [rsp + 32]
    mov rdi, qword ptr [rsp + 40]
    mov byte ptr [r11 + 16], {block_sel}
    mov rcx, qword ptr [r11 + 48]
    mov r11, qword ptr [rsp + 48]
    and r11, -2
    // The flags as they came, CF clear: SF, ZF, AF, PF and CF by sahf and
    // OF by an add, far cheaper than popfq, which only a set DF needs.
    test r11d, 0x400
    jnz 7f
    mov eax, r11d
    shl eax, 8
    bt r11d, 11
    setc al
    add al, 0x7f
    sahf
    jmp 8f
7:
    push r11
    popfq
8:
    mov eax, 0
    // Return to the address the site's `call` pushed (just below the
    // guest's rsp, which is rip), so return prediction stays in step.
godfly_clock_leave:
    mov rsp, qword ptr gs:[56]
godfly_clock_lea:
    lea rsp, [rsp - 8]
godfly_clock_ret:
    ret
    // In: r11 = the block, the host stack as the fast clock left it.
    .globl godfly_clock_slow
godfly_clock_slow:
    pop r10
    pop r9
    pop r8
    pop rdx
    pop rsi
    pop rdi
    popfq
    mov rax, qword ptr [r11 + 96]
    mov rsp, qword ptr [r11 + 56]
    mov r11, qword ptr [r11 + 48]
    jmp qword ptr gs:[120]
    .size godfly_fast_clock, . - godfly_fast_clock

    .globl godfly_asm_end
godfly_asm_end:
"#,
    block = const BLOCK_SIZE,
    allow = const SELECTOR_ALLOW,
    block_sel = const SELECTOR_BLOCK,
    ucsize = const FAST_UC_SIZE,
    xreserve = const FAST_XSAVE_RESERVE,
    g = const UC_GREGS,
    fpregs = const UC_FPREGS,
    magic1 = const xstate::MAGIC1,
    flags_other = const !0xad7i64,
    lean_mark = const xstate::LEAN_MARK,
    lean_magic = const xstate::LEAN_MAGIC,
    lean_written = const xstate::LEAN_WRITTEN,
    mxcsr = const 0x1f80,
    deadline_clone = const libc::CLONE_VM | libc::CLONE_FS | libc::CLONE_FILES | libc::CLONE_SIGHAND
        | libc::CLONE_THREAD | libc::CLONE_SYSVSEM,
    sys_clone = const libc::SYS_clone,
    sys_nanosleep = const libc::SYS_nanosleep,
    sys_exit_group = const libc::SYS_exit_group,
);

/// Room for the fast path's XSAVE image at the top of the signal stack (a
/// multiple of 64, XSAVE's alignment). The fast path needs an image that
/// fits (`xstate::Info::size`); without one every call takes the trap.
pub const FAST_XSAVE_RESERVE: usize = 16 * 1024;

// A blocking host system call that a signal can always interrupt:
// `godfly_syscall_cp(flag, nr, args)` checks `*flag` (the thread's
// arrived-signals word) and makes the call only if it is zero. A signal
// that lands between the check and the `syscall` (after godfly last looked
// for signals, before the kernel would see it as interrupting the call)
// moves rip to the cancel exit (`cp_cancel`), so the call returns EINTR
// instead of blocking with the signal untaken.
global_asm!(
    r#"
    .text
    .globl godfly_syscall_cp
    .globl godfly_cp_check
    .globl godfly_cp_syscall
    .globl godfly_cp_cancel
    .type godfly_syscall_cp,@function
    .p2align 4
godfly_syscall_cp:
    mov r11, rdi
    mov rax, rsi
    mov rcx, rdx
    mov rdi, qword ptr [rcx]
    mov rsi, qword ptr [rcx + 8]
    mov rdx, qword ptr [rcx + 16]
    mov r10, qword ptr [rcx + 24]
    mov r8, qword ptr [rcx + 32]
    mov r9, qword ptr [rcx + 40]
godfly_cp_check:
    cmp qword ptr [r11], 0
    jne godfly_cp_cancel
godfly_cp_syscall:
    syscall
    ret
godfly_cp_cancel:
    mov rax, -4
    ret
    .size godfly_syscall_cp, . - godfly_syscall_cp
"#
);

unsafe extern "C" {
    fn godfly_syscall_cp(flag: *const u64, nr: i64, args: *const [u64; 6]) -> i64;
    static godfly_cp_check: u8;
    static godfly_cp_syscall: u8;
    static godfly_cp_cancel: u8;
}

unsafe extern "C" {
    fn godfly_host_syscall(nr: i64, args: *const [u64; 6]) -> i64;
    fn godfly_spawn_deadline(stack_top: u64, seconds: u64, status: i32) -> i64;
}

/// Starts a bare host thread that sleeps `seconds`, then ends the process
/// with `status`; returns clone's raw result. It inherits the caller's
/// signal mask, so the caller blocks every signal first.
///
/// # Safety
/// The 32 bytes below `stack_top` (16-aligned) must be writable memory that
/// nothing else uses for the rest of the process's life.
pub unsafe fn spawn_deadline(stack_top: u64, seconds: u64, status: i32) -> i64 {
    // SAFETY: forwarded from the caller; the new thread uses only that
    // stack and three system calls.
    unsafe { godfly_spawn_deadline(stack_top, seconds, status) }
}

/// Makes system call `nr` from inside the range dispatch allows; returns
/// the raw result (`-errno` on failure).
///
/// # Safety
/// As for any raw system call: the arguments must be valid for it.
pub unsafe fn host_syscall(nr: i64, args: &[u64; 6]) -> i64 {
    // SAFETY: forwarded from the caller; the routine reads the six
    // arguments and clobbers only what a `syscall` does (and what a C
    // call may).
    unsafe { godfly_host_syscall(nr, args) }
}

/// Makes system call `nr` unless `*flag` is non-zero; returns the raw
/// result (`-EINTR` when cancelled).
///
/// # Safety
/// As for any raw system call (the arguments must be valid for it);
/// `flag` must point at a live `u64`.
pub unsafe fn syscall_cp(flag: *const u64, nr: i64, args: &[u64; 6]) -> i64 {
    // SAFETY: forwarded from the caller; the routine reads `flag` and the
    // six arguments and clobbers only what a `syscall` does.
    unsafe { godfly_syscall_cp(flag, nr, args) }
}

/// If a signal interrupted a cancellable call before its `syscall` ran,
/// the address its handler must resume at instead (the EINTR exit).
pub fn cp_cancel_point(rip: u64) -> Option<u64> {
    let start = &raw const godfly_cp_check as u64;
    let at_syscall = &raw const godfly_cp_syscall as u64;
    (start..=at_syscall).contains(&rip).then_some(&raw const godfly_cp_cancel as u64)
}

/// Room for a host `ucontext_t` on the signal stack in the fast path.
const FAST_UC_SIZE: usize = 1024;
/// Offset of `uc_mcontext.gregs` in a host `ucontext_t`.
const UC_GREGS: usize = 40;
/// Offset of `uc_mcontext.fpregs`.
const UC_FPREGS: usize = 40 + 23 * 8;

const _: () = {
    assert!(std::mem::offset_of!(libc::ucontext_t, uc_mcontext) == UC_GREGS);
    assert!(std::mem::size_of::<libc::ucontext_t>() <= FAST_UC_SIZE);
    assert!(libc::REG_EFL == 17 && libc::REG_RIP == 16 && libc::REG_RSP == 15 && libc::REG_R8 == 0);
};

unsafe extern "C" {
    /// Signal entry for SIGSYS (Syscall User Dispatch).
    pub fn godfly_sigsys_entry(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void);
    /// Signal entry for synchronous faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP).
    pub fn godfly_fault_entry(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void);
    /// Signal entry for asynchronous signals aimed at the guest.
    pub fn godfly_async_entry(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void);
    static godfly_asm_start: u8;
    static godfly_asm_end: u8;
    static godfly_restorer_start: u8;
    static godfly_restorer_end: u8;
    static godfly_guest_access_start: u8;
    static godfly_guest_access_end: u8;
    static godfly_guest_access_fixup: u8;
    /// Enters guest code with `regs`; returns the value given to `godfly_leave_guest`.
    pub fn godfly_enter_guest(block: *mut ThreadBlock, regs: *const EntryRegs) -> u64;
    /// Abandons the current guest context and returns `value` from `godfly_enter_guest`.
    pub fn godfly_leave_guest(block: *mut ThreadBlock, value: u64) -> !;
    fn godfly_copy(dst: *mut u8, src: *const u8, len: usize) -> i64;
    /// Fast-path entry that rewritten system-call sites reach through a
    /// stub (with XSAVEOPT; `godfly_fast_entry_xsave` for CPUs without).
    pub fn godfly_fast_entry();
    fn godfly_fast_entry_xsave();
    fn godfly_fast_entry_lean();
    fn godfly_strnlen(src: *const u8, max: usize) -> i64;
    fn godfly_fast_clock();
    static godfly_fast_exit_check: u8;
    static godfly_fast_exit_lea: u8;
    static godfly_fast_exit_pop: u8;
    static godfly_fast_exit_ret: u8;
    static godfly_clock_check: u8;
    static godfly_clock_leave: u8;
    static godfly_clock_lea: u8;
    static godfly_clock_ret: u8;
    static godfly_clock_copy_start: u8;
    static godfly_clock_copy_end: u8;
    static godfly_clock_slow: u8;
    fn godfly_probe_write(addr: *mut u8) -> i64;
}

/// The address range Syscall User Dispatch always allows: the restorer
/// and godfly's own system-call routine (`host_syscall`), including the
/// byte after the last `syscall`, because the kernel checks the return
/// address.
pub fn restorer_range() -> (usize, usize) {
    let start = &raw const godfly_restorer_start as usize;
    let end = &raw const godfly_restorer_end as usize;
    (start, end - start)
}

/// Whether `rip` is inside godfly's own assembly (entry and exit sequences,
/// the restorer). A signal that lands there interrupted godfly, not the
/// guest, even when the guest `%fs` is already (or still) loaded.
pub fn in_godfly_asm(rip: u64) -> bool {
    let start = &raw const godfly_asm_start as u64;
    let end = &raw const godfly_asm_end as u64;
    (start..end).contains(&rip)
}

/// Address of the restorer, for `sa_restorer`.
pub fn restorer() -> usize {
    &raw const godfly_restorer_start as usize
}

/// If `rip` faulted inside a guest-memory access routine, the address to
/// resume at (which returns the fault marker).
pub fn guest_access_fixup(rip: u64) -> Option<u64> {
    let start = &raw const godfly_guest_access_start as u64;
    let end = &raw const godfly_guest_access_end as u64;
    (start..end).contains(&rip).then_some(&raw const godfly_guest_access_fixup as u64)
}

/// Copies `len` bytes; `false` if either side faulted.
///
/// # Safety
/// `dst..dst+len` must not overlap host memory that Rust considers borrowed
/// elsewhere; faults are recovered only with the fault handler installed.
pub unsafe fn copy_bytes(dst: *mut u8, src: *const u8, len: usize) -> bool {
    // SAFETY: the routine only reads src and writes dst; faults resume at the fixup.
    unsafe { godfly_copy(dst, src, len) == 0 }
}

/// Result of measuring a string in guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrLen {
    /// Length before the NUL.
    Len(usize),
    /// No NUL within the limit.
    TooLong,
    /// The memory could not be read.
    Fault,
}

/// Length of the NUL-terminated string at guest address `src`, looking at
/// no more than `max` bytes.
pub fn strnlen(src: u64, max: usize) -> StrLen {
    // SAFETY: reads bytes one by one; a fault resumes at the fixup and returns -2.
    let r = unsafe { godfly_strnlen(src as *const u8, max) };
    match r {
        -2 => StrLen::Fault,
        -1 => StrLen::TooLong,
        n => StrLen::Len(n as usize),
    }
}

/// Whether the byte at guest address `addr` can be stored to (it is left
/// unchanged, also with other threads writing it: the probe is atomic).
pub fn probe_write(addr: u64) -> bool {
    // SAFETY: a locked compare-and-exchange of the byte with itself; a
    // fault resumes at the fixup and returns -2.
    unsafe { godfly_probe_write(addr as *mut u8) == 0 }
}

/// Address of the fast-path entry.
pub fn fast_entry(xsaveopt: bool) -> u64 {
    if xsaveopt { godfly_fast_entry as *const () as u64 } else { godfly_fast_entry_xsave as *const () as u64 }
}

/// If `rip` faulted in the fast clock's store to the guest, where to
/// resume (the slow exit). That store runs with the guest's `%fs`, so the
/// fault arrives as the guest's and is looked up here first.
pub fn clock_copy_fixup(rip: u64) -> Option<u64> {
    let start = &raw const godfly_clock_copy_start as u64;
    let end = &raw const godfly_clock_copy_end as u64;
    (start..end).contains(&rip).then_some(&raw const godfly_clock_slow as u64)
}

/// How to finish a fast-path exit that a signal interrupted, so that the
/// signal is taken now and not at the thread's next system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitFix {
    /// Resume here: the exit runs again from its check, which takes the
    /// signal (the interrupted registers do not matter).
    Again(u64),
    /// Only `pop rax; ret` is left: rax is at rsp, rip above it.
    PopReturn,
    /// Only `ret` is left: rip is at rsp.
    Return,
    /// Only `lea -8(%rsp),%rsp; ret` is left: rip is just below rsp.
    ReturnBelow,
}

/// The fix for a signal that interrupted godfly's code at `rip`, if it
/// landed in a fast-path exit (`godfly_fast_exit`, the fast clock's).
pub fn exit_fix(rip: u64) -> Option<ExitFix> {
    let (check, lea, pop, ret) = (
        &raw const godfly_fast_exit_check as u64,
        &raw const godfly_fast_exit_lea as u64,
        &raw const godfly_fast_exit_pop as u64,
        &raw const godfly_fast_exit_ret as u64,
    );
    let (ccheck, cleave, clea, cret) = (
        &raw const godfly_clock_check as u64,
        &raw const godfly_clock_leave as u64,
        &raw const godfly_clock_lea as u64,
        &raw const godfly_clock_ret as u64,
    );
    if (check..=lea).contains(&rip) {
        Some(ExitFix::Again(check))
    } else if rip == pop {
        Some(ExitFix::PopReturn)
    } else if rip == ret || rip == cret {
        Some(ExitFix::Return)
    } else if (ccheck..=cleave).contains(&rip) {
        Some(ExitFix::Again(ccheck))
    } else if rip == clea {
        Some(ExitFix::ReturnBelow)
    } else {
        None
    }
}

/// Address of the lean fast-path entry, for sites in Go's own runtime and
/// syscall assembly (see `FAST_ENTRY`).
pub fn fast_entry_lean() -> u64 {
    godfly_fast_entry_lean as *const () as u64
}

/// Address of the fast clock entry (`godfly_fast_clock`).
pub fn fast_clock_entry() -> u64 {
    godfly_fast_clock as *const () as u64
}

/// Reads the current `%fs` base.
pub fn read_fs() -> u64 {
    let v: u64;
    // SAFETY: rdfsbase only reads a register; FSGSBASE is checked at start-up.
    unsafe { std::arch::asm!("rdfsbase {}", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_in_a_fast_exit_is_sent_back_to_its_check_or_finishes_the_return() {
        let check = &raw const godfly_fast_exit_check as u64;
        let lea = &raw const godfly_fast_exit_lea as u64;
        assert_eq!(exit_fix(check), Some(ExitFix::Again(check)));
        assert_eq!(exit_fix(check + 9), Some(ExitFix::Again(check)));
        assert_eq!(exit_fix(lea), Some(ExitFix::Again(check)), "before the lea the context is still there");
        assert_eq!(exit_fix(&raw const godfly_fast_exit_pop as u64), Some(ExitFix::PopReturn));
        assert_eq!(exit_fix(&raw const godfly_fast_exit_ret as u64), Some(ExitFix::Return));
        let ccheck = &raw const godfly_clock_check as u64;
        assert_eq!(exit_fix(ccheck), Some(ExitFix::Again(ccheck)));
        assert_eq!(exit_fix(&raw const godfly_clock_copy_start as u64), Some(ExitFix::Again(ccheck)));
        assert_eq!(exit_fix(&raw const godfly_clock_leave as u64), Some(ExitFix::Again(ccheck)));
        assert_eq!(exit_fix(&raw const godfly_clock_lea as u64), Some(ExitFix::ReturnBelow));
        assert_eq!(exit_fix(&raw const godfly_clock_ret as u64), Some(ExitFix::Return));
        // The entries themselves and the rest of godfly are not exits.
        assert_eq!(exit_fix(godfly_fast_clock as *const () as u64), None);
        assert_eq!(exit_fix(fast_entry(true)), None);
        assert_eq!(exit_fix(read_fs as *const () as u64), None);
        // Each exit lies inside godfly's assembly, where a signal is godfly's.
        assert!(in_godfly_asm(check) && in_godfly_asm(ccheck));
    }

    #[test]
    fn guest_copy_moves_every_length_exactly_and_no_byte_past_it() {
        let src: Vec<u8> = (0..200u32).map(|i| (i * 7 + 1) as u8).collect();
        for len in 0..=150 {
            for off in 0..3 {
                let mut dst = vec![0xeeu8; 200];
                // SAFETY: both buffers are live, distinct and long enough.
                assert!(unsafe { copy_bytes(dst.as_mut_ptr().add(off), src.as_ptr().add(off), len) });
                assert_eq!(&dst[off..off + len], &src[off..off + len], "length {len} at {off}");
                assert!(dst[..off].iter().chain(&dst[off + len..]).all(|&b| b == 0xee), "length {len} at {off}");
            }
        }
    }
}
