//! Builds the exec shim (`preload/godfly_preload.c`) as a shared object that
//! the godfly binary carries (see `host::preload`).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let src = "preload/godfly_preload.c";
    println!("cargo:rerun-if-changed={src}");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("godfly_preload.so");
    let compiler = cc::Build::new().get_compiler();
    let status = Command::new(compiler.path())
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-o"])
        .arg(&out)
        .arg(src)
        .arg("-ldl")
        .status()
        .expect("run the C compiler for the exec shim");
    assert!(status.success(), "building {src} failed");
}
