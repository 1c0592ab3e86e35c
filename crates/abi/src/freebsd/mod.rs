//! FreeBSD x86-64: generated numbers (`generated/`, from `shared/freebsd/`).
//! The hand-written layouts come with the FreeBSD personality.

#[allow(missing_docs, non_upper_case_globals, clippy::all)]
#[rustfmt::skip]
pub mod generated {
    pub mod consts;
    pub mod errno;
    pub mod signal;
    pub mod syscalls;
}

pub use generated::{consts, errno, signal, syscalls};
