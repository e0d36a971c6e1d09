//! Manifests from text, files and folders, and already-parsed objects, into one
//! `Loader`, so that default creation times and replacement follow the order of
//! every source (the core's rule).

use std::fs;
use std::path::{Path, PathBuf};

use gatewise::Loader;
use napi::bindgen_prelude::{Function, JsObjectValue, JsValue, Unknown, ValueType};
use napi::{Env, Result};
use serde_json::Value;

use crate::error::Problem;
use crate::options::invalid;

/// One source of manifests.
#[derive(Debug)]
pub(crate) enum Source {
    /// YAML or JSON text (one or more documents), named `source`.
    Text { text: String, source: String },
    /// Files, and folders scanned recursively for `*.yaml`, `*.yml`, `*.json`:
    /// every file found, sorted by path and without repeats (as the CLI reads
    /// its arguments).
    Paths(Vec<PathBuf>),
    /// An object or a list of objects, as `JSON.stringify` writes them.
    Value { value: Value, source: String },
}

/// The default source names.
pub(crate) const TEXT: &str = "<text>";
pub(crate) const OBJECTS: &str = "<objects>";

/// A JS value as `JSON.stringify` writes it (a `Date` as its ISO string,
/// `undefined` properties left out), read back as JSON. Objects from an API
/// client (class instances, dates) load as `kubectl` would send them.
pub(crate) fn json_of(env: &Env, value: Unknown<'_>, what: &str) -> Result<Value> {
    let json: napi::bindgen_prelude::Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<'_, Unknown<'_>, Unknown<'_>> = json.get_named_property("stringify")?;
    let text = stringify.call(value)?;
    if text.get_type()? != ValueType::String {
        return Err(invalid(format!(
            "{what} must be JSON-serialisable objects, found {:?}",
            value.get_type()?
        )));
    }
    let text = text.coerce_to_string()?.into_utf8()?;
    serde_json::from_str(text.as_str()?)
        .map_err(|e| invalid(format!("{what} are not JSON-serialisable: {e}")))
}

/// Reads the `sources` argument of `load`: one source or a list, each exactly
/// one of `{text, source?}`, `{path}` (one path or a list), `{object, source?}`.
pub(crate) fn sources_of(value: Value) -> Result<Vec<Source>> {
    let list = match value {
        Value::Array(list) => list,
        one => vec![one],
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| source_of(i, v))
        .collect()
}

fn source_of(index: usize, value: Value) -> Result<Source> {
    let Value::Object(mut map) = value else {
        return Err(invalid(format!(
            "sources[{index}] must be an object with text, path or object"
        )));
    };
    let name = match map.remove("source") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(invalid(format!("sources[{index}].source must be a string")));
        }
    };
    let text = map.remove("text");
    let path = map.remove("path");
    let object = map.remove("object");
    if let Some(key) = map.keys().next() {
        return Err(invalid(format!(
            "sources[{index}] has an unknown key {key:?} (expected text, path or object, and source)"
        )));
    }
    match (text, path, object) {
        (Some(Value::String(text)), None, None) => Ok(Source::Text {
            text,
            source: name.unwrap_or_else(|| TEXT.to_owned()),
        }),
        (None, Some(path), None) if name.is_none() => {
            paths_of(path).map(Source::Paths).ok_or_else(|| {
                invalid(format!(
                    "sources[{index}].path must be a string or a list of strings"
                ))
            })
        }
        (None, None, Some(value)) => Ok(Source::Value {
            value,
            source: name.unwrap_or_else(|| OBJECTS.to_owned()),
        }),
        (Some(_), None, None) => Err(invalid(format!("sources[{index}].text must be a string"))),
        (None, Some(_), None) => Err(invalid(format!(
            "sources[{index}]: a path names itself, source does not apply"
        ))),
        _ => Err(invalid(format!(
            "sources[{index}] must have exactly one of text, path and object"
        ))),
    }
}

fn paths_of(value: Value) -> Option<Vec<PathBuf>> {
    match value {
        Value::String(p) => Some(vec![PathBuf::from(p)]),
        Value::Array(list) => list
            .into_iter()
            .map(|v| match v {
                Value::String(p) => Some(PathBuf::from(p)),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Adds every source to `loader` in order; files of a folder in sorted path
/// order. Unreadable paths become problems; the other sources are still added.
pub(crate) fn add_all(loader: &mut Loader, sources: Vec<Source>, problems: &mut Vec<Problem>) {
    for source in sources {
        match source {
            Source::Text { text, source } => loader.add_str(&source, &text),
            Source::Value { value, source } => add_value(loader, &source, value),
            Source::Paths(paths) => {
                let mut files = Vec::new();
                for path in &paths {
                    if let Err((at, e)) = files_of(path, &mut files) {
                        problems.push(Problem::unreadable(&at, &e));
                    }
                }
                files.sort();
                files.dedup();
                for file in files {
                    match fs::read_to_string(&file) {
                        Ok(text) => loader.add_str(&file.display().to_string(), &text),
                        Err(e) => problems.push(Problem::unreadable(&file, &e.to_string())),
                    }
                }
            }
        }
    }
}

/// An object, or each object of a list, through `Loader::add_value`.
fn add_value(loader: &mut Loader, source: &str, value: Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                loader.add_value(source, item);
            }
        }
        one => loader.add_value(source, one),
    }
}

/// Adds `path` itself, or the manifests under the folder `path`, to `out`.
fn files_of(path: &Path, out: &mut Vec<PathBuf>) -> std::result::Result<(), (PathBuf, String)> {
    let meta = fs::metadata(path).map_err(|e| (path.to_owned(), e.to_string()))?;
    if meta.is_dir() {
        walk(path, out)
    } else {
        out.push(path.to_owned());
        Ok(())
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::result::Result<(), (PathBuf, String)> {
    let entries = fs::read_dir(dir).map_err(|e| (dir.to_owned(), e.to_string()))?;
    for entry in entries {
        let path = entry.map_err(|e| (dir.to_owned(), e.to_string()))?.path();
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
