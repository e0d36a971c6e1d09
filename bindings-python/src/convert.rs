//! Python objects into `serde_json::Value`, the shape `Loader::add_value` reads.
//! (The way back is `ser`.)

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// How deep an object may nest before conversion gives up (a self-referencing
/// dict would otherwise recurse forever).
const MAX_DEPTH: usize = 256;

/// A Python object (as the kubernetes client or a YAML reader returns it) as a
/// JSON value. `path` names the position for errors, e.g. `spec.rules[0]`.
pub(crate) fn to_value(obj: &Bound<'_, PyAny>, path: &mut String) -> PyResult<Value> {
    to_value_at(obj, path, 0)
}

fn to_value_at(obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "{}: nested more than {MAX_DEPTH} levels deep (a cycle?)",
            shown(path)
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // `bool` before `int`: Python's bool is an int.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(PyValueError::new_err(format!(
            "{}: integer out of range",
            shown(path)
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "{}: {} is not a JSON number",
                    shown(path),
                    f.value()
                ))
            });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = key_str(&k, path)?;
            let len = push_key(path, &key);
            let value = to_value_at(&v, path, depth + 1)?;
            path.truncate(len);
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            items.push(to_value_at(&item?, path, depth + 1)?);
            path.truncate(len);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in m.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = key_str(&k, path)?;
            let len = push_key(path, &key);
            let value = to_value_at(&v, path, depth + 1)?;
            path.truncate(len);
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    // A `datetime` (the kubernetes client's typed models give
    // `creationTimestamp` as one): its RFC 3339 text, as the API server sends it.
    if obj.hasattr("isoformat")? && obj.hasattr("tzinfo")? {
        let text: String = obj.call_method0("isoformat")?.extract()?;
        let text = match text.strip_suffix("+00:00") {
            Some(utc) => format!("{utc}Z"),
            None => text,
        };
        return Ok(Value::String(text));
    }
    Err(PyTypeError::new_err(format!(
        "{}: cannot convert a {} to a Kubernetes value (expected dict, list, str, int, float, bool or None)",
        shown(path),
        obj.get_type().name()?
    )))
}

fn key_str(key: &Bound<'_, PyAny>, path: &str) -> PyResult<String> {
    match key.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{}: mapping keys must be str, found {}",
            shown(path),
            key.get_type().name()?
        ))),
    }
}

fn push_key(path: &mut String, key: &str) -> usize {
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    len
}

fn shown(path: &str) -> &str {
    if path.is_empty() { "<object>" } else { path }
}
