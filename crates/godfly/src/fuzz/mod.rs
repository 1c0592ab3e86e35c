//! Fuzz targets: the pieces of godfly that take untrusted bytes, each as a
//! function of one byte string that panics only on a broken invariant.
//! Drivers: `cargo xtask fuzz` (stable, in-process mutation over the
//! corpora in `fuzz/corpus/<target>`), and the cargo-fuzz crate in `fuzz/`
//! (libFuzzer, coverage-guided) for long runs. The guest-side dispatcher
//! fuzz is a Go program run under godfly (see docs/ROBUSTNESS.md).
#![forbid(unsafe_code)]

pub mod seeds;

use godfly_abi::dragonfly::layout::{Mcontext, Ucontext};
use zerocopy::FromBytes;

/// The targets exercise DragonFly's codecs: its personality is the one
/// chosen for them.
fn dragonfly() {
    crate::personality::set(&crate::os::dragonfly::PERSONALITY);
}

/// A fuzz target: a name and a function of the input.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("elf", elf),
    ("sysctl", sysctl),
    ("xlat", xlat),
    ("sockaddr", sockaddr),
    ("cmsg", cmsg),
    ("sigframe", sigframe),
    ("trace", trace),
    ("rangeset", rangeset),
    ("kevent", kevent),
    ("rtmsg", rtmsg),
    ("rsp", rsp),
];

/// Looks a target up by name.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|t| t.0 == name).map(|t| t.1)
}

/// Reads numbers off the front of a fuzz input; zeros once it runs out.
#[derive(Debug)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wraps an input.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next `n` bytes (fewer at the end).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.data.split_at(n.min(self.data.len()));
        self.data = b;
        a
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let b = self.bytes(N);
        out[..b.len()].copy_from_slice(b);
        out
    }

    /// The next byte.
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// The next `i32`.
    pub fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.array())
    }

    /// The next `u64`.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }
}

/// The ELF loader's checks and the fast path's site scan over a program
/// file. An accepted program must be mappable as described: segments in
/// the file and in user space, not overlapping, the entry point in an
/// executable segment; every rewritable site inside an executable segment.
pub fn elf(data: &[u8]) {
    use crate::loader::{elf, fastpath};
    dragonfly();
    let path = std::path::Path::new("fuzz");
    let Ok(prog) = elf::inspect(path, data) else {
        // Refused programs still go through the site scan in no case:
        // `run` scans only accepted programs. Scan anyway: it must not panic.
        let _ = fastpath::find_sites(data);
        return;
    };
    let max = prog.personality.image.max_user_address;
    let mut spans = Vec::new();
    for s in &prog.segments {
        assert!(s.filesz <= s.memsz, "{s:?}");
        assert!(s.offset.checked_add(s.filesz).is_some_and(|e| e <= data.len() as u64), "{s:?}");
        assert!(s.vaddr.checked_add(s.memsz).is_some_and(|e| e <= max), "{s:?}");
        spans.push((s.vaddr & !0xfff, (s.vaddr + s.memsz + 0xfff) & !0xfff));
    }
    spans.sort_unstable();
    assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "overlap accepted: {spans:x?}");
    let exec = |a: u64, b: u64| {
        prog.segments.iter().any(|s| s.flags & object::elf::PF_X != 0 && a >= s.vaddr && b <= s.vaddr + s.memsz)
    };
    assert!(exec(prog.entry, prog.entry), "entry {:#x} accepted outside text", prog.entry);
    for site in fastpath::find_sites(data) {
        assert!(site.load.len() >= 5 && site.after > site.addr, "{site:?}");
        let _ = fastpath::stub_bytes(&site, 0x1000);
        let len = (site.after - site.addr) as usize;
        if let Some(patch) = fastpath::site_bytes(site.addr, len, 0x20_0000) {
            assert_eq!(patch.len(), len, "a patch must cover exactly the site, up to the end of its syscall");
        }
    }
}

