//! Routing sockets (`socket(PF_ROUTE, SOCK_RAW, family)`), which Linux
//! does not have. The guest's descriptor is one end of a host datagram
//! socket pair; godfly holds the other. A message the guest writes
//! (write(2) on the descriptor; anything else that reaches godfly's end,
//! such as sendmsg or a dup'd descriptor, a moment later) is answered by
//! the personality's `route_output` from the host's tables, and the
//! reply goes to every routing socket of the process whose family it
//! fits, the writer's too (SO_USELOOPBACK is on by default). A helper
//! thread listens to the host's rtnetlink groups and, on a change,
//! compares the tables with the last ones it saw and sends the
//! personality's change messages (RTM_ADD, RTM_DELETE, RTM_NEWADDR,
//! RTM_DELADDR, RTM_IFINFO, RTM_IFANNOUNCE). So the descriptor reads,
//! polls and takes kqueue filters as a socket does.
//!
//! Changes closer together than the helper's look at the tables (it
//! waits 20 ms for a burst of notices to settle) arrive as their net
//! effect. The process that opened a routing socket answers for it: a forked
//! child's copies share the parent's queue (as a BSD socket is shared),
//! and a program started by exec gets a plain socket.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::call::{SysResult, ok, ok_int};
use crate::host::errno::{EMSGSIZE, EPROTONOSUPPORT};
use crate::host::{Errno, fd as hfd, net, out, proc as hproc};
use crate::mem;
use crate::personality;
use crate::sync::Global;

/// The most a routing message may be: the socket's send buffer on
/// DragonFly (`route_usrreqs`, RAWSNDQ 8192); a longer write is EMSGSIZE.
pub const MAX_MSG: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sock {
    /// godfly's end of the pair.
    peer: i32,
    /// The guest family it listens to (0: all).
    proto: i32,
}

/// This process's routing sockets by guest descriptor (copies share a
/// `peer`).
static SOCKS: Global<BTreeMap<i32, Sock>> = Global::new(62, BTreeMap::new());
static ANY: AtomicBool = AtomicBool::new(false);
/// Whether this process's helper thread runs.
static PUMP: AtomicBool = AtomicBool::new(false);

/// Whether guest descriptor `fd` is a routing socket of this process.
pub fn is_route(fd: i32) -> bool {
    ANY.load(Ordering::Relaxed) && SOCKS.lock().contains_key(&fd)
}

/// `socket(PF_ROUTE, ty, proto)`: `ty_flags` are the Linux SOCK_CLOEXEC
/// and SOCK_NONBLOCK bits the guest asked for; `proto` the guest family
/// to hear (0 for all). Only SOCK_RAW exists (EPROTONOSUPPORT else).
pub fn open(raw: bool, ty_flags: i32, proto: i32) -> SysResult {
    if !raw {
        return Err(EPROTONOSUPPORT);
    }
    let flags = ty_flags & (libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK);
    let [guest, mine] = net::socketpair(libc::AF_UNIX, libc::SOCK_SEQPACKET | flags, 0)?;
    // godfly's end: close-on-exec and never blocking, whatever the guest asked.
    let _ = hfd::fcntl_int(mine, libc::F_SETFD, i64::from(libc::FD_CLOEXEC));
    let fl = hfd::fcntl_int(mine, libc::F_GETFL, 0).unwrap_or(0) as i64;
    let _ = hfd::fcntl_int(mine, libc::F_SETFL, fl | i64::from(libc::O_NONBLOCK));
    out::add_internal_fd(mine);
    start_pump();
    let mut s = SOCKS.lock();
    s.insert(guest, Sock { peer: mine, proto });
    ANY.store(true, Ordering::Relaxed);
    ok_int(guest)
}

/// A copy `to` of descriptor `from` was made (dup, dup2, fcntl): if
/// `from` is a routing socket, so is `to`.
pub fn dup(from: i32, to: i32) {
    if !ANY.load(Ordering::Relaxed) {
        return;
    }
    let mut s = SOCKS.lock();
    if let Some(&sock) = s.get(&from) {
        s.insert(to, sock);
    }
}

/// Guest descriptor `fd` is closed (or replaced): it is no routing socket
/// any more. godfly's end stays for the other copies; the helper closes
/// it when the last one goes.
pub fn fd_closed(fd: i32) {
    if ANY.load(Ordering::Relaxed) {
        SOCKS.lock().remove(&fd);
    }
}

/// Every descriptor from `low` up is closed (`closefrom`).
pub fn fds_closed_from(low: i32) {
    if ANY.load(Ordering::Relaxed) {
        let mut s = SOCKS.lock();
        let _ = s.split_off(&low);
    }
}

/// In a forked child: the sockets are the parent's to answer for.
pub fn after_fork() {
    SOCKS.lock().clear();
    ANY.store(false, Ordering::Relaxed);
    PUMP.store(false, Ordering::Relaxed);
}

