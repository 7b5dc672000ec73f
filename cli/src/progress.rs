//! A progress line on stderr for commands that fetch page after page, shown only
//! when stderr is a terminal, so that logs and pipes never see it.

use std::io::{IsTerminal as _, Write as _};

/// One line of progress, redrawn in place and erased before data is printed
/// (stdout and stderr are often the same terminal).
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    shown: bool,
}

impl Progress {
    /// Progress on stderr when it is a terminal; otherwise nothing is ever drawn.
    pub fn on_stderr() -> Progress {
        Progress { enabled: std::io::stderr().is_terminal(), shown: false }
    }

    /// Replaces the line with `text`.
    pub fn show(&mut self, text: &str) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{text}").and_then(|()| stderr.flush());
            self.shown = true;
        }
    }

    /// Erases the line, if one is shown.
    pub fn clear(&mut self) {
        if self.shown {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K").and_then(|()| stderr.flush());
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
