//! The stub's own thread: one gdb connection over TCP on 127.0.0.1, the
//! all-stop protocol (every guest thread is held while gdb looks), the
//! commands of `rsp`, and the registers of `regs`.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::rsp::{self, Command, Input, Resume, Tid};
use super::{
    ACT_CONTINUE, ACT_STEP, BREAKPOINTS, EXIT_TOLD, Event, Exit, SESSION, WAKE_FD, WatchKind, action, gdbsig, regs,
};
use crate::personality;
use crate::thread::park::{self, PARKED, RUNNING, STARTING, STOP_SIGNAL, Slot};

/// Binds 127.0.0.1:`port`, waiting while another program holds it.
pub fn listen(port: u16, program: &str) -> Result<TcpListener, String> {
    let mut said = false;
    let listener = loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => break l,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                if !said {
                    crate::diag!("godfly: port {port} is in use; {program} waits for it");
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(format!("cannot listen on 127.0.0.1:{port}: {e}")),
        }
    };
    let at = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let fd = crate::host::out::own_descriptor(OwnedFd::from(listener), 920)
        .map_err(|e| format!("cannot keep the gdb listener: {}", e.message()))?;
    crate::diag!(
        "godfly: {program} (pid {}) waits for gdb on 127.0.0.1:{at} (target remote :{at})",
        crate::host::proc::getpid()
    );
    Ok(TcpListener::from(fd))
}

/// Starts the stub thread, with every host signal blocked (guest signals
/// must never land on it).
pub fn spawn(listener: TcpListener) -> Result<(), String> {
    let old = crate::host::sig::block_all();
    let r = std::thread::Builder::new().name("gdb-stub".into()).spawn(move || serve(listener));
    crate::host::sig::restore(&old);
    r.map(|_| ()).map_err(|e| format!("cannot start the gdb stub: {e}"))
}

/// Whether gdb is told of the AVX registers (the host saves them).
fn avx() -> bool {
    crate::host::xstate().is_some_and(|x| x.features & crate::arch::xstate::AVX != 0)
}

/// The guest threads gdb sees, by LWP id.
fn threads() -> Vec<(i32, crate::thread::LwpInfo)> {
    let mut v: Vec<_> = crate::thread::all_tids().into_iter().filter(|(_, i)| i.slot.state() != STARTING).collect();
    v.sort_by_key(|(t, _)| *t);
    v
}

fn slot_of(tid: i32) -> Option<Arc<Slot>> {
    crate::thread::lookup(tid).map(|i| i.slot)
}

/// Sends the stop signal to every running guest thread (but `except`)
/// until each is parked, in a call or starting; false after `wait`.
pub fn wait_all_held(except: Option<i32>, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        let mut running = 0;
        for (tid, info) in crate::thread::all_tids() {
            if Some(tid) == except || info.slot.state() != RUNNING {
                continue;
            }
            running += 1;
            let _ = crate::host::proc::tgkill(info.host_tid, STOP_SIGNAL);
        }
        if running == 0 {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

struct Conn {
    stream: TcpStream,
    dec: rsp::Decoder,
    inputs: VecDeque<Input>,
    noack: bool,
}

impl Conn {
    fn send(&mut self, payload: &[u8]) -> bool {
        self.stream.write_all(&rsp::frame(payload)).is_ok()
    }

    /// Reads what is there (blocking); false at the end of the connection.
    fn fill(&mut self) -> bool {
        let mut buf = [0u8; 4096];
        match self.stream.read(&mut buf) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.inputs.extend(self.dec.feed(&buf[..n]));
                true
            }
        }
    }

    /// The next packet, acknowledged; `None` when gdb went away.
    fn packet(&mut self) -> Option<Vec<u8>> {
        loop {
            while let Some(i) = self.inputs.pop_front() {
                match i {
                    Input::Packet(p) => {
                        if !self.noack {
                            let _ = self.stream.write_all(b"+");
                        }
                        return Some(p);
                    }
                    Input::Corrupt if !self.noack => {
                        let _ = self.stream.write_all(b"-");
                    }
                    _ => {}
                }
            }
            if !self.fill() {
                return None;
            }
        }
    }
}

