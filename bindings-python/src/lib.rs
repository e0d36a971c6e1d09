//! `gatewise._native`: the private native module of the `gatewise` Python
//! package. It holds no Gateway API logic: it converts Python values into core
//! types, calls the core's public API, and hands back the core's own serde views
//! (`DecisionView`, `Explanation`, `Status::to_kubernetes()`, `Rejection`, ...)
//! as plain Python data. The public, typed surface is `python/gatewise/`.

mod convert;
mod ser;

use std::borrow::Cow;

use gatewise::diff::DiffOutput;
use gatewise::lint::{Code, LintOutput};
use gatewise::{GatewayRef, HttpRequest, Options, RequestProtocol, Router, Timestamp};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString, PyTuple};

/// Collects manifests from several sources, then loads and compiles them as one
/// set (`gatewise::Loader`).
#[pyclass(module = "gatewise._native")]
struct Loader {
    inner: Option<gatewise::Loader>,
}

#[pymethods]
impl Loader {
    #[new]
    fn new() -> Self {
        Loader {
            inner: Some(gatewise::Loader::new()),
        }
    }

    /// Adds YAML or JSON text (one or more documents) named `source`.
    fn add_text(&mut self, py: Python<'_>, source: &str, text: &str) -> PyResult<()> {
        let loader = self.loader()?;
        py.detach(|| loader.add_str(source, text));
        Ok(())
    }

    /// Adds an already-parsed object (or `List`) named `source`.
    fn add_object(&mut self, source: &str, obj: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = convert::to_value(obj, &mut String::new())?;
        self.loader()?.add_value(source, value);
        Ok(())
    }

    /// Loads and compiles everything added: `(Compiled, findings)`, where
    /// findings holds `rejected`, `warnings`, `skipped` and `errors` as the
    /// core serialises them (as `gatewise check -o json` shows them).
    fn finish<'py>(
        &mut self,
        py: Python<'py>,
        controller_name: &str,
    ) -> PyResult<(Compiled, Bound<'py, PyAny>)> {
        let loader = self
            .inner
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this Loader has already finished"))?;
        let options = Options::with_controller_name(controller_name);
        let (loaded, compiled) = py.detach(|| {
            let loaded = loader.finish();
            let compiled = Router::compile(&loaded.resources, &options);
            (loaded, compiled)
        });
        let findings = serde_json::json!({
            "rejected": loaded.rejections,
            "warnings": loaded.warnings,
            "skipped": loaded.skipped,
            "errors": loaded.errors,
        });
        let compiled = Compiled {
            inner: compiled,
            loaded,
            controller_name: controller_name.to_owned(),
        };
        Ok((compiled, ser::to_py(py, &findings)?))
    }
}

impl Loader {
    fn loader(&mut self) -> PyResult<&mut gatewise::Loader> {
        self.inner
            .as_mut()
            .ok_or_else(|| PyRuntimeError::new_err("this Loader has already finished"))
    }
}

/// A compiled set of manifests: the router and the status of every object,
/// with the loaded resources beside it (lint and diff read both).
#[pyclass(frozen, module = "gatewise._native")]
struct Compiled {
    inner: gatewise::Compiled,
    loaded: gatewise::Loaded,
    controller_name: String,
}

/// One request as it came from Python, with the protocol's defaults applied
/// (the core's `default_port` and `default_method`).
struct Request<'a> {
    namespace: &'a str,
    name: &'a str,
    port: u16,
    protocol: RequestProtocol,
    host: &'a str,
    sni: Option<&'a str>,
    method: &'a str,
    target: Cow<'a, str>,
    headers: Vec<(String, String)>,
}

