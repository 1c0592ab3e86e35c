//! The x86-64 extended register state (XSAVE) as godfly keeps it for guest
//! threads: which components the host saves for this process, how large
//! the standard-format image is, and the pure layout rules for reading,
//! merging and sanitising images that come back from guest memory.
//!
//! An image is the standard (non-compacted) XSAVE format: the 512-byte
//! legacy area (x87, MXCSR, XMM0-15; bytes 464..512 are left to software,
//! where Linux describes the extended state), the 64-byte header
//! (XSTATE_BV, XCOMP_BV, reserved) and each enabled component at the offset
//! CPUID leaf 0xD gives for it.

/// Size of the legacy (FXSAVE) area.
pub const LEGACY: usize = 512;
/// Where the XSAVE header starts.
pub const HEADER: usize = 512;
/// Size of the header.
pub const HEADER_LEN: usize = 64;
/// Where software may keep its own bytes in the legacy area.
pub const SW_BYTES: usize = 464;
/// Linux's `FP_XSTATE_MAGIC1`: the legacy area's software bytes describe
/// an extended state that follows.
pub const MAGIC1: u32 = 0x4650_5853;
/// Offset of MXCSR and MXCSR_MASK in the legacy area.
pub const MXCSR: usize = 24;
pub const MXCSR_MASK: usize = 28;
/// The lean fast entry's mark in the legacy area's software bytes (past
/// Linux's description, which ends at 484): an image that holds no
/// register, every component initial, and whether godfly wrote it since.
pub const LEAN_MARK: usize = 484;
pub const LEAN_MAGIC: u32 = 0x4e41_454c;
pub const LEAN_WRITTEN: usize = 488;
// Past Linux's 20 bytes of description, inside the legacy area.
const _: () = assert!(LEAN_MARK >= SW_BYTES + 20 && LEAN_WRITTEN + 4 <= LEGACY);

/// Components: x87, SSE, AVX (YMM upper halves).
pub const X87: u64 = 1;
pub const SSE: u64 = 2;
pub const AVX: u64 = 4;
/// The offset and size of the AVX component (fixed by the architecture).
pub const AVX_OFFSET: usize = 576;
pub const AVX_LEN: usize = 256;
/// MXCSR bits every CPU with SSE2 accepts when it reports mask 0.
const DEFAULT_MXCSR_MASK: u32 = 0xffbf;

/// What godfly saves for a guest thread: the components (the bits of
/// XCR0 this process may use) and the standard-format size they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    pub features: u64,
    pub size: usize,
    /// Whether the CPU has XSAVEOPT (which writes only what changed since
    /// the last XRSTOR from the same image).
    pub xsaveopt: bool,
}

/// CPUID leaf `leaf`, subleaf `sub`: (eax, ebx, ecx, edx).
fn cpuid(leaf: u32, sub: u32) -> (u32, u32, u32, u32) {
    let r = std::arch::x86_64::__cpuid_count(leaf, sub);
    (r.eax, r.ebx, r.ecx, r.edx)
}

/// XCR0, or `None` without XSAVE enabled by the OS (CPUID.1:ECX.OSXSAVE).
pub fn xcr0() -> Option<u64> {
    if cpuid(1, 0).2 & (1 << 27) == 0 {
        return None;
    }
    let (lo, hi): (u32, u32);
    // SAFETY: XGETBV with ECX=0 reads XCR0; OSXSAVE says it is allowed.
    unsafe { std::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    Some(u64::from(hi) << 32 | u64::from(lo))
}

/// The standard-format size an image of `features` needs: the end of the
/// highest component (CPUID.(0xD, i): EAX size, EBX offset).
pub fn size_of(features: u64) -> usize {
    let mut end = LEGACY + HEADER_LEN;
    for i in 2..64 {
        if features & (1 << i) != 0 {
            let (size, offset, _, _) = cpuid(0xd, i);
            end = end.max(offset as usize + size as usize);
        }
    }
    end
}

/// The layout for `features` (the caller masks XCR0 with what the kernel
/// lets this process use). All of XCR0 is the common case, and its size
/// is one CPUID (leaf 0xD's EBX), not one per component: each CPUID
/// costs some 10 us on a virtual machine that traps it.
pub fn info(features: u64, xcr0: u64) -> Info {
    let size = if features == xcr0 { (cpuid(0xd, 0).1 as usize).max(LEGACY + HEADER_LEN) } else { size_of(features) };
    Info { features, size, xsaveopt: cpuid(0xd, 1).0 & 1 != 0 }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_ne_bytes)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_ne_bytes)
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    if let Some(s) = b.get_mut(at..at + 4) {
        s.copy_from_slice(&v.to_ne_bytes());
    }
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    if let Some(s) = b.get_mut(at..at + 8) {
        s.copy_from_slice(&v.to_ne_bytes());
    }
}

/// What a host context's FPU area holds, from Linux's software bytes:
/// (features, image size). Without the magic only the legacy area.
pub fn described(legacy: &[u8]) -> (u64, usize) {
    if u32_at(legacy, SW_BYTES) == MAGIC1 {
        let features = u64_at(legacy, SW_BYTES + 8);
        let size = u32_at(legacy, SW_BYTES + 16) as usize;
        if (LEGACY + HEADER_LEN..=1 << 20).contains(&size) {
            return (features, size);
        }
    }
    (X87 | SSE, LEGACY)
}