/// What ended a stretch of running.
enum Ran {
    Stop(i32, Event),
    Exited(Exit),
    Gone,
}

/// Waits while the guest runs: for a thread's stop, the end of the
/// process, or gdb's Ctrl-C (not read before the first stop: gdb's first
/// packets wait in the socket until the program is at its entry).
fn run_until_stop(c: &mut Conn, first: bool) -> Ran {
    let wake = WAKE_FD.get().copied().unwrap_or(-1);
    loop {
        {
            let s = SESSION.lock();
            if let Some(e) = s.exit {
                return Ran::Exited(e);
            }
            if let Some((t, e)) = s.event {
                return Ran::Stop(t, e);
            }
        }
        if !first && c.inputs.iter().any(|i| *i == Input::Interrupt) {
            c.inputs.retain(|i| *i != Input::Interrupt);
            interrupt();
            continue;
        }
        let mut fds = [
            libc::pollfd { fd: wake, events: libc::POLLIN, revents: 0 },
            libc::pollfd { fd: if first { -1 } else { c.stream.as_raw_fd() }, events: libc::POLLIN, revents: 0 },
        ];
        let ts = libc::timespec { tv_sec: 0, tv_nsec: 200_000_000 };
        if crate::host::event::ppoll(&mut fds, Some(&ts)).is_err() {
            continue;
        }
        if fds[0].revents & libc::POLLIN != 0 {
            let _ = crate::host::fd::read_u64(wake);
        }
        if fds[1].revents != 0 {
            if !c.fill() {
                return Ran::Gone;
            }
            // While the guest runs only Ctrl-C means anything: the rest is
            // dropped, not kept without bound.
            let interrupted = c.inputs.iter().any(|i| *i == Input::Interrupt);
            c.inputs.clear();
            if interrupted {
                c.inputs.push_back(Input::Interrupt);
            }
        }
    }
}

/// gdb's Ctrl-C: every thread is held, the stop is shown at the first.
fn interrupt() {
    let first = threads().first().map(|(t, _)| *t);
    let mut s = SESSION.lock();
    if s.event.is_none()
        && let Some(t) = first
    {
        s.event = Some((t, Event::Interrupt));
        park::set_stopped(true);
    }
}

fn gdb_sig(sig: u32) -> u8 {
    gdbsig::to_gdb(sig, (personality::current().signals.name)(sig))
}

fn guest_sig(g: u8) -> Option<u32> {
    let p = personality::current();
    gdbsig::from_gdb(g, p.signals.max, p.signals.name)
}

fn stop_reply(tid: i32, ev: Event) -> String {
    let (sig, extra) = match ev {
        Event::Start | Event::Step => (5, ""),
        Event::Breakpoint => (5, "swbreak:;"),
        Event::Signal(s) | Event::Fatal(s) => (gdb_sig(s), ""),
        Event::Interrupt => (2, ""),
        Event::Watch(kind, addr) => {
            let what = match kind {
                WatchKind::Write => "watch",
                WatchKind::Read => "rwatch",
                WatchKind::Access => "awatch",
            };
            return format!("T05thread:{tid:x};{what}:{addr:x};");
        }
    };
    format!("T{sig:02x}thread:{tid:x};{extra}")
}

fn exit_reply(e: Exit) -> String {
    match e {
        Exit::Code(c) => format!("W{:02x}", c & 0xff),
        Exit::Signal(s) => format!("X{:02x}", gdb_sig(s)),
    }
}

