//! The one error mapping: what stops a load (an unreadable path, a document that
//! is not a Kubernetes object, and with `strict` a rejected object) becomes a
//! JS `Error` with `code: 'GatewiseLoadError'` and the problems as data;
//! `index.js` raises it as a `GatewiseLoadError`.

use std::path::Path;

use gatewise::{LoadError, Rejection, SourceLocation};
use napi::bindgen_prelude::{JsObjectValue, JsValue};
use napi::{Env, Error, Result, Status};
use serde::Serialize;

/// The `code` of the error, which `index.js` recognises.
const CODE: &str = "GatewiseLoadError";

/// One problem, as the error's `problems` list holds it (`LoadProblem` in
/// `index.d.ts`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Problem {
    message: String,
    kind: Option<String>,
    namespace: Option<String>,
    object_name: Option<String>,
    field_path: Option<String>,
    source: Option<String>,
    document: Option<usize>,
    line: Option<usize>,
}

impl Problem {
    /// A file or folder that cannot be read.
    pub(crate) fn unreadable(path: &Path, error: &str) -> Problem {
        Problem {
            message: format!("cannot read {}: {error}", path.display()),
            kind: None,
            namespace: None,
            object_name: None,
            field_path: None,
            source: Some(path.display().to_string()),
            document: None,
            line: None,
        }
    }

    /// A document that could not be read at all.
    pub(crate) fn load_error(e: &LoadError) -> Problem {
        Problem {
            message: format!("{e}"),
            kind: None,
            namespace: None,
            object_name: None,
            field_path: None,
            ..Problem::at(&e.location)
        }
    }

    /// Every rule a rejected object breaks, one problem each.
    pub(crate) fn rejection(r: &Rejection) -> impl Iterator<Item = Problem> + '_ {
        r.errors.iter().map(move |e| Problem {
            message: format!("{} rejected ({}): {e}", r.object, r.location),
            kind: Some(r.object.kind.clone()),
            namespace: Some(r.object.namespace.clone()).filter(|n| !n.is_empty()),
            object_name: Some(r.object.name.clone()),
            field_path: Some(e.field.clone()),
            ..Problem::at(&r.location)
        })
    }

    fn at(location: &SourceLocation) -> Problem {
        Problem {
            message: String::new(),
            kind: None,
            namespace: None,
            object_name: None,
            field_path: None,
            source: Some(location.source.clone()),
            document: Some(location.document),
            line: Some(location.line),
        }
    }
}

/// The error thrown for `problems` (at least one): its message is the first
/// problem's (with a count of the others), and `problems` lists them all.
pub(crate) fn load_error(env: &Env, problems: &[Problem]) -> Error {
    match build(env, problems) {
        Ok(e) => e,
        Err(e) => e,
    }
}

fn build(env: &Env, problems: &[Problem]) -> Result<Error> {
    let first = problems.first().map_or("", |p| p.message.as_str());
    let message = match problems.len() {
        0 | 1 => first.to_owned(),
        n => format!("{first} (and {} more)", n - 1),
    };
    let mut error = env.create_error(Error::new(Status::GenericFailure, message))?;
    error.set_named_property("code", CODE)?;
    error.set_named_property("problems", env.to_js_value(&problems)?)?;
    Ok(Error::from(error.to_unknown()))
}
