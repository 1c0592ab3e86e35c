//! FreeBSD's extended attributes, `extattr_{set,get,delete,list}_{file,
//! link,fd}`, on Linux's xattrs. FreeBSD names an attribute by namespace
//! and name; Linux by one prefixed name: the user namespace is Linux's
//! `user.`, the system namespace (privileged on both) its `trusted.`.
//! Lists are FreeBSD's: each name a length byte and the name, without the
//! prefix or a NUL. A value or list too small a buffer is given is cut,
//! as UFS's `uiomove` cuts it. Linux holds at most 64 KiB a value; a larger
//! one is E2BIG. Linux refuses user attributes on symlinks (EPERM), which
//! FreeBSD's UFS allows.

use std::ffi::CString;

use crate::call::{Args, SysResult, ok};
use crate::host::Errno;
use crate::host::errno::{E2BIG, EINVAL};
use crate::host::fs::{self, XattrOn};
use crate::mem;
use crate::thread::Ctx;

/// EXTATTR_NAMESPACE_USER and _SYSTEM (`sys/extattr.h`).
const NS_USER: i32 = 1;
const NS_SYSTEM: i32 = 2;
/// EXTATTR_MAXNAMELEN (NAME_MAX).
const MAXNAMELEN: usize = 255;
/// Linux's XATTR_SIZE_MAX and XATTR_LIST_MAX.
const XATTR_MAX: usize = 65536;

/// The Linux prefix of a FreeBSD namespace.
pub fn prefix(ns: i32) -> Result<&'static str, Errno> {
    match ns {
        NS_USER => Ok("user."),
        NS_SYSTEM => Ok("trusted."),
        _ => Err(EINVAL),
    }
}

/// The Linux name of attribute `name` in namespace `ns` (an empty name is
/// EINVAL, as `extattr_set_vp` has it).
pub fn linux_name(ns: i32, name: &[u8]) -> Result<CString, Errno> {
    let p = prefix(ns)?;
    if name.is_empty() {
        return Err(EINVAL);
    }
    CString::new([p.as_bytes(), name].concat()).map_err(|_| EINVAL)
}

/// A Linux name list (NUL-terminated, prefixed names) as FreeBSD's list
/// of namespace `ns`: the names with that prefix, each after its length.
pub fn list_from_linux(names: &[u8], ns: i32) -> Result<Vec<u8>, Errno> {
    let p = prefix(ns)?.as_bytes();
    let mut out = Vec::new();
    for n in names.split(|&b| b == 0) {
        if let Some(rest) = n.strip_prefix(p)
            && !rest.is_empty()
            && rest.len() <= MAXNAMELEN
        {
            out.push(rest.len() as u8);
            out.extend_from_slice(rest);
        }
    }
    Ok(out)
}

/// Which form of a call: by path, by path without following, or by fd.
#[derive(Debug, Clone, Copy)]
enum Form {
    File,
    Link,
    Fd,
}

/// The call's target, argument 0: a path, or a descriptor.
fn target(a: &Args, form: Form) -> Result<(Option<CString>, i32), Errno> {
    match form {
        Form::Fd => Ok((None, a.int(0))),
        Form::File | Form::Link => Ok((Some(mem::read_path(a.ptr(0))?), -1)),
    }
}

fn on<'a>(form: Form, path: &'a Option<CString>, fd: i32) -> XattrOn<'a> {
    match (form, path) {
        (Form::File, Some(p)) => XattrOn::Path(p),
        (Form::Link, Some(p)) => XattrOn::Link(p),
        _ => XattrOn::Fd(fd),
    }
}

fn attr_name(a: &Args) -> Result<CString, Errno> {
    let ns = a.int(1);
    prefix(ns)?;
    let name = mem::read_cstr(a.ptr(2), MAXNAMELEN + 1)?;
    linux_name(ns, name.as_bytes())
}

/// Copies what fits of `data` into the guest's buffer (`buf`, `room`
/// bytes; a NULL buffer asks the size) and returns the count.
fn give(data: &[u8], buf: u64, room: usize) -> SysResult {
    if buf == 0 {
        return ok(data.len() as u64);
    }
    let n = data.len().min(room);
    mem::write_bytes(buf, &data[..n])?;
    ok(n as u64)
}

fn set(a: &Args, form: Form) -> SysResult {
    let (path, fd) = target(a, form)?;
    let name = attr_name(a)?;
    let len = a.usize(4);
    if len > XATTR_MAX {
        return Err(E2BIG);
    }
    let value = mem::read_bytes(a.ptr(3), len)?;
    fs::setxattr(on(form, &path, fd), &name, &value)?;
    ok(len as u64)
}