fn serve(listener: TcpListener) {
    let conn = listener.accept();
    crate::host::out::remove_internal_fd(listener.as_raw_fd());
    drop(listener);
    let Ok((stream, _)) = conn else {
        detach();
        return;
    };
    let _ = stream.set_nodelay(true);
    let stream = match crate::host::out::own_descriptor(OwnedFd::from(stream), 920) {
        Ok(fd) => TcpStream::from(fd),
        Err(_) => {
            detach();
            return;
        }
    };
    let mut c = Conn { stream, dec: rsp::Decoder::default(), inputs: VecDeque::new(), noack: false };
    let mut first = true;
    loop {
        let (mut tid, mut ev) = match run_until_stop(&mut c, first) {
            Ran::Stop(t, e) => (t, e),
            Ran::Exited(e) => {
                c.send(exit_reply(e).as_bytes());
                EXIT_TOLD.store(1, Ordering::Release);
                crate::host::event::futex_wake_word(&EXIT_TOLD);
                return;
            }
            Ran::Gone => {
                detach();
                return;
            }
        };
        wait_all_held(None, Duration::from_secs(3));
        // The stopped thread itself may still be on its way to its park
        // (a step or watch at a call's end): gdb may write its registers.
        let deadline = Instant::now() + Duration::from_secs(3);
        while slot_of(tid).is_some_and(|s| s.state() != PARKED) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if !first {
            c.send(stop_reply(tid, ev).as_bytes());
        }
        first = false;
        let mut g_thread = tid;
        loop {
            let Some(p) = c.packet() else {
                detach();
                return;
            };
            let Some(cmd) = rsp::parse(&p) else {
                c.send(b"E01");
                continue;
            };
            match cmd {
                Command::Resume(acts) => match resume(&acts, tid) {
                    Some((t, e)) => {
                        (tid, ev, g_thread) = (t, e, t);
                        SESSION.lock().event = Some((t, e));
                        c.send(stop_reply(t, e).as_bytes());
                    }
                    None => break,
                },
                Command::Detach => {
                    c.send(b"OK");
                    detach();
                    return;
                }
                Command::Kill => {
                    if p.starts_with(b"vKill") {
                        c.send(b"OK");
                    }
                    let _ = crate::host::proc::kill(crate::host::proc::getpid(), libc::SIGKILL);
                    return;
                }
                Command::StopReason => {
                    c.send(stop_reply(tid, ev).as_bytes());
                }
                Command::SetThread(_, t) => {
                    let ok = match t {
                        Tid::Id(t) if slot_of(t).is_some() => {
                            g_thread = t;
                            true
                        }
                        Tid::Id(_) => false,
                        _ => true,
                    };
                    c.send(if ok { b"OK" } else { b"E01" });
                }
                Command::Set(q) if q.starts_with(b"StartNoAckMode") => {
                    c.send(b"OK");
                    c.noack = true;
                }
                other => {
                    let reply = answer(other, g_thread, tid);
                    c.send(&reply);
                }
            }
        }
    }
}

/// Answers a command that does not change whether the guest runs.
fn answer(cmd: Command, g_thread: i32, cur: i32) -> Vec<u8> {
    let regs_of = |t: i32| slot_of(t).and_then(|s| s.regs().map(|r| (s, r)));
    match cmd {
        Command::ReadRegs => match regs_of(g_thread) {
            Some((_, r)) => rsp::hex(&regs::read_all(&r, avx())).into_bytes(),
            None => vec![b'x'; regs::packet_len(avx()) * 2],
        },
        Command::WriteRegs(b) => match regs_of(g_thread) {
            Some((s, mut r)) => ok(regs::write_all(&mut r, avx(), &b) && s.set_regs(&r)),
            None => b"E01".to_vec(),
        },
        Command::ReadReg(n) if n < regs::count(avx()) => match regs_of(g_thread) {
            Some((_, r)) => rsp::hex(&regs::read(&r, avx(), n).unwrap_or_default()).into_bytes(),
            None => b"E01".to_vec(),
        },
        Command::ReadReg(_) => b"E01".to_vec(),
        Command::WriteReg(n, b) => match regs_of(g_thread) {
            Some((s, mut r)) => ok(regs::write(&mut r, avx(), n, &b) && s.set_regs(&r)),
            None => b"E01".to_vec(),
        },
        Command::ReadMem(a, l) => match super::read_shadowed(a, l) {
            Ok(v) if !v.is_empty() || l == 0 => rsp::hex(&v).into_bytes(),
            _ => b"E14".to_vec(),
        },
        Command::WriteMem(a, data) => {
            if write_mem(a, data) {
                b"OK".to_vec()
            } else {
                b"E14".to_vec()
            }
        }
        Command::ThreadAlive(Tid::Id(t)) => {
            if slot_of(t).is_some() {
                b"OK".to_vec()
            } else {
                b"E01".to_vec()
            }
        }
        Command::ThreadAlive(_) => b"OK".to_vec(),
        Command::Breakpoint { insert, kind: 0, addr, .. } => {
            let ok = if insert { super::insert_breakpoint(addr) } else { super::remove_breakpoint(addr) };
            if ok { b"OK".to_vec() } else { b"E14".to_vec() }
        }
        Command::Breakpoint { insert, kind: k @ 2..=4, addr, len } => {
            let kind = [WatchKind::Write, WatchKind::Read, WatchKind::Access][usize::from(k - 2)];
            if !insert {
                super::remove_watch(kind, addr, len);
                return b"OK".to_vec();
            }
            match super::insert_watch(kind, addr, len) {
                Ok(()) => b"OK".to_vec(),
                // No perf breakpoints on this host: gdb is told they are
                // unsupported (`set can-use-hw-watchpoints 0` then works).
                Err(true) => Vec::new(),
                Err(false) => b"E01".to_vec(),
            }
        }
        Command::VContQuery => b"vCont;c;C;s;S;t".to_vec(),
        Command::Query(q) => query(&q, cur),
        Command::Set(q) => set(&q),
        _ => Vec::new(),
    }
}

