//! Watching the input files: any change (a file written, renamed into place, a
//! ConfigMap volume's `..data` link swapped by the kubelet) triggers a reload
//! after a short quiet period.

use std::path::Path;
use std::sync::Arc;

use notify::{EventKind, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;
use tracing::debug;

use crate::server::{Shared, reload};

pub(crate) fn start(shared: Arc<Shared>) -> Result<notify::RecommendedWatcher, String> {
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else {
            return;
        };
        // Reading the files (as a reload does) produces access events; metadata
        // changes alone (atime) change nothing either.
        let relevant = !matches!(
            event.kind,
            EventKind::Access(_) | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
        );
        if relevant {
            // A full channel already holds a pending reload.
            let _ = tx.try_send(());
        }
    })
    .map_err(|e| e.to_string())?;
    for path in &shared.config.paths {
        let (dir, mode) = if path.is_dir() {
            (path.as_path(), RecursiveMode::Recursive)
        } else {
            // A file is often replaced by a rename: watch its folder.
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            (
                parent.unwrap_or(Path::new(".")),
                RecursiveMode::NonRecursive,
            )
        };
        watcher
            .watch(dir, mode)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let debounce = shared.config.reload_debounce;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                r = rx.recv() => if r.is_none() { return },
                () = shared.shutdown.cancelled() => return,
            }
            // Let a burst of events (an editor's save, a ConfigMap swap) settle.
            loop {
                tokio::select! {
                    r = rx.recv() => if r.is_none() { return },
                    () = tokio::time::sleep(debounce) => break,
                }
            }
            debug!("input files changed");
            // A refused configuration is logged and counted by reload itself.
            let _ = reload(&shared, false, false).await;
        }
    });
    Ok(watcher)
}