/// The `__sysctl` MIB and name parser.
pub fn sysctl(data: &[u8]) {
    use crate::os::dragonfly::sysctl::{
        Request, copy_plan, find, lookup_name, next_oid, nodes, oid_format, oid_name, resolve,
    };
    let mut inp = Input::new(data);
    let n = usize::from(inp.u8() % 16);
    // Mostly small components, so that real nodes are reached.
    let mib: Vec<i32> = (0..n).map(|_| if inp.u8() & 1 == 0 { i32::from(inp.u8() % 32) } else { inp.i32() }).collect();
    let has_new = inp.u8() & 1 == 1;
    match resolve(&mib, has_new) {
        Ok(Request::Value(node, params)) => {
            assert!(!has_new, "a write was accepted");
            // Several OIDs may share a handler (kern.proc.uid and uid_lwp).
            let (_, prefix, _) = nodes().find(|x| x.2 == node && mib.starts_with(x.1)).expect("node in table");
            assert_eq!(&mib[..prefix.len()], prefix);
            assert_eq!(params, &mib[prefix.len()..]);
        }
        Ok(Request::NameToMib) => assert!(has_new && mib[..2] == [0, 3]),
        Ok(Request::Name(m) | Request::Next(m) | Request::Format(m)) => {
            assert!(!has_new && mib[0] == 0 && m == &mib[2..]);
            let _ = (oid_name(m), next_oid(m), oid_format(m));
        }
        Ok(Request::IfList { .. } | Request::RouteDump { .. }) => {
            assert!(!has_new && (6..=7).contains(&mib.len()) && mib[..2] == [4, 17])
        }
        Err(_) => {}
    }
    let name = inp.rest();
    if let Ok(m) = lookup_name(name)
        && let Some((dotted, _, node)) = nodes().find(|x| x.1 == m)
    {
        // Name-to-OID answers of leaves resolve back to the same node (the
        // others are interior nodes, whose name `{0,1}` gives back).
        assert!(name.starts_with(dotted.as_bytes()));
        let mut full = m.to_vec();
        full.push(-1);
        assert!(find(m).map(|x| x.0) == Ok(node) || find(&full).map(|x| x.0) == Ok(node));
    }
    let len = usize::from(u16::from_le_bytes([data.first().copied().unwrap_or(0), data.last().copied().unwrap_or(0)]));
    let room = u64::from(data.len() as u32);
    let (copied, reported, short) = copy_plan(len, room);
    assert!(copied <= len && copied as u64 <= room && short == (copied < len));
    assert_eq!(reported, if short { room } else { len as u64 });
}

/// Flag, number and status translations: total functions that never
/// panic, keep only known bits, and round-trip where both sides exist.
pub fn xlat(data: &[u8]) {
    use crate::os::dragonfly::*;
    use crate::xlat::{dirent as ldirent, mountinfo};
    let mut inp = Input::new(data);
    while !inp.data.is_empty() {
        let which = inp.u8();
        let v = inp.i32();
        match which % 16 {
            0 => {
                let lx = oflags::to_linux(v);
                let back = oflags::from_linux(lx);
                assert_eq!(oflags::to_linux(back), lx, "open flags {v:#x} do not round-trip");
            }
            1 => {
                if let Some(l) = signo::to_linux(v as u32) {
                    assert_eq!(signo::from_linux(l), Some(v as u32), "signal {v}");
                }
                if let Some(d) = signo::from_linux(v) {
                    assert_eq!(signo::to_linux(d), Some(v), "linux signal {v}");
                }
                let _ = signo::name(v as u32);
            }
            2 => {
                let e = errno::from_linux(v);
                assert!(e > 0, "errno {v} became {e}");
            }
            3 => {
                let _ = wait::status_from_linux(v);
                let _ = wait::status_from_siginfo(v & 7, v >> 3);
                let _ = wait::wait4_options_to_linux(v);
                let _ = wait::wait6_options_to_linux(v);
                let _ = wait::idtype_to_linux(v);
            }
            4 => {
                let _ = mmap::flags_to_linux(v);
                let _ = mmap::advice_to_linux(v);
                if let Some(p) = mmap::prot_to_linux(v) {
                    assert_eq!(p & !(libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC), 0, "prot {v:#x}");
                }
            }
            5 => {
                if let Some(f) = sockaddr::family_to_linux(v) {
                    assert_eq!(sockaddr::family_from_linux(f), Some(v));
                }
                let _ = sockaddr::type_to_linux(v);
                let _ = sockaddr::accept_flags_to_linux(v);
            }
            6 => {
                let _ = sockopt::to_linux(v, inp.i32());
                let _ = sockopt::msg_flags_from_linux(sockopt::msg_flags_to_linux(v));
            }
            7 => {
                let _ = poll::events_from_linux(poll::events_to_linux(v as i16));
            }
            8 => {
                let _ = resource::to_linux(v as u32);
                let x = inp.u64();
                let _ = resource::value_from_linux(resource::value_to_linux(x));
            }
            9 => {
                let _ = time::clock_to_linux(v);
            }
            10 => {
                if let Some(t) = fcntl::lock_type_to_linux(v as i16) {
                    assert_eq!(fcntl::lock_type_from_linux(t), v as i16, "lock type {v}");
                }
            }
            11 => {
                let dev = inp.u64();
                let _ = stat::dev_from_linux(dev);
                assert_eq!(stat::dev_from_linux(stat::dev_to_linux(v as u32)), v as u32, "dev_t {v:#x}");
            }
            12 => {
                if let Some(f) = oflags::at_flags(v) {
                    let _ = f.to_linux();
                    let _ = f.within(crate::xlat::AtFlags(inp.u8()));
                }
                let f = oflags::open_flags(v);
                assert_eq!(f.unknown & oflags::LOCK_FLAGS, 0, "lock flags counted unknown");
            }
            13 => {
                let n = usize::from(inp.u8());
                let buf = inp.bytes(n);
                let mut out = Vec::new();
                for e in ldirent::parse_linux(buf) {
                    let start = out.len();
                    dirent::push(&mut out, &e);
                    assert!((out.len() - start).is_multiple_of(8), "dirent record not 8-aligned");
                }
            }
            14 => {
                let n = usize::from(inp.u8());
                let text = String::from_utf8_lossy(inp.bytes(n));
                let mut st = crate::host::zeroed_statfs();
                st.f_bsize = i64::from(v);
                st.f_blocks = inp.u64();
                for m in mountinfo::parse_mountinfo(&text) {
                    let _ = statfs::from_linux(&st, &m);
                }
            }
            _ => {
                let _ = route::if_flags_from_linux(v as u32);
            }
        }
    }
}

