//! A real SMTP server on loopback for the e-mail tests: aiosmtpd (PyPI), keeping what it
//! receives in a maildir.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use uuid::Uuid;

use crate::helpers::free_port;

/// aiosmtpd on a free loopback port; stopped when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: PathBuf,
    /// Appears when a stalling server has the first message (`stalling_first`).
    pub stalled_marker: PathBuf,
}

impl SmtpServer {
    /// Accepts and keeps every message.
    pub async fn start() -> Self {
        Self::launch("aiosmtpd.handlers.Mailbox", false).await
    }

    /// Never answers the first message's DATA, and so never keeps it: a sender killed while
    /// it waits has not delivered it (`smtp_stall_first.py`). Every later message is kept.
    pub async fn stalling_first() -> Self {
        Self::launch("smtp_stall_first.StallFirst", true).await
    }

    async fn launch(handler: &str, with_marker: bool) -> Self {
        let port = free_port();
        let name = Uuid::new_v4().simple().to_string();
        let maildir = std::env::temp_dir().join(format!("concord-mail-{name}"));
        let stalled_marker = std::env::temp_dir().join(format!("concord-mail-{name}.stalled"));
        let mut command = Command::new("python3");
        command
            .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", handler])
            .arg(&maildir);
        if with_marker {
            command.arg(&stalled_marker);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m aiosmtpd (pip install aiosmtpd)");
        // Owned at once, so that a failure below still stops it.
        let server = Self {
            child,
            port,
            maildir,
            stalled_marker,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// Every message received so far, as the server stored it.
    pub fn received(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        // Bodies come quoted-printable: undo its soft line breaks.
        let mut mails: Vec<String> = entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
            .collect();
        mails.sort();
        mails
    }

    /// Up to 90 s: on a busy machine the job workers were seen to pause for about 30 s.
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..450 {
            let mails = self.received();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("{count} e-mail(s) expected, got {:?}", self.received());
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
        let _ = std::fs::remove_file(&self.stalled_marker);
    }
}
