//! `--presenters-apart`: the presenters' sockets on a thread of the tool's own.
//!
//! On a real deployment a presenter's browser is on a machine of its own; here it
//! shares the tool's runtime with thousands of attendees, and a staff snapshot the
//! server sent on time can wait in that runtime's queue behind the attendees' messages
//! before the tool looks at it. On a thread of their own (its own runtime, its own
//! I/O driver: the sockets are opened there) the presenters read as soon as the
//! kernel gives that thread the CPU. The cores are still shared: the server is not
//! spared any work.

use std::future::Future;
use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Apart {
    handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Apart {
    pub fn start() -> anyhow::Result<Self> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("presenters".into())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })?;
        Ok(Self {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Runs `task` on the presenters' thread.
    pub fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(task)
    }
}

impl Drop for Apart {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
