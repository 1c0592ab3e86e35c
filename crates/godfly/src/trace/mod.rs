//! System-call tracing in DragonFly `truss` style.

pub mod format;

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::dispatch::{Args, SysResult};

static ENABLED: AtomicBool = AtomicBool::new(false);
static SINK: Mutex<Option<Box<dyn Write + Send>>> = Mutex::new(None);

/// Turns tracing on, writing to `sink`.
pub fn enable(sink: Box<dyn Write + Send>) {
    *SINK.lock().unwrap_or_else(|e| e.into_inner()) = Some(sink);
    ENABLED.store(true, Ordering::Release);
}

/// Whether tracing is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Writes one finished line.
pub fn emit(line: &str) {
    let mut g = SINK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(w) = g.as_mut() {
        let _ = w.write_all(line.as_bytes());
        let _ = w.flush();
    }
}

/// Records a completed call.
pub fn syscall(tid: i32, args: &Args, before: &[String], res: &SysResult) {
    let line = format::line(tid, args, before, res);
    emit(&line);
}
