//! What the tests that run the real `lojal-server` binary share.

use std::io::Read;
use std::process::Child;
use std::sync::{Arc, Mutex};

/// The server's standard error, collected as it is written (so a test can
/// read its log, and the pipe never fills and stalls the server).
pub fn collect_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr piped");
    let sink = log.clone();
    std::thread::spawn(move || {
        let mut buf = [0; 8192];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    log
}