impl<'a> Request<'a> {
    #[expect(
        clippy::too_many_arguments,
        reason = "the keyword arguments of Router.route, one by one"
    )]
    fn new(
        gateway: &'a str,
        port: Option<u16>,
        protocol: &str,
        host: Option<&'a str>,
        sni: Option<&'a str>,
        method: Option<&'a str>,
        path: Option<&'a str>,
        grpc: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let (namespace, name) = gateway
            .split_once('/')
            .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'))
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "gateway must be \"namespace/name\", found {gateway:?}"
                ))
            })?;
        let protocol: RequestProtocol = protocol.parse().map_err(PyValueError::new_err)?;
        let port = port.or(protocol.default_port()).ok_or_else(|| {
            PyValueError::new_err(format!("port is required for protocol {protocol}"))
        })?;
        let target = match grpc {
            None => Cow::Borrowed(path.unwrap_or("/")),
            Some(call) => {
                if path.is_some() {
                    return Err(PyValueError::new_err(
                        "give either path or grpc (which sets the path to /service/method)",
                    ));
                }
                let (service, method) = grpc_call(call)?;
                Cow::Owned(gatewise::grpc_path(&service, &method))
            }
        };
        Ok(Request {
            namespace,
            name,
            port,
            protocol,
            host: host.unwrap_or(gatewise_spec::DEFAULT_HOST),
            sni,
            method: method.unwrap_or(protocol.default_method()),
            target,
            headers: header_pairs(headers, "headers")?,
        })
    }

    fn http(&self) -> HttpRequest<'_> {
        HttpRequest::new(self.method, self.host, &self.target)
            .sni(self.sni)
            .owned_headers(&self.headers)
    }

    fn gateway(&self) -> GatewayRef<'a> {
        GatewayRef::new(self.namespace, self.name)
    }
}

/// `"service/method"` or `(service, method)`.
fn grpc_call(call: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    let (service, method) = if let Ok(s) = call.cast::<PyString>() {
        let s = s.to_cow()?;
        match s.trim_start_matches('/').split_once('/') {
            Some((service, method)) => (service.to_owned(), method.to_owned()),
            None => (String::new(), String::new()),
        }
    } else if let Ok(t) = call.cast::<PyTuple>() {
        t.extract::<(String, String)>()?
    } else {
        return Err(PyTypeError::new_err(
            "grpc must be \"service/method\" or a (service, method) tuple",
        ));
    };
    if service.is_empty() || method.is_empty() || method.contains('/') {
        return Err(PyValueError::new_err(format!(
            "grpc must name a service and a method, found {service:?} / {method:?}"
        )));
    }
    Ok((service, method))
}

/// Headers as a mapping (`{"x-version": "2"}`) or a sequence of `(name, value)`
/// pairs (names may repeat).
fn header_pairs(headers: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<(String, String)>> {
    let Some(headers) = headers else {
        return Ok(Vec::new());
    };
    if headers.is_none() {
        return Ok(Vec::new());
    }
    let pair = |item: Bound<'_, PyAny>| -> PyResult<(String, String)> {
        item.extract::<(String, String)>().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} must be a mapping of str to str or a sequence of (name, value) str pairs"
            ))
        })
    };
    if headers.cast::<PyString>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a mapping or a sequence of (name, value) pairs, not a str"
        )));
    }
    if let Ok(m) = headers.cast::<PyMapping>() {
        return m.items()?.iter().map(pair).collect();
    }
    headers.try_iter()?.map(|item| pair(item?)).collect()
}