/// Writes Linux's software bytes for an image of `info` (what the fast
/// path's own area carries, so it reads like a kernel signal frame's).
pub fn describe(image: &mut [u8], info: Info) {
    put_u32(image, SW_BYTES, MAGIC1);
    put_u32(image, SW_BYTES + 4, info.size as u32 + 4);
    put_u64(image, SW_BYTES + 8, info.features);
    put_u32(image, SW_BYTES + 16, info.size as u32);
}

/// The XSTATE_BV field of an image (which components it holds; a clear bit
/// means the component is in its initial state).
pub fn xstate_bv(image: &[u8]) -> u64 {
    u64_at(image, HEADER)
}

/// Sets XSTATE_BV.
pub fn set_xstate_bv(image: &mut [u8], v: u64) {
    put_u64(image, HEADER, v);
}

/// Makes an image that came from guest memory safe to restore on this CPU
/// with `features` enabled: XSTATE_BV within them, a standard-format header
/// (XCOMP_BV and the reserved bytes zero) and MXCSR within the CPU's
/// MXCSR_MASK (`host_mask`, from the host's own image). Restoring an image
/// that breaks any of these faults (#GP) in XRSTOR.
pub fn sanitize(image: &mut [u8], features: u64, host_mask: u32) {
    let mask = if host_mask == 0 { DEFAULT_MXCSR_MASK } else { host_mask };
    let mxcsr = u32_at(image, MXCSR) & mask;
    put_u32(image, MXCSR, mxcsr);
    put_u32(image, MXCSR_MASK, host_mask);
    if image.len() >= HEADER + HEADER_LEN {
        let bv = xstate_bv(image) & features;
        image[HEADER..HEADER + HEADER_LEN].fill(0);
        set_xstate_bv(image, bv);
    }
}

/// The host's MXCSR_MASK (what FXSAVE reports; 0 means the default).
pub fn host_mxcsr_mask() -> u32 {
    #[repr(C, align(64))]
    struct Area([u8; 512]);
    let mut area = Area([0; 512]);
    // SAFETY: FXSAVE writes 512 bytes to a 16-byte-aligned area; SSE2 is
    // part of x86-64.
    unsafe { std::arch::x86_64::_fxsave64(area.0.as_mut_ptr()) };
    u32_at(&area.0, MXCSR_MASK)
}

/// If `legacy` is a lean image (`LEAN_MARK`), clears its register areas
/// (they hold nothing) and marks it written, so the way out restores it
/// whole. Returns whether it was one.
pub fn take_lean(image: &mut [u8]) -> bool {
    if image.len() < LEGACY || u32_at(image, LEAN_MARK) != LEAN_MAGIC {
        return false;
    }
    // x87 registers and XMM0-15: 32..416.
    image[32..416].fill(0);
    put_u32(image, LEAN_WRITTEN, 1);
    true
}

/// MXCSR_MASK of a host image.
pub fn mxcsr_mask(image: &[u8]) -> u32 {
    u32_at(image, MXCSR_MASK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_images_are_made_safe_to_restore() {
        let mut img = vec![0xffu8; 1024];
        sanitize(&mut img, X87 | SSE | AVX, 0xffff);
        assert_eq!(u32_at(&img, MXCSR), 0xffff);
        assert_eq!(xstate_bv(&img), X87 | SSE | AVX);
        assert!(img[HEADER + 8..HEADER + HEADER_LEN].iter().all(|&b| b == 0), "XCOMP_BV and reserved cleared");
        assert_eq!(&img[AVX_OFFSET..AVX_OFFSET + 4], &[0xff; 4], "register contents kept");
        let mut legacy = vec![0xffu8; LEGACY];
        sanitize(&mut legacy, X87 | SSE, 0);
        assert_eq!(u32_at(&legacy, MXCSR), DEFAULT_MXCSR_MASK);
    }

    #[test]
    fn a_lean_image_is_filled_in_and_marked_written_when_taken() {
        let mut img = vec![0xaau8; 1024];
        assert!(!take_lean(&mut img), "no mark: not lean");
        assert!(img.iter().all(|&b| b == 0xaa));
        put_u32(&mut img, LEAN_MARK, LEAN_MAGIC);
        put_u32(&mut img, LEAN_WRITTEN, 0);
        assert!(take_lean(&mut img));
        assert!(img[32..416].iter().all(|&b| b == 0), "registers hold nothing");
        assert_eq!(u32_at(&img, LEAN_WRITTEN), 1);
        assert_eq!(&img[..32], &[0xaa; 32], "control words stay");
    }

    #[test]
    fn linux_software_bytes_describe_the_image() {
        let mut img = vec![0u8; 2816];
        assert_eq!(described(&img), (X87 | SSE, LEGACY));
        describe(&mut img, Info { features: 0x200e7, size: 2816, xsaveopt: true });
        assert_eq!(described(&img), (0x200e7, 2816));
    }

    #[test]
    fn the_avx_component_is_where_the_architecture_puts_it() {
        if xcr0().is_some_and(|x| x & AVX != 0) {
            assert_eq!(cpuid(0xd, 2).1 as usize, AVX_OFFSET);
            assert_eq!(cpuid(0xd, 2).0 as usize, AVX_LEN);
            assert!(size_of(X87 | SSE | AVX) >= AVX_OFFSET + AVX_LEN);
            let all = xcr0().unwrap();
            assert_eq!(info(all, all).size, size_of(all), "leaf 0xD's size for XCR0 is the components' end");
        }
    }
}