/// Socket addresses from the guest: accepted ones convert back to the
/// same address.
pub fn sockaddr(data: &[u8]) {
    use crate::os::dragonfly::sockaddr::{from_linux, to_linux};
    let Ok(lx) = to_linux(data) else { return };
    let back = from_linux(&lx);
    let again = to_linux(&back).expect("a converted address converts again");
    assert_eq!(again, lx, "sockaddr does not round-trip");
}

/// Control messages from the guest, and from the host back.
pub fn cmsg(data: &[u8]) {
    use crate::os::dragonfly::cmsg::{from_linux, to_linux};
    if let Ok(lx) = to_linux(data) {
        let back = from_linux(&lx);
        assert!(back.len() <= lx.len(), "control data grew");
    }
    let _ = from_linux(data);
}

/// Signal frames: any guest `ucontext` given to `sigreturn` is either
/// refused or yields a host context with only user-changeable flags
/// changed and an MXCSR the host can load; a frame built from a host
/// context restores the same registers.
pub fn sigframe(data: &[u8]) {
    use crate::arch::xstate;
    use crate::os::dragonfly::sigframe::{
        FXSAVE_LEN, PSL_RF, PSL_USERCHANGE, SW_RESERVED, apply_mcontext, mcontext_from_host,
    };
    let mut inp = Input::new(data);
    let flags = inp.u8();
    let host_mask = 0x0000_ffff_u32 & !0x40 | if flags & 1 == 1 { 0x40 } else { 0 };
    // A legacy FXSAVE area, or an XSAVE image of x87/SSE/AVX described in
    // Linux's software bytes (as the kernel's frames and the fast path's).
    let xsave = flags & 2 == 2;
    let len = if xsave { xstate::AVX_OFFSET + xstate::AVX_LEN } else { FXSAVE_LEN };
    let features = xstate::X87 | xstate::SSE | xstate::AVX;
    let mut fx = vec![0u8; len];
    let seed = inp.bytes(len);
    fx[..seed.len()].copy_from_slice(seed);
    fx[28..32].copy_from_slice(&host_mask.to_ne_bytes());
    if xsave {
        xstate::describe(&mut fx, xstate::Info { features, size: len, xsaveopt: false });
        xstate::sanitize(&mut fx, features, host_mask);
    }
    let mut uc = crate::host::zeroed_ucontext();
    for g in uc.uc_mcontext.gregs.iter_mut() {
        *g = inp.u64() as i64;
    }
    uc.uc_mcontext.fpregs = fx.as_mut_ptr().cast();
    let before = uc.uc_mcontext.gregs;
    let fp_before = fx.clone();

    // Host → guest frame → host: registers come back unchanged.
    let info = crate::thread::SigInfo::default();
    let (mc, _) = mcontext_from_host(&mut uc, false, &info);
    apply_mcontext(&mut uc, &mc).expect("own frame accepted");
    for r in [libc::REG_RAX, libc::REG_RBX, libc::REG_RSP, libc::REG_RIP, libc::REG_R15, libc::REG_EFL] {
        assert_eq!(uc.uc_mcontext.gregs[r as usize], before[r as usize], "register {r} changed");
    }
    assert_eq!(fx[..24], fp_before[..24], "x87 state changed on the way through a frame");
    assert_eq!(fx[32..SW_RESERVED], fp_before[32..SW_RESERVED], "x87/XMM registers changed on the way through a frame");
    if xsave {
        assert_eq!(fx[xstate::AVX_OFFSET..], fp_before[xstate::AVX_OFFSET..], "YMM upper halves changed");
    }

    // Arbitrary guest frame.
    let mut raw = inp.rest().to_vec();
    raw.resize(std::mem::size_of::<Ucontext>(), 0);
    let u = Ucontext::read_from_bytes(&raw).expect("size matches");
    let mc: &Mcontext = &u.uc_mcontext;
    let cur = uc.uc_mcontext.gregs[libc::REG_EFL as usize] as u64;
    let (cs, ss) = (uc.uc_mcontext.gregs[libc::REG_CSGSFS as usize], uc.uc_mcontext.gregs[libc::REG_ERR as usize]);
    let host_tail = fx[SW_RESERVED..FXSAVE_LEN].to_vec();
    match apply_mcontext(&mut uc, mc) {
        Ok(()) => {
            let now = uc.uc_mcontext.gregs[libc::REG_EFL as usize] as u64;
            assert_eq!((now ^ cur) & !(PSL_USERCHANGE | PSL_RF), 0, "privileged rflags bits changed");
            let mxcsr = u32::from_ne_bytes([fx[24], fx[25], fx[26], fx[27]]);
            assert_eq!(mxcsr & !host_mask, 0, "MXCSR {mxcsr:#x} has bits outside {host_mask:#x}");
            assert_eq!(uc.uc_mcontext.gregs[libc::REG_CSGSFS as usize], cs, "segment registers taken from guest");
            assert_eq!(uc.uc_mcontext.gregs[libc::REG_ERR as usize], ss);
            assert_eq!(&fx[SW_RESERVED..FXSAVE_LEN], &host_tail[..], "Linux's reserved FXSAVE bytes taken from guest");
            if xsave {
                assert_eq!(xstate::xstate_bv(&fx) & !features, 0, "XSTATE_BV names a component the host lacks");
                assert!(fx[xstate::HEADER + 8..xstate::HEADER + 64].iter().all(|&b| b == 0), "header not standard");
            }
        }
        Err(e) => assert_eq!(e, crate::host::errno::EINVAL),
    }
}

