//! godfly's global allocator: the system allocator, except that a failed
//! allocation ends the process with an internal-error report and status
//! 70 instead of Rust's bare abort (SIGABRT, status 134, which a guest
//! could also produce). No allocation is sized by a guest value, so one
//! failing means the host is out of memory: the report is written from a
//! fixed buffer, without allocating.

use std::alloc::{GlobalAlloc, Layout, System};

/// Exit status of an internal error (`crash::internal::INTERNAL_ERROR_STATUS`).
const STATUS: i32 = 70;

/// The allocator (installed in `lib.rs`).
#[derive(Debug)]
pub struct Guarded;

// SAFETY: every call is forwarded to the system allocator with the same
// arguments; a null result never returns (the process ends).
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            failed(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for alloc.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            failed(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for alloc; ptr came from this allocator with layout.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            failed(new_size);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from this allocator with layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// A `fmt::Write` into a fixed buffer (what does not fit is dropped).
struct Fixed {
    buf: [u8; 256],
    len: usize,
}

impl std::fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// The report's text for a failed allocation of `size` bytes.
fn message(size: usize) -> Fixed {
    use std::fmt::Write as _;
    let mut m = Fixed { buf: [0; 256], len: 0 };
    let _ = write!(
        m,
        "godfly internal error: out of memory: an allocation of {size} bytes failed\n  This is a bug or a limit in godfly {}, not in the guest program.\n",
        env!("CARGO_PKG_VERSION")
    );
    m
}

#[cold]
fn failed(size: usize) -> ! {
    let m = message(size);
    super::out::write_all(super::out::report_fd(), &m.buf[..m.len]);
    super::proc::exit_group(STATUS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_out_of_memory_report_is_an_internal_error() {
        let m = message(1 << 36);
        let text = std::str::from_utf8(&m.buf[..m.len]).unwrap();
        assert!(text.starts_with("godfly internal error: out of memory: an allocation of 68719476736 bytes failed\n"));
        assert!(text.ends_with("not in the guest program.\n"), "{text}");
    }
}
