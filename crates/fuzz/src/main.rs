//! `godfly-fuzz`: runs godfly's fuzz targets (`godfly::fuzz`) on stable
//! Rust. Every corpus input runs first (the regression pass); then inputs
//! mutated from the corpus run until the time or count budget is spent.
//! A failing input is saved under `fuzz/artifacts/<target>/` and the
//! process aborts with its path on standard error. Coverage-guided runs
//! use the cargo-fuzz crate in `fuzz/` on the same targets and corpora.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use godfly::fuzz::{TARGETS, seeds};

/// The input being run, for the panic hook.
static CURRENT: Mutex<Option<(String, Vec<u8>)>> = Mutex::new(None);

struct Opts {
    seconds: f64,
    runs: Option<u64>,
    seed: u64,
    root: PathBuf,
    write_seeds: bool,
    targets: Vec<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: godfly-fuzz [--seconds S] [--runs N] [--seed N] [--root DIR] [--write-seeds] [TARGET...]\n\
         targets: {}",
        TARGETS.iter().map(|t| t.0).collect::<Vec<_>>().join(" ")
    );
    std::process::exit(2)
}

fn parse_args() -> Opts {
    let mut o = Opts {
        seconds: 10.0,
        runs: None,
        seed: 0x9e37_79b9_7f4a_7c15,
        root: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz"),
        write_seeds: false,
        targets: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--seconds" => o.seconds = val().parse().unwrap_or_else(|_| usage()),
            "--runs" => o.runs = Some(val().parse().unwrap_or_else(|_| usage())),
            "--seed" => o.seed = val().parse().unwrap_or_else(|_| usage()),
            "--root" => o.root = PathBuf::from(val()),
            "--write-seeds" => o.write_seeds = true,
            "-h" | "--help" => usage(),
            t if godfly::fuzz::target(t).is_some() => o.targets.push(t.to_string()),
            _ => {
                eprintln!("godfly-fuzz: unknown target or option {a:?}");
                usage()
            }
        }
    }
    if o.targets.is_empty() {
        o.targets = TARGETS.iter().map(|t| t.0.to_string()).collect();
    }
    o
}

/// xorshift64*: small, fast, reproducible from `--seed`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const INTERESTING: &[u64] = &[
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    16,
    32,
    56,
    64,
    127,
    128,
    255,
    256,
    0x1000,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x40_0000,
    0x7fff_ffe0_0000,
    0x8000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// One to eight byte-level edits (libFuzzer's usual ones).
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..=rng.below(8) {
        let len = data.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                data.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = (1 + rng.below(16)).min(len - i);
                data.drain(i..i + n);
            }
            4 | 5 if len >= 8 => {
                let v = INTERESTING[rng.below(INTERESTING.len())];
                let w = [1, 2, 4, 8][rng.below(4)];
                let i = rng.below(len - w + 1);
                data[i..i + w].copy_from_slice(&v.to_le_bytes()[..w]);
            }
            6 if !other.is_empty() => {
                let a = rng.below(other.len());
                let n = (1 + rng.below(64)).min(other.len() - a);
                let i = rng.below(len + 1);
                data.splice(i..i, other[a..a + n].iter().copied());
            }
            7 if len > 1 => {
                let cut = rng.below(len);
                data.truncate(cut.max(1));
            }
            _ => data.push(rng.next() as u8),
        }
    }
    data.truncate(1 << 16);
}

fn corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn run_one(name: &str, f: fn(&[u8]), data: &[u8]) {
    if let Ok(mut c) = CURRENT.lock() {
        match c.as_mut() {
            Some((n, d)) => {
                n.clear();
                n.push_str(name);
                d.clear();
                d.extend_from_slice(data);
            }
            None => *c = Some((name.to_string(), data.to_vec())),
        }
    }
    f(data);
}

fn install_hook(root: PathBuf) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        // The lock may be held only by the fuzzing thread, which is here.
        if let Some((name, data)) = CURRENT.try_lock().ok().and_then(|c| c.clone()) {
            let dir = root.join("artifacts").join(&name);
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("crash-{:016x}", fnv(&data)));
            let _ = std::fs::write(&path, &data);
            eprintln!("godfly-fuzz: target {name} failed; input saved to {}", path.display());
        }
    }));
}

