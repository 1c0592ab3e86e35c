//! Clocks, sleeping and interval timers.

use super::Errno;
use super::raw::{self, mut_ptr, ptr};

/// `clock_gettime` of a Linux clock (through the vDSO).
pub fn clock_gettime(clock: libc::clockid_t) -> Result<libc::timespec, Errno> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec; glibc uses the vDSO.
    let r = unsafe { libc::clock_gettime(clock, &mut ts) };
    if r != 0 { Err(Errno::last()) } else { Ok(ts) }
}

/// `clock_getres` of a Linux clock.
pub fn clock_getres(clock: libc::clockid_t) -> Result<libc::timespec, Errno> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a writable host timespec.
    unsafe { raw::sys(libc::SYS_clock_getres, &[clock as u64, mut_ptr(&mut ts)]) }?;
    Ok(ts)
}

/// `nanosleep`; on EINTR the time left comes back with the error.
pub fn nanosleep(req: &libc::timespec) -> Result<(), (Errno, libc::timespec)> {
    let mut rem = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: req and rem are live host timespecs.
    match unsafe { raw::sys_blocking(libc::SYS_nanosleep, &[ptr(req), mut_ptr(&mut rem)]) } {
        Ok(_) => Ok(()),
        Err(e) => Err((e, rem)),
    }
}

/// `getitimer` (ITIMER_REAL/VIRTUAL/PROF are 0/1/2 everywhere).
pub fn getitimer(which: u32) -> Result<libc::itimerval, Errno> {
    let mut cur = libc::itimerval {
        it_interval: libc::timeval { tv_sec: 0, tv_usec: 0 },
        it_value: libc::timeval { tv_sec: 0, tv_usec: 0 },
    };
    // SAFETY: cur is a writable host itimerval.
    unsafe { raw::sys(libc::SYS_getitimer, &[u64::from(which), mut_ptr(&mut cur)]) }?;
    Ok(cur)
}

/// `setitimer` (the old value is not asked for).
pub fn setitimer(which: u32, new: &libc::itimerval) -> Result<(), Errno> {
    // SAFETY: new is a live host itimerval.
    unsafe { raw::sys(libc::SYS_setitimer, &[u64::from(which), ptr(new), 0]) }.map(|_| ())
}

/// Address of the vDSO's `clock_gettime` in this process (found once):
/// what the fast path's clock stubs call, with no system call and no
/// context build. `None` without a vDSO or without that symbol, or before
/// `init_vdso`.
pub fn vdso_clock_gettime() -> Option<u64> {
    VDSO_CLOCK.get().copied().flatten().map(|v| v.clock)
}

/// Whether `rip` is in the vDSO's image (code godfly's fast clock runs
/// with the guest's `%fs` loaded; never the guest's own).
pub fn in_vdso(rip: u64) -> bool {
    VDSO_CLOCK.get().copied().flatten().is_some_and(|v| (v.start..v.end).contains(&rip))
}

#[derive(Debug, Clone, Copy)]
struct Vdso {
    clock: u64,
    start: u64,
    end: u64,
}

static VDSO_CLOCK: crate::sync::Startup<Option<Vdso>> = crate::sync::Startup::new();

/// Looks the vDSO's clock up (once, at start-up).
pub fn init_vdso() {
    let _ = VDSO_CLOCK.set(find_vdso_clock());
}

fn find_vdso_clock() -> Option<Vdso> {
    // SAFETY: getauxval only reads the process's auxiliary vector.
    let base = unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) };
    if base == 0 {
        return None;
    }
    // The image ends with its section headers: e_shoff + e_shnum * e_shentsize.
    // SAFETY: the kernel maps at least the ELF header at AT_SYSINFO_EHDR.
    let hdr = unsafe { &*(base as *const libc::Elf64_Ehdr) };
    let len = (hdr.e_shoff as usize).checked_add(usize::from(hdr.e_shnum) * usize::from(hdr.e_shentsize))?;
    if len > 1 << 20 {
        return None;
    }
    // SAFETY: the vDSO image is mapped readable for the life of the process,
    // and the section headers the header points at lie within it.
    let image = unsafe { std::slice::from_raw_parts(base as *const u8, len) };
    let value = dynamic_symbol(image, b"__vdso_clock_gettime")?;
    // vDSO symbol values are offsets from the image's load address.
    Some(Vdso { clock: base + value, start: base, end: base + len as u64 })
}

/// The value of dynamic symbol `name` in an ELF64 image. Names are
/// compared in place: `object`'s name lookup finds their ends with
/// `memchr`, whose first use costs a round of CPUID (some 100 us on a
/// virtual machine that traps it) at every start.
fn dynamic_symbol(image: &[u8], name: &[u8]) -> Option<u64> {
    use object::read::elf::{FileHeader, SectionHeader, Sym};
    let endian = object::Endianness::Little;
    let header = object::elf::FileHeader64::<object::Endianness>::parse(image).ok()?;
    let sections = header.sections(endian, image).ok()?;
    let syms = sections.symbols(endian, image, object::elf::SHT_DYNSYM).ok()?;
    let names = sections.section(syms.string_section()).ok()?.data(endian, image).ok()?;
    let sym = syms.symbols().iter().find(|s| {
        let at = s.st_name(endian) as usize;
        names.get(at..at + name.len()) == Some(name) && names.get(at + name.len()) == Some(&0)
    })?;
    Some(sym.st_value(endian))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_vdso_clock_is_found_and_answers() {
        super::init_vdso();
        let f = super::vdso_clock_gettime().expect("a Linux x86-64 host has a vDSO clock_gettime");
        let call: extern "C" fn(libc::clockid_t, *mut libc::timespec) -> i32 =
            // SAFETY: the address is the vDSO's clock_gettime, of this C type.
            unsafe { std::mem::transmute(f as usize) };
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        assert_eq!(call(libc::CLOCK_MONOTONIC, &mut ts), 0);
        let host = super::clock_gettime(libc::CLOCK_MONOTONIC).unwrap();
        assert!(ts.tv_sec <= host.tv_sec && host.tv_sec - ts.tv_sec < 2);
    }
}