/// Sends `msg` of guest family `fam` to every routing socket that hears
/// it, once per socket (copies share an end). A full queue drops the
/// message, as a BSD socket buffer does; a socket whose guest side is
/// gone is the helper's to close.
fn broadcast(fam: i32, msg: &[u8]) {
    let s = SOCKS.lock();
    let mut sent: Vec<i32> = Vec::new();
    for sock in s.values() {
        if (sock.proto != 0 && fam != 0 && fam != sock.proto) || sent.contains(&sock.peer) {
            continue;
        }
        sent.push(sock.peer);
        let _ = net::send_host(sock.peer, msg, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL);
    }
}

/// Answers one message the guest wrote, as a writer with root or not;
/// the write's own result.
fn answer(msg: &[u8], root: bool) -> Result<(), Errno> {
    let st = crate::host::net_state();
    let o = (personality::current().net.route_output)(msg, &st, hproc::getpid(), root);
    if let Some((fam, reply)) = o.reply {
        broadcast(fam, &reply);
    }
    o.result
}

/// write(2) on routing socket `fd`: one message, answered at once.
pub fn write(buf: u64, len: usize) -> SysResult {
    if len > MAX_MSG {
        return Err(EMSGSIZE);
    }
    let msg = mem::read_bytes(buf, len)?;
    answer(&msg, hproc::geteuid() == 0)?;
    ok(len as u64)
}

/// Whether the process (its first thread, whose credentials the BSDs'
/// per-process ones are closest to) is root: for messages the helper
/// answers, which runs with the credentials godfly started with.
fn process_is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().nth(1).and_then(|e| e.parse::<u32>().ok()))
        .is_some_and(|e| e == 0)
}

/// Starts the helper thread, once per process. Listening starts before
/// the first look at the tables, and both before socket(2) returns: no
/// change after it goes unreported. No lock is held meanwhile (fork takes
/// them all in rank order).
fn start_pump() {
    if PUMP.swap(true, Ordering::SeqCst) {
        return;
    }
    let nl = net::route_monitor().ok();
    if let Some(fd) = nl {
        out::add_internal_fd(fd);
    }
    let seen = crate::host::net_state();
    // It must never take a signal meant for the guest: it starts with all
    // of them blocked (threads inherit the mask).
    let old = crate::host::sig::block_all();
    let spawned =
        std::thread::Builder::new().name("godfly-rtsock".into()).stack_size(256 * 1024).spawn(move || pump(nl, seen));
    crate::host::sig::restore(&old);
    if spawned.is_err() {
        PUMP.store(false, Ordering::SeqCst);
        if let Some(fd) = nl {
            out::close_internal(fd);
        }
    }
}

/// The helper: waits for the host's tables to change or a message to
/// arrive on godfly's ends, answers, and closes the ends whose guest
/// side is gone.
fn pump(nl: Option<i32>, mut seen: crate::host::NetState) {
    let mut buf = vec![0u8; MAX_MSG];
    loop {
        let mut peers: Vec<i32> = SOCKS.lock().values().map(|s| s.peer).collect();
        peers.sort_unstable();
        peers.dedup();
        let mut fds: Vec<libc::pollfd> =
            nl.iter().chain(&peers).map(|&fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 }).collect();
        // New sockets join within a quarter second.
        let t = libc::timespec { tv_sec: 0, tv_nsec: 250_000_000 };
        if crate::host::event::ppoll(&mut fds, Some(&t)).is_err() {
            continue;
        }
        let mut changed = false;
        for p in fds.iter().filter(|p| p.revents != 0) {
            if Some(p.fd) == nl {
                while net::recv_host(p.fd, &mut buf, libc::MSG_DONTWAIT).is_ok() {}
                changed = true;
                continue;
            }
            while let Ok(n) = net::recv_host(p.fd, &mut buf, libc::MSG_DONTWAIT) {
                if n == 0 {
                    break;
                }
                let _ = answer(&buf[..n], process_is_root());
            }
            if p.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                // Every guest copy is closed: forget it, then close.
                let mut s = SOCKS.lock();
                s.retain(|_, sock| sock.peer != p.fd);
                ANY.store(!s.is_empty(), Ordering::Relaxed);
                drop(s);
                out::close_internal(p.fd);
            }
        }
        if changed {
            // A change comes as a burst of notices: let it settle.
            std::thread::sleep(std::time::Duration::from_millis(20));
            if let Some(fd) = nl {
                while net::recv_host(fd, &mut buf, libc::MSG_DONTWAIT).is_ok() {}
            }
            let now = crate::host::net_state();
            for (fam, m) in (personality::current().net.route_changes)(&seen, &now) {
                broadcast(fam, &m);
            }
            seen = now;
        }
    }
}