fn ok(done: bool) -> Vec<u8> {
    if done { b"OK".to_vec() } else { b"E01".to_vec() }
}

/// Writes guest memory; bytes under a breakpoint go to its saved byte.
fn write_mem(addr: u64, mut data: Vec<u8>) -> bool {
    let Some(end) = addr.checked_add(data.len() as u64) else { return false };
    let mut bps = BREAKPOINTS.lock();
    for (a, orig) in bps.range_mut(addr..end) {
        let i = (*a - addr) as usize;
        *orig = data[i];
        data[i] = 0xcc;
    }
    super::mem_write(addr, &data).is_ok()
}

fn query(q: &[u8], cur: i32) -> Vec<u8> {
    let s = String::from_utf8_lossy(q);
    if s.starts_with("Supported") {
        return format!(
            "PacketSize={:x};qXfer:features:read+;qXfer:exec-file:read+;QPassSignals+;QStartNoAckMode+;swbreak+;vContSupported+",
            rsp::MAX_PACKET - 1
        )
        .into_bytes();
    }
    if let Some(rest) = s.strip_prefix("Xfer:features:read:target.xml:") {
        return xfer(regs::target_xml(avx()).as_bytes(), rest);
    }
    if let Some(rest) = s.strip_prefix("Xfer:exec-file:read:") {
        // The program's path, so `target remote` alone finds its symbols.
        let exe = crate::process::facts().map(|p| p.exe_path.clone()).unwrap_or_default();
        let range = rest.split_once(':').map_or(rest, |(_, r)| r);
        return xfer(exe.as_bytes(), range);
    }
    if s.starts_with("Xfer:features:read:") {
        return b"E00".to_vec();
    }
    match s.as_ref() {
        "Attached" => return b"0".to_vec(),
        "C" => return format!("QC{cur:x}").into_bytes(),
        "fThreadInfo" => {
            let ids: Vec<String> = threads().iter().map(|(t, _)| format!("{t:x}")).collect();
            return format!("m{}", ids.join(",")).into_bytes();
        }
        "sThreadInfo" => return b"l".to_vec(),
        _ => {}
    }
    if let Some(t) = s.strip_prefix("ThreadExtraInfo,") {
        let tid = i32::from_str_radix(t, 16).unwrap_or(0);
        let mut text = format!("LWP {tid}");
        if let Some(title) = crate::thread::lookup(tid).and_then(|i| i.title) {
            text.push_str(&format!(" \"{}\"", String::from_utf8_lossy(&title)));
        }
        return rsp::hex(text.as_bytes()).into_bytes();
    }
    if s.starts_with("Symbol") {
        return b"OK".to_vec();
    }
    Vec::new()
}