/// The trace decoders over arbitrary argument values (the kinds that
/// only format numbers; the others read guest memory).
pub fn trace(data: &[u8]) {
    use crate::personality::ArgKind as Kind;
    dragonfly();
    let mut inp = Input::new(data);
    while !inp.data.is_empty() {
        let nr = u64::from(u16::from_le_bytes([inp.u8(), inp.u8()]) % 600);
        let _ = crate::trace::format::name(nr);
        for k in crate::trace::format::kinds(nr) {
            let v = inp.u64();
            if !matches!(k, Kind::Str | Kind::OutBuf(_) | Kind::InBuf | Kind::Timespec | Kind::Sockaddr(_)) {
                let _ = crate::trace::decode::number(k, v);
            }
        }
    }
}

/// The guest-memory range set against a page bitmap: inserts and removes
/// over 64 pages, then every query must agree with the model.
pub fn rangeset(data: &[u8]) {
    use crate::mem::owned::RangeSet;
    let mut set = RangeSet::default();
    let mut model = [false; 64];
    let mut inp = Input::new(data);
    while !inp.data.is_empty() {
        let op = inp.u8();
        let (a, b) = (u64::from(inp.u8() % 65), u64::from(inp.u8() % 65));
        let (s, e) = (a.min(b), a.max(b));
        let covered = (s..e).all(|p| model[p as usize]);
        match op % 4 {
            0 => {
                set.insert(s, e);
                (s..e).for_each(|p| model[p as usize] = true);
            }
            1 => {
                set.remove(s, e);
                (s..e).for_each(|p| model[p as usize] = false);
            }
            2 => assert_eq!(set.covers(s, e), covered, "covers({s},{e})"),
            _ => {
                let pieces: u64 = set.pieces(s, e).iter().map(|(x, y)| y - x).sum();
                let gaps: u64 = set.gaps(s, e).iter().map(|(x, y)| y - x).sum();
                let want = (s..e).filter(|&p| model[p as usize]).count() as u64;
                assert_eq!((pieces, gaps), (want, (e - s) - want), "pieces/gaps of {s}..{e}");
            }
        }
    }
    // Stored ranges are disjoint, non-adjacent and match the model.
    let ranges: Vec<(u64, u64)> = set.ranges().collect();
    assert!(ranges.windows(2).all(|w| w[0].1 < w[1].0), "{ranges:?}");
    for (p, &m) in model.iter().enumerate() {
        assert_eq!(ranges.iter().any(|&(x, y)| (x..y).contains(&(p as u64))), m, "page {p}");
    }
}