fn get(a: &Args, form: Form) -> SysResult {
    let (path, fd) = target(a, form)?;
    let name = attr_name(a)?;
    let mut buf = vec![0u8; XATTR_MAX];
    let n = fs::getxattr(on(form, &path, fd), &name, &mut buf)?;
    give(&buf[..n], a.ptr(3), a.usize(4))
}

fn delete(a: &Args, form: Form) -> SysResult {
    let (path, fd) = target(a, form)?;
    let name = attr_name(a)?;
    fs::removexattr(on(form, &path, fd), &name)?;
    ok(0u64)
}

fn list(a: &Args, form: Form) -> SysResult {
    let (path, fd) = target(a, form)?;
    let ns = a.int(1);
    prefix(ns)?;
    let mut buf = vec![0u8; XATTR_MAX];
    let n = fs::listxattr(on(form, &path, fd), &mut buf)?;
    give(&list_from_linux(&buf[..n], ns)?, a.ptr(2), a.usize(3))
}

/// `extattr_set_file(path, attrnamespace, attrname, data, nbytes)`, 356.
pub fn set_file(_: &mut Ctx, a: &Args) -> SysResult {
    set(a, Form::File)
}
/// `extattr_get_file(path, attrnamespace, attrname, data, nbytes)`, 357.
pub fn get_file(_: &mut Ctx, a: &Args) -> SysResult {
    get(a, Form::File)
}
/// `extattr_delete_file(path, attrnamespace, attrname)`, 358.
pub fn delete_file(_: &mut Ctx, a: &Args) -> SysResult {
    delete(a, Form::File)
}
/// `extattr_set_fd(fd, attrnamespace, attrname, data, nbytes)`, 371.
pub fn set_fd(_: &mut Ctx, a: &Args) -> SysResult {
    set(a, Form::Fd)
}
/// `extattr_get_fd(fd, attrnamespace, attrname, data, nbytes)`, 372.
pub fn get_fd(_: &mut Ctx, a: &Args) -> SysResult {
    get(a, Form::Fd)
}
/// `extattr_delete_fd(fd, attrnamespace, attrname)`, 373.
pub fn delete_fd(_: &mut Ctx, a: &Args) -> SysResult {
    delete(a, Form::Fd)
}
/// `extattr_set_link(path, attrnamespace, attrname, data, nbytes)`, 412.
pub fn set_link(_: &mut Ctx, a: &Args) -> SysResult {
    set(a, Form::Link)
}
/// `extattr_get_link(path, attrnamespace, attrname, data, nbytes)`, 413.
pub fn get_link(_: &mut Ctx, a: &Args) -> SysResult {
    get(a, Form::Link)
}
/// `extattr_delete_link(path, attrnamespace, attrname)`, 414.
pub fn delete_link(_: &mut Ctx, a: &Args) -> SysResult {
    delete(a, Form::Link)
}
/// `extattr_list_fd(fd, attrnamespace, data, nbytes)`, 437.
pub fn list_fd(_: &mut Ctx, a: &Args) -> SysResult {
    list(a, Form::Fd)
}
/// `extattr_list_file(path, attrnamespace, data, nbytes)`, 438.
pub fn list_file(_: &mut Ctx, a: &Args) -> SysResult {
    list(a, Form::File)
}
/// `extattr_list_link(path, attrnamespace, data, nbytes)`, 439.
pub fn list_link(_: &mut Ctx, a: &Args) -> SysResult {
    list(a, Form::Link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_linux_prefixes_and_others_are_einval() {
        assert_eq!(linux_name(NS_USER, b"test").unwrap().as_bytes(), b"user.test");
        assert_eq!(linux_name(NS_SYSTEM, b"x").unwrap().as_bytes(), b"trusted.x");
        assert_eq!(linux_name(0, b"x"), Err(EINVAL), "EXTATTR_NAMESPACE_EMPTY");
        assert_eq!(linux_name(3, b"x"), Err(EINVAL));
        assert_eq!(linux_name(NS_USER, b""), Err(EINVAL));
    }

    #[test]
    fn a_list_has_one_namespace_each_name_after_its_length() {
        let linux = b"user.a\0trusted.sys\0security.selinux\0user.bcd\0";
        assert_eq!(list_from_linux(linux, NS_USER).unwrap(), b"\x01a\x03bcd");
        assert_eq!(list_from_linux(linux, NS_SYSTEM).unwrap(), b"\x03sys");
        assert_eq!(list_from_linux(b"", NS_USER).unwrap(), b"");
        assert_eq!(list_from_linux(linux, 7), Err(EINVAL));
    }
}
