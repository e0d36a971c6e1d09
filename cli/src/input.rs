//! Reading manifests from files, folders and stdin into one Loader.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use gatewise::{Loaded, Loader, Timestamp};

/// Loads every path (a file, a folder scanned recursively for `*.yaml`,
/// `*.yml`, `*.json`, or `-` for stdin) through one [`Loader`], files in
/// sorted path order, stdin last. An unreadable path is an error naming it.
pub(crate) fn load_paths(paths: &[PathBuf]) -> Result<Loaded, String> {
    let mut files = Vec::new();
    let mut stdin = false;
    for path in paths {
        if path.as_os_str() == "-" {
            stdin = true;
            continue;
        }
        let meta =
            fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    let mut loader = Loader::new();
    for file in &files {
        let text =
            fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        loader.add_str(&file.display().to_string(), &text);
    }
    if stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read <stdin>: {e}"))?;
        loader.add_str("<stdin>", &text);
    }
    Ok(loader.finish())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The current time, for `lastTransitionTime` (the core reads no clock).
pub(crate) fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Timestamp::from_unix(secs)
}