/// kevent change lists against a real kqueue (epoll, eventfd, timerfd,
/// pidfd) over two pipes, one with data: any change list gives per-change
/// results and bounded, well-formed events, and everything is released.
/// EVFILT_SIGNAL changes are left out: they install host signal handlers
/// in the fuzzing process.
pub fn kevent(data: &[u8]) {
    use crate::sys::kqueue::knote::{EV_ERROR, Kevent};
    use godfly_abi::dragonfly::consts as d;
    dragonfly();
    // A failure here means descriptors leaked in an earlier run.
    let (r0, w0) = crate::host::fd::pipe_nonblocking().expect("pipe (leaked descriptors?)");
    let (r1, w1) = crate::host::fd::pipe_nonblocking().expect("pipe (leaked descriptors?)");
    let _ = crate::host::fd::write_u64(w0, u64::from_le_bytes(*b"data\0\0\0\0"));
    let me = u64::from(std::process::id());
    let filters = [
        d::EVFILT_READ,
        d::EVFILT_WRITE,
        d::EVFILT_USER,
        d::EVFILT_TIMER,
        d::EVFILT_PROC,
        d::EVFILT_VNODE,
        d::EVFILT_AIO,
        d::EVFILT_EXCEPT,
        d::EVFILT_FS,
    ];
    let mut inp = Input::new(data);
    let cap = usize::from(inp.u8() % 8);
    let mut changes = Vec::new();
    while !inp.data.is_empty() && changes.len() < 64 {
        let pick = inp.u8();
        let filter = if pick < 240 { filters[usize::from(pick) % filters.len()] as i16 } else { inp.i32() as i16 };
        if i32::from(filter) == d::EVFILT_SIGNAL {
            continue;
        }
        let ident = match inp.u8() % 8 {
            0 => r0 as u64,
            1 => w0 as u64,
            2 => r1 as u64,
            3 => w1 as u64,
            4 => me,
            5 => 1 << 40,
            _ => inp.u64() % 64,
        };
        let flags = u16::from_le_bytes([inp.u8(), inp.u8()]);
        let fflags = inp.i32() as u32;
        // Timers in milliseconds; keep them short or negative.
        let data = i64::from(inp.i32() % 50);
        changes.push(Kevent { ident, filter, flags, fflags, data, udata: inp.u64(), ext: [0; 4] });
    }
    if let Ok((results, rounds)) = crate::sys::kqueue::session(&changes, cap, 3) {
        assert_eq!(results.len(), changes.len());
        for got in &rounds {
            assert!(got.len() <= cap, "{} events for room {cap}", got.len());
            for ev in got {
                assert!(filters.contains(&i32::from(ev.filter)), "event with filter {}", ev.filter);
                assert_eq!(ev.flags & EV_ERROR, 0, "EV_ERROR from collection: {ev:?}");
            }
        }
    }
    for fd in [r0, w0, r1, w1] {
        let _ = crate::host::fd::close(fd);
    }
}