/// Generated seeds for the corpora (`--write-seeds`).
fn seed_inputs(target: &str) -> Vec<Vec<u8>> {
    use seeds::Parts;
    match target {
        "elf" => vec![
            seeds::program(Parts { note: true, go: false }),
            seeds::program(Parts { note: true, go: true }),
            seeds::program(Parts { note: false, go: true }),
        ],
        "sysctl" => {
            // namelen, then (tag, component) pairs, then the write flag and a name.
            let mib = |m: &[i32], name: &str| {
                let mut v = vec![m.len() as u8];
                for &c in m {
                    v.push(1);
                    v.extend_from_slice(&c.to_le_bytes());
                }
                v.push(u8::from(!name.is_empty()));
                v.extend_from_slice(name.as_bytes());
                v
            };
            vec![
                mib(&[6, 3], ""),
                mib(&[1, 14, 9, -1], ""),
                mib(&[0, 3], "kern.osreldate"),
                mib(&[17, 17, 0, 2, 3, 0], ""),
                mib(&[1, 24], "hw.pagesize\0"),
            ]
        }
        "sockaddr" => vec![
            [&[16u8, 2, 0x1f, 0x90, 127, 0, 0, 1][..], &[0; 8]].concat(),
            [&[28u8, 28, 0x1f, 0x90][..], &[0; 24]].concat(),
            [&[20u8, 1][..], b"/tmp/sock\0\0\0\0\0\0\0\0\0"].concat(),
        ],
        "cmsg" => {
            let mut v = Vec::new();
            v.extend_from_slice(&24u32.to_ne_bytes());
            v.extend_from_slice(&0xffffi32.to_ne_bytes());
            v.extend_from_slice(&1i32.to_ne_bytes());
            v.extend_from_slice(&[0; 4]);
            v.extend_from_slice(&7i32.to_ne_bytes());
            v.extend_from_slice(&9i32.to_ne_bytes());
            vec![v]
        }
        "rtmsg" => {
            // RTM_GET 127.0.0.1 with RTA_DST|RTA_IFP, and a /24 mask.
            let get = |addrs: u32, extra: &[u8]| {
                let mut m = vec![0u8; 152];
                m[2] = 7;
                m[3] = 4;
                m[12..16].copy_from_slice(&addrs.to_ne_bytes());
                m.extend_from_slice(&[16, 2, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
                m.extend_from_slice(extra);
                let len = m.len() as u16;
                m[..2].copy_from_slice(&len.to_ne_bytes());
                m
            };
            vec![get(0x11, &[]), get(0x5, &[7, 2, 0, 0, 255, 255, 255, 0])]
        }
        _ => vec![(0u8..=255).collect()],
    }
}

fn main() {
    let o = parse_args();
    install_hook(o.root.clone());
    let mut failed_regressions = false;
    let per_target = Duration::from_secs_f64(o.seconds / o.targets.len() as f64);
    let mut total = 0u64;
    for (k, name) in o.targets.iter().enumerate() {
        let f = godfly::fuzz::target(name).expect("checked in parse_args");
        let dir = o.root.join("corpus").join(name);
        if o.write_seeds {
            let _ = std::fs::create_dir_all(&dir);
            for s in seed_inputs(name) {
                let _ = std::fs::write(dir.join(format!("seed-{:016x}", fnv(&s))), &s);
            }
        }
        let mut inputs = corpus(&dir);
        if inputs.is_empty() {
            eprintln!("godfly-fuzz: {name}: empty corpus at {}", dir.display());
            failed_regressions = true;
            inputs.push(Vec::new());
        }
        for i in &inputs {
            run_one(name, f, i);
        }
        let mut rng = Rng(o.seed ^ (k as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let start = Instant::now();
        let mut n = 0u64;
        let mut buf = Vec::new();
        loop {
            if o.runs.map_or(start.elapsed() >= per_target, |r| n >= r) {
                break;
            }
            let a = rng.below(inputs.len());
            let b = rng.below(inputs.len());
            buf.clear();
            buf.extend_from_slice(&inputs[a]);
            mutate(&mut rng, &mut buf, &inputs[b]);
            run_one(name, f, &buf);
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name:<10} corpus {:>4}  mutated runs {n:>10}  {:>9.0}/s  {secs:>7.1} s  no failures",
            inputs.len(),
            n as f64 / secs.max(1e-9)
        );
        total += n;
    }
    println!("godfly-fuzz: {} targets, {total} mutated runs, no failures", o.targets.len());
    if failed_regressions {
        std::process::exit(1);
    }
}
