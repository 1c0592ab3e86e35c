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
use crate::host::errno::{ECONNREFUSED, EMSGSIZE, ENOTCONN, EPIPE, EPROTONOSUPPORT};
use crate::host::{Errno, fd as hfd, net, out, proc as hproc};
use crate::mem;
use crate::personality;
use crate::sync::Global;

/// The most a routing message may be: the socket's send buffer on
/// DragonFly (`route_usrreqs`, RAWSNDQ 8192); a longer write is EMSGSIZE.
pub const MAX_MSG: usize = 8192;

#[derive(Debug, Clone, Copy)]
struct Sock {
    /// godfly's end of the pair.
    peer: i32,
    /// The guest family it listens to (0: all).
    proto: i32,
}

/// This process's routing sockets by guest descriptor.
static SOCKS: Global<BTreeMap<i32, Sock>> = Global::new(62, BTreeMap::new());
static ANY: AtomicBool = AtomicBool::new(false);
/// Whether this process's helper thread runs.
static PUMP: Global<bool> = Global::new(63, false);

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
    let [guest, mine] = net::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM | flags, 0)?;
    // godfly's end: close-on-exec and never blocking, whatever the guest asked.
    let _ = hfd::fcntl_int(mine, libc::F_SETFD, i64::from(libc::FD_CLOEXEC));
    let fl = hfd::fcntl_int(mine, libc::F_GETFL, 0).unwrap_or(0) as i64;
    let _ = hfd::fcntl_int(mine, libc::F_SETFL, fl | i64::from(libc::O_NONBLOCK));
    out::add_internal_fd(mine);
    {
        let mut s = SOCKS.lock();
        s.insert(guest, Sock { peer: mine, proto });
        ANY.store(true, Ordering::Relaxed);
    }
    start_pump();
    ok_int(guest)
}

/// Forgets a closed descriptor: godfly's end goes with it.
pub fn fd_closed(fd: i32) {
    if !ANY.load(Ordering::Relaxed) {
        return;
    }
    let gone = {
        let mut s = SOCKS.lock();
        let g = s.remove(&fd);
        ANY.store(!s.is_empty(), Ordering::Relaxed);
        g
    };
    if let Some(s) = gone {
        out::close_internal(s.peer);
    }
}

/// In a forked child: the sockets are the parent's to answer for.
pub fn after_fork() {
    SOCKS.lock().clear();
    ANY.store(false, Ordering::Relaxed);
    *PUMP.lock() = false;
}

/// Sends `msg` of guest family `fam` to every routing socket that hears
/// it; drops sockets whose guest end is gone.
fn broadcast(fam: i32, msg: &[u8]) {
    let mut s = SOCKS.lock();
    let mut dead = Vec::new();
    for (&fd, sock) in s.iter() {
        if sock.proto != 0 && fam != 0 && fam != sock.proto {
            continue;
        }
        match net::send_host(sock.peer, msg, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) {
            Err(e) if e == ECONNREFUSED || e == ENOTCONN || e == EPIPE => dead.push(fd),
            // A full queue drops the message, as a BSD socket buffer does.
            _ => {}
        }
    }
    let gone: Vec<Sock> = dead.iter().filter_map(|fd| s.remove(fd)).collect();
    ANY.store(!s.is_empty(), Ordering::Relaxed);
    drop(s);
    // INTERNAL_FDS ranks below SOCKS: taken only once SOCKS is free.
    for sock in gone {
        out::close_internal(sock.peer);
    }
}

/// Answers one message the guest wrote; the write's own result.
fn answer(msg: &[u8]) -> Result<(), Errno> {
    let st = crate::host::net_state();
    let o = (personality::current().net.route_output)(msg, &st, hproc::getpid(), hproc::geteuid() == 0);
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
    answer(&msg)?;
    ok(len as u64)
}

/// Starts the helper thread, once per process.
fn start_pump() {
    let mut p = PUMP.lock();
    if *p {
        return;
    }
    // Listening starts before the first look at the tables, and both
    // before socket(2) returns: no change after it goes unreported.
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
    *p = spawned.is_ok();
}

/// The helper: waits for the host's tables to change or a message to
/// arrive on godfly's ends, and answers.
fn pump(nl: Option<i32>, mut seen: crate::host::NetState) {
    let mut buf = vec![0u8; MAX_MSG];
    loop {
        let peers: Vec<i32> = SOCKS.lock().values().map(|s| s.peer).collect();
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
                let _ = answer(&buf[..n]);
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