/// A message a guest writes to a routing socket: never a panic; a reply
/// only with a sound header, its length field true, RTM_GET answers only
/// on success, and the errno echoed on failure.
pub fn rtmsg(data: &[u8]) {
    use crate::host::{IfAddr, Interface, NetState};
    use crate::xlat::routes::{RTF_GATEWAY, RTF_UP, Route};
    dragonfly();
    let lo = Interface {
        name: "lo".into(),
        index: 1,
        flags: 0x1 | 0x8 | 0x40,
        mtu: 65536,
        mac: vec![],
        addrs: vec![IfAddr {
            family: libc::AF_INET,
            addr: vec![127, 0, 0, 1],
            netmask: vec![255, 0, 0, 0],
            broadcast: None,
            scope_id: 0,
        }],
    };
    let def = Route {
        family: libc::AF_INET,
        dst: vec![0; 4],
        prefix: 0,
        gateway: Some(vec![127, 0, 0, 2]),
        flags: RTF_UP | RTF_GATEWAY,
        ifname: "lo".into(),
        metric: 0,
        mtu: 0,
    };
    let st = NetState { routes: crate::host::routes_with(vec![def], std::slice::from_ref(&lo)), ifcs: vec![lo] };
    let root = data.first().is_some_and(|b| b & 1 == 1);
    let o = crate::os::dragonfly::route::output(data, &st, 77, root);
    if let Some((_, m)) = &o.reply {
        assert!(m.len() >= 152 && usize::from(u16::from_ne_bytes([m[0], m[1]])) == m.len());
        assert_eq!(i32::from_ne_bytes(m[16..20].try_into().unwrap()), 77, "the writer's pid");
        let errno = i32::from_ne_bytes(m[24..28].try_into().unwrap());
        let done = u32::from_ne_bytes(m[8..12].try_into().unwrap()) & 0x40 != 0;
        match o.result {
            Ok(()) => assert!(errno == 0 && m[3] == 4 && done, "a success is an answered RTM_GET"),
            Err(_) => assert!(errno != 0, "a failure comes back with its errno"),
        }
    } else {
        assert!(o.result.is_err());
    }
}

/// Bytes from a gdb connection (any local process can connect to the
/// stub's port): split anywhere, they make packets that frame back to
/// themselves, commands with bounded sizes, and register writes that
/// read back.
pub fn rsp(data: &[u8]) {
    use crate::debug::{regs, rsp};
    dragonfly();
    let cut = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut d = rsp::Decoder::default();
    let mut inputs = d.feed(&data[..cut]);
    inputs.extend(d.feed(&data[cut..]));
    let mut r = crate::thread::park::Regs::default();
    let avx = data.get(2).is_some_and(|b| b & 1 == 1);
    if data.get(2).is_some_and(|b| b & 2 == 2) {
        r.ymm_hi = Some([0; 256]);
    }
    for i in inputs {
        let rsp::Input::Packet(p) = i else { continue };
        assert!(p.len() <= rsp::MAX_PACKET);
        let framed = rsp::frame(&p);
        if framed.len() < rsp::MAX_PACKET {
            assert_eq!(rsp::Decoder::default().feed(&framed), vec![rsp::Input::Packet(p.clone())]);
        }
        match rsp::parse(&p) {
            Some(rsp::Command::ReadMem(_, l)) => assert!(l <= rsp::MAX_MEM),
            Some(rsp::Command::WriteRegs(b)) => {
                assert_eq!(regs::write_all(&mut r, avx, &b), b.len() == regs::packet_len(avx));
            }
            Some(rsp::Command::WriteReg(n, b)) => {
                // General, x87 data, vector registers and fs_base hold
                // exactly what was written.
                let exact = n < 17 || (24..=31).contains(&n) || (40..=57).contains(&n) || (avx && n >= 59);
                if regs::write(&mut r, avx, n, &b) && exact {
                    assert_eq!(regs::read(&r, avx, n), Some(b));
                }
            }
            Some(rsp::Command::ReadReg(n)) => assert_eq!(regs::read(&r, avx, n).is_some(), n < regs::count(avx)),
            _ => {}
        }
    }
    let sig = data.get(1).map_or(0, |b| u32::from(*b));
    let p = crate::personality::current();
    let g = crate::debug::gdbsig::to_gdb(sig, (p.signals.name)(sig));
    if g != 143 && (1..=p.signals.max).contains(&sig) {
        assert_eq!(crate::debug::gdbsig::from_gdb(g, p.signals.max, p.signals.name), Some(sig));
    }
}
