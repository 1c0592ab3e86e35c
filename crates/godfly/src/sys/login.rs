//! The session's login name: `getlogin`, `setlogin`. The BSD kernels
//! keep it in the session (`s_login`, MAXLOGNAME 33 bytes with the NUL),
//! set by `login`/`sshd` with setlogin and copied into every new session.
//! Linux keeps no such name; its closest fact is the audit login uid
//! (`/proc/self/loginuid`, set by pam_loginuid at login), so a program
//! starts with that user's name, or none when no login set it. A
//! setlogin holds for this process and every process it starts; other
//! processes already in the session do not see it.

use std::sync::Arc;

use crate::call::{Args, SysResult, ok};
use crate::host::errno::{EINVAL, ENAMETOOLONG, EPERM};
use crate::host::proc as hproc;
use crate::mem;
use crate::sync::Global;
use crate::thread::Ctx;

/// `MAXLOGNAME`, the NUL included (the same on DragonFly and FreeBSD).
pub const MAXLOGNAME: usize = 33;

/// The name, once read or set.
static LOGIN: Global<Option<Arc<[u8]>>> = Global::new(50, None);
/// Whether setlogin was called in this process or an ancestor: only then
/// does the name travel across `execve`.
static SET: Global<bool> = Global::new(51, false);

/// The user name of `uid` in a passwd file's text.
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let id: u32 = f.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

/// The name a program starts with: one carried across `execve`, else the
/// login uid's user name, else none.
fn initial() -> Vec<u8> {
    if let Some(v) = std::env::var_os(crate::env::LOGIN) {
        *SET.lock() = true;
        return std::os::unix::ffi::OsStrExt::as_bytes(v.as_os_str()).to_vec();
    }
    let uid = std::fs::read_to_string("/proc/self/loginuid").ok().and_then(|s| s.trim().parse::<u32>().ok());
    let name = uid
        .filter(|&u| u != u32::MAX)
        .and_then(|u| user_name(&std::fs::read_to_string("/etc/passwd").unwrap_or_default(), u));
    let mut n = name.unwrap_or_default().into_bytes();
    n.truncate(MAXLOGNAME - 1);
    n
}

/// The current login name (without a NUL).
pub fn current() -> Arc<[u8]> {
    let mut g = LOGIN.lock();
    g.get_or_insert_with(|| Arc::from(initial())).clone()
}

/// The environment entry that carries a name setlogin gave across
/// `execve`, if one did.
pub fn child_env() -> Option<Vec<u8>> {
    if !*SET.lock() {
        return None;
    }
    Some(crate::env::entry(crate::env::LOGIN, &current()))
}

/// `getlogin(namebuf, namelen)`: `namelen` bytes (at most MAXLOGNAME) of
/// the name, zero-padded; 0.
pub fn getlogin(_: &mut Ctx, a: &Args) -> SysResult {
    let len = a.usize(1).min(MAXLOGNAME);
    let mut buf = [0u8; MAXLOGNAME];
    let name = current();
    let n = name.len().min(MAXLOGNAME - 1);
    buf[..n].copy_from_slice(&name[..n]);
    mem::write_bytes(a.ptr(0), &buf[..len])?;
    ok(0u64)
}

/// `setlogin(name)`: root only (EPERM); a name of 33 bytes or more is
/// EINVAL.
pub fn setlogin(_: &mut Ctx, a: &Args) -> SysResult {
    if hproc::geteuid() != 0 {
        return Err(EPERM);
    }
    let name = match mem::read_cstr(a.ptr(0), MAXLOGNAME - 1) {
        Err(ENAMETOOLONG) => return Err(EINVAL),
        r => r?,
    };
    *LOGIN.lock() = Some(Arc::from(name.into_bytes()));
    *SET.lock() = true;
    ok(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_uid_names_its_passwd_entry() {
        let pw = "root:x:0:0:root:/root:/bin/sh\n#c\nbob:x:1000:1000::/home/bob:/bin/sh\n";
        assert_eq!(user_name(pw, 1000).as_deref(), Some("bob"));
        assert_eq!(user_name(pw, 0).as_deref(), Some("root"));
        assert_eq!(user_name(pw, 7), None);
    }
}