#[pymethods]
impl Compiled {
    /// The decision for one request, as `DecisionView` serialises it.
    #[pyo3(signature = (*, gateway, port=None, protocol="HTTP", host=None, sni=None, method=None, path=None, grpc=None, headers=None, backend_response_headers=None))]
    #[expect(clippy::too_many_arguments, reason = "keyword arguments")]
    fn route<'py>(
        &self,
        py: Python<'py>,
        gateway: &str,
        port: Option<u16>,
        protocol: &str,
        host: Option<&str>,
        sni: Option<&str>,
        method: Option<&str>,
        path: Option<&str>,
        grpc: Option<&Bound<'py, PyAny>>,
        headers: Option<&Bound<'py, PyAny>>,
        backend_response_headers: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = Request::new(
            gateway, port, protocol, host, sni, method, path, grpc, headers,
        )?;
        let backend = header_pairs(backend_response_headers, "backend_response_headers")?;
        let view = self
            .inner
            .router()
            .route(req.gateway(), req.port, req.protocol, &req.http())
            .view_with_response(&backend);
        ser::to_py(py, &view)
    }

    /// The decision and why: `(Explanation as serialised, Explanation as text)`.
    #[pyo3(signature = (*, gateway, port=None, protocol="HTTP", host=None, sni=None, method=None, path=None, grpc=None, headers=None))]
    #[expect(clippy::too_many_arguments, reason = "keyword arguments")]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        gateway: &str,
        port: Option<u16>,
        protocol: &str,
        host: Option<&str>,
        sni: Option<&str>,
        method: Option<&str>,
        path: Option<&str>,
        grpc: Option<&Bound<'py, PyAny>>,
        headers: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyAny>, String)> {
        let req = Request::new(
            gateway, port, protocol, host, sni, method, path, grpc, headers,
        )?;
        let explanation =
            self.inner
                .router()
                .explain(req.gateway(), req.port, req.protocol, &req.http());
        Ok((ser::to_py(py, &explanation)?, explanation.to_string()))
    }

    /// Every handled object as Kubernetes-shaped data (`Status::to_kubernetes`),
    /// with `now` (Unix seconds) as `lastTransitionTime`.
    fn status<'py>(&self, py: Python<'py>, now: i64) -> PyResult<Bound<'py, PyAny>> {
        let status = self.inner.status(Timestamp::from_unix(now));
        ser::to_py(py, &status.to_kubernetes())
    }

    /// Whether no handled object has `Accepted=False` (`Status::all_accepted`).
    fn all_accepted(&self) -> bool {
        self.inner.status(Timestamp::DEFAULT_EPOCH).all_accepted()
    }

    /// Every Gateway the router serves, as `(namespace, name)`, sorted.
    fn gateways(&self) -> Vec<(String, String)> {
        self.inner
            .router()
            .gateways()
            .into_iter()
            .map(|(ns, name)| (ns.to_owned(), name.to_owned()))
            .collect()
    }

    /// The lint findings, as `gatewise lint -o json` prints them
    /// (`lint::LintOutput`), leaving out the codes (or names) in `allow`.
    #[pyo3(signature = (*, allow=Vec::new()))]
    fn lint<'py>(&self, py: Python<'py>, allow: Vec<String>) -> PyResult<Bound<'py, PyAny>> {
        let allow = allow
            .iter()
            .map(|c| c.parse::<Code>().map_err(PyValueError::new_err))
            .collect::<PyResult<Vec<Code>>>()?;
        let output = py.detach(|| LintOutput::new(&self.loaded, &self.inner, &allow));
        ser::to_py(py, &output)
    }
}

/// What changes from `old` to `new`, as `gatewise diff -o json` prints it
/// (`diff::DiffOutput`). Both must handle the same controller name.
#[pyfunction]
fn diff<'py>(
    py: Python<'py>,
    old: &Bound<'py, Compiled>,
    new: &Bound<'py, Compiled>,
) -> PyResult<Bound<'py, PyAny>> {
    let (old, new) = (old.get(), new.get());
    if old.controller_name != new.controller_name {
        return Err(PyValueError::new_err(format!(
            "old and new handle different controller names ({:?} and {:?}): load both with the same controller_name",
            old.controller_name, new.controller_name
        )));
    }
    let options = Options::with_controller_name(old.controller_name.as_str());
    let output = py.detach(|| DiffOutput::new(&old.loaded, &new.loaded, &options));
    ser::to_py(py, &output)
}

/// Parses one YAML (or JSON) document with the loader's YAML options; a syntax
/// error raises `ValueError(message, line)` (line from 1, or 0 when unknown).
#[pyfunction]
fn parse_yaml<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    match serde_saphyr::from_str_with_options::<serde_json::Value>(
        text,
        gatewise::load::yaml_options(),
    ) {
        Ok(value) => ser::to_py(py, &value),
        Err(err) => {
            let line = err
                .location()
                .and_then(|l| usize::try_from(l.line()).ok())
                .unwrap_or(0);
            let full = err.to_string();
            let first = full.lines().next().unwrap_or(&full).to_owned();
            Err(PyValueError::new_err((first, line)))
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Loader>()?;
    m.add_class::<Compiled>()?;
    m.add_function(wrap_pyfunction!(parse_yaml, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add("DEFAULT_CONTROLLER_NAME", gatewise::DEFAULT_CONTROLLER_NAME)?;
    m.add("DEFAULT_HOST", gatewise_spec::DEFAULT_HOST)?;
    Ok(())
}