/// One `qXfer` read of `OFF,LEN` from `doc`: `m` and a piece, or `l` and
/// the last one.
fn xfer(doc: &[u8], range: &str) -> Vec<u8> {
    let (off, len) = range.split_once(',').unwrap_or(("0", "0"));
    let off = usize::from_str_radix(off, 16).unwrap_or(usize::MAX);
    let len = usize::from_str_radix(len, 16).unwrap_or(0).min(rsp::MAX_PACKET / 2);
    if off >= doc.len() {
        return b"l".to_vec();
    }
    let end = off.saturating_add(len).min(doc.len());
    let mut out = vec![if end == doc.len() { b'l' } else { b'm' }];
    out.extend_from_slice(&doc[off..end]);
    out
}

fn set(q: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(q);
    if let Some(list) = s.strip_prefix("PassSignals:") {
        let pass: Vec<u32> =
            list.split(';').filter_map(|g| u8::from_str_radix(g, 16).ok()).filter_map(guest_sig).collect();
        SESSION.lock().pass = pass;
        return b"OK".to_vec();
    }
    if s.starts_with("ProgramSignals:") || s == "NonStop:0" {
        return b"OK".to_vec();
    }
    Vec::new()
}

/// Lets the threads go as gdb asked; a stop that came meanwhile (queued)
/// is reported at once instead, as all-stop wants. `cur` is the thread
/// of the stop being left (a plain continue drops its signal).
fn resume(acts: &[(Resume, Tid)], cur: i32) -> Option<(i32, Event)> {
    // All under the session's lock, so no stop comes in unseen between
    // the look at the queue and letting the threads go.
    let mut s = SESSION.lock();
    while !s.queued.is_empty() {
        let q = s.queued.remove(0);
        // A breakpoint gdb has removed meanwhile is no stop any more.
        if q.1 != Event::Breakpoint || still_a_breakpoint(q.0) {
            s.event = Some(q);
            return Some(q);
        }
    }
    let pick = |tid: i32| {
        acts.iter()
            .find(|(_, t)| *t == Tid::Id(tid))
            .or_else(|| acts.iter().find(|(_, t)| matches!(t, Tid::All | Tid::Any)))
    };
    let mut plan = Vec::new();
    for (tid, info) in threads() {
        let Some(&(r, t)) = pick(tid) else {
            // No action: it stays stopped while the others run.
            info.slot.hold.store(true, Ordering::Release);
            continue;
        };
        let (mut kind, mut g) = match r {
            Resume::Continue(g) => (ACT_CONTINUE, g),
            Resume::Step(g) => (ACT_STEP, g),
            Resume::Stop => {
                info.slot.hold.store(true, Ordering::Release);
                continue;
            }
        };
        if tid != cur && t != Tid::Id(tid) {
            // An action for every thread (`c`, `s`, `C sig`): the step and
            // the signal are the current thread's; the others continue.
            (kind, g) = (ACT_CONTINUE, None);
        }
        let sig = g.and_then(guest_sig);
        info.slot.hold.store(false, Ordering::Release);
        match info.slot.state() {
            PARKED => plan.push((info.slot.clone(), action(kind, sig))),
            _ if kind == ACT_STEP => info.slot.step.store(true, Ordering::Release),
            _ => {}
        }
    }
    s.event = None;
    // Parked threads first: one that parks after this look finds the flag
    // down and goes on by itself.
    for (slot, a) in plan {
        slot.resume(a);
    }
    park::set_stopped(false);
    None
}

fn still_a_breakpoint(tid: i32) -> bool {
    let rip = slot_of(tid).and_then(|s| s.regs()).map(|r| r.gregs[libc::REG_RIP as usize] as u64);
    rip.is_some_and(|r| BREAKPOINTS.lock().contains_key(&r))
}

/// gdb left: its breakpoints come out and every thread runs on.
fn detach() {
    super::remove_all_breakpoints();
    super::remove_all_watches();
    let mut s = SESSION.lock();
    s.event = None;
    s.queued.clear();
    for (_, info) in crate::thread::all_tids() {
        info.slot.hold.store(false, Ordering::Release);
        if info.slot.state() == PARKED {
            info.slot.resume(ACT_CONTINUE);
        }
    }
    park::set_stopped(false);
    // Last: a trap that came meanwhile was still gdb's.
    super::ACTIVE.store(false, Ordering::Release);
}
