//! The one class: the compiled router, the status, and what loading refused.

use gatewise::diff::DiffOutput;
use gatewise::lint::{Code, LintOutput};
use gatewise::{Compiled, Loaded, Loader, Options, Timestamp};
use napi::bindgen_prelude::{Either, Function, FunctionRef, JsObjectValue, Object, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use serde::Serialize;

use crate::error::{Problem, load_error};
use crate::options::{LintOptions, ListenerInfo, LoadOptions, Request, RouteRequest, invalid};
use crate::source::{self, Source};

/// Manifests loaded and compiled: the status of every object, the objects the
/// API server would refuse, and the router that decides where requests go.
/// Immutable; made by `load`, `loadText`, `loadPaths` and `loadObjects`.
#[napi]
pub struct Router {
    compiled: Compiled,
    /// The resources loaded (lint and diff read them), and what loading
    /// refused or passed over.
    loaded: Loaded,
    now: Timestamp,
    controller_name: String,
    /// `JSON.parse`: results cross into JS as JSON text parsed by V8, which is
    /// faster than building them property by property through napi.
    json_parse: FunctionRef<String, Unknown<'static>>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("compiled", &self.compiled)
            .field("loaded", &self.loaded)
            .field("now", &self.now)
            .field("controller_name", &self.controller_name)
            .finish_non_exhaustive()
    }
}

impl Router {
    /// A serde view as a plain JS object: the CLI's `-o json`, parsed.
    fn to_js<'env>(&self, env: &'env Env, value: &impl Serialize) -> Result<Unknown<'env>> {
        let text = serde_json::to_string(value)
            .map_err(|e| napi::Error::from_reason(format!("cannot serialise a result: {e}")))?;
        self.json_parse.borrow_back(env)?.call(text)
    }
}

/// An explanation with its text, as `explain` returns it.
#[derive(Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    explanation: &'a gatewise::Explanation,
    text: String,
}

#[napi]
impl Router {
    /// The controller name whose GatewayClasses are handled.
    #[napi(getter)]
    pub fn controller_name(&self) -> String {
        self.controller_name.clone()
    }

    /// The status of every handled object (our GatewayClasses, their Gateways,
    /// and the routes that name them), Kubernetes-shaped as `kubectl get -o
    /// json` shows it: the `status` list of `gatewise check -o json`.
    #[napi(ts_return_type = "StatusObject[]")]
    pub fn status<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.to_js(env, &self.compiled.status(self.now).to_kubernetes())
    }

    /// Objects the API server would refuse (schema or CEL rules), with every
    /// field path that breaks a rule. They take no part in routing.
    #[napi(ts_return_type = "Rejection[]")]
    pub fn rejected<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.to_js(env, &self.loaded.rejections)
    }

    /// Unknown fields pruned (as the API server prunes them).
    #[napi(ts_return_type = "Warning[]")]
    pub fn warnings<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.to_js(env, &self.loaded.warnings)
    }

    /// Objects of kinds Gatewise does not read, passed over.
    #[napi(ts_return_type = "Skipped[]")]
    pub fn skipped<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.to_js(env, &self.loaded.skipped)
    }

    /// Everything `gatewise check -o json` prints, in the same shape: `status`,
    /// `rejected`, `warnings` and `skipped` (documents that cannot be read
    /// throw `GatewiseLoadError` instead of appearing as `errors`).
    #[napi(ts_return_type = "CheckReport")]
    pub fn check<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.to_js(
            env,
            &serde_json::json!({
                "status": self.compiled.status(self.now).to_kubernetes(),
                "rejected": self.loaded.rejections,
                "warnings": self.loaded.warnings,
                "skipped": self.loaded.skipped,
            }),
        )
    }

    /// Whether no handled object (GatewayClass, Gateway, listener, route
    /// parent) has `Accepted=False`: the gate a CI check uses.
    #[napi]
    pub fn all_accepted(&self) -> bool {
        self.compiled.status(self.now).all_accepted()
    }

    /// Every Gateway the router serves, as `namespace/name`, sorted.
    #[napi]
    pub fn gateways(&self) -> Vec<String> {
        self.compiled
            .router()
            .gateways()
            .into_iter()
            .map(|(ns, name)| format!("{ns}/{name}"))
            .collect()
    }

    /// The listeners of a Gateway (`namespace/name`) in their order, with the
    /// routes attached to each; empty for a Gateway that is not ours.
    #[napi]
    pub fn listeners(&self, gateway: String) -> Result<Vec<ListenerInfo>> {
        let Some((ns, name)) = gateway.split_once('/') else {
            return Err(invalid(format!(
                "gateway must be namespace/name, found {gateway:?}"
            )));
        };
        let router = self.compiled.router();
        Ok(router
            .listeners(ns, name)
            .into_iter()
            .map(|l| ListenerInfo::new(router, ns, name, l))
            .collect())
    }

    /// Problems between objects that no status condition shows (codes GW001
    /// to GW011), as `gatewise lint -o json` prints them: each finding with
    /// its code, severity, object, field, a sentence and, where one exists, an
    /// example request that shows the problem when routed; and the objects
    /// loading rejected.
    #[napi(ts_return_type = "LintReport")]
    pub fn lint<'env>(
        &self,
        env: &'env Env,
        options: Option<LintOptions>,
    ) -> Result<Unknown<'env>> {
        let allow = options
            .and_then(|o| o.allow)
            .unwrap_or_default()
            .iter()
            .map(|c| c.parse::<Code>().map_err(invalid))
            .collect::<Result<Vec<Code>>>()?;
        self.to_js(env, &LintOutput::new(&self.loaded, &self.compiled, &allow))
    }

    /// Where a request goes: forwarded to weighted backends, redirected,
    /// answered by the gateway (404, 500, 421, 400) or refused. Never throws for
    /// an outcome; only a malformed request object is an error.
    #[napi(ts_return_type = "Decision")]
    pub fn route<'env>(&self, env: &'env Env, request: RouteRequest) -> Result<Unknown<'env>> {
        let r = Request::new(request)?;
        let view = self
            .compiled
            .router()
            .route(r.gateway(), r.port, r.protocol, &r.view())
            .view_with_response(&r.backend_response);
        self.to_js(env, &view)
    }

    /// Why a request gets its decision: the listeners considered, every
    /// candidate rule in precedence order and why it won, lost or did not
    /// match; `text` is the same in words (as `gatewise route --explain`).
    #[napi(ts_return_type = "Explanation")]
    pub fn explain<'env>(&self, env: &'env Env, request: RouteRequest) -> Result<Unknown<'env>> {
        let r = Request::new(request)?;
        let explanation =
            self.compiled
                .router()
                .explain(r.gateway(), r.port, r.protocol, &r.view());
        self.to_js(
            env,
            &Explained {
                text: explanation.to_string(),
                explanation: &explanation,
            },
        )
    }
}

/// What a change from `oldVersion` to `newVersion` does, as `gatewise diff -o
/// json` prints it: the status conditions that change, and for every rule
/// match of either version a request derived from it, routed through both,
/// with both decisions where they differ; and the objects each version
/// rejected. Objects in both keep the old version's creation times, as
/// applying the new one over it would. Throws when the two were loaded with
/// different controller names.
#[napi(ts_return_type = "DiffReport")]
pub fn diff<'env>(
    env: &'env Env,
    old_version: &Router,
    new_version: &Router,
) -> Result<Unknown<'env>> {
    let (old, new) = (old_version, new_version);
    if old.controller_name != new.controller_name {
        return Err(invalid(format!(
            "the old and new versions handle different controller names ({:?} and {:?}): load both with the same controllerName",
            old.controller_name, new.controller_name
        )));
    }
    let options = Options::with_controller_name(old.controller_name.clone());
    old.to_js(env, &DiffOutput::new(&old.loaded, &new.loaded, &options))
}

/// Loads manifests from several sources through one loader, in order: text,
/// files and folders, and already-parsed objects. Throws `GatewiseLoadError`
/// when a path cannot be read or a document is not a Kubernetes object (and,
/// with `strict`, when an object is rejected).
#[napi(ts_args_type = "sources: ManifestSource | ManifestSource[], options?: LoadOptions")]
pub fn load(env: &Env, sources: Unknown<'_>, options: Option<LoadOptions<'_>>) -> Result<Router> {
    let sources = source::sources_of(source::json_of(env, sources, "sources")?)?;
    finish(env, sources, options)
}

/// Loads YAML or JSON text (one or more documents; `List` objects unpacked).
#[napi]
pub fn load_text(env: &Env, text: String, options: Option<LoadOptions<'_>>) -> Result<Router> {
    let source = options
        .as_ref()
        .and_then(|o| o.source.clone())
        .unwrap_or_else(|| source::TEXT.to_owned());
    finish(env, vec![Source::Text { text, source }], options)
}

/// Loads files, and folders scanned recursively for `*.yaml`, `*.yml` and
/// `*.json`, in sorted path order (as the CLI reads its arguments).
#[napi]
pub fn load_paths(
    env: &Env,
    paths: Either<String, Vec<String>>,
    options: Option<LoadOptions<'_>>,
) -> Result<Router> {
    let paths = match paths {
        Either::A(one) => vec![one.into()],
        Either::B(list) => list.into_iter().map(Into::into).collect(),
    };
    finish(env, vec![Source::Paths(paths)], options)
}

/// Loads already-parsed objects (for instance from an API client), read as
/// `JSON.stringify` writes them; `List` objects are unpacked.
#[napi(ts_args_type = "objects: object | object[], options?: LoadOptions")]
pub fn load_objects(
    env: &Env,
    objects: Unknown<'_>,
    options: Option<LoadOptions<'_>>,
) -> Result<Router> {
    let value = source::json_of(env, objects, "objects")?;
    let source = options
        .as_ref()
        .and_then(|o| o.source.clone())
        .unwrap_or_else(|| source::OBJECTS.to_owned());
    finish(env, vec![Source::Value { value, source }], options)
}

fn finish(env: &Env, sources: Vec<Source>, options: Option<LoadOptions<'_>>) -> Result<Router> {
    let (controller_name, now, strict) = match options {
        Some(o) => (o.controller_name, o.now, o.strict.unwrap_or(false)),
        None => (None, None, false),
    };
    let controller_name =
        controller_name.unwrap_or_else(|| gatewise::DEFAULT_CONTROLLER_NAME.to_owned());
    let now = match now {
        Some(Either::A(date)) => millis(date.value_of()?)?,
        Some(Either::B(ms)) => millis(ms)?,
        None => clock(),
    };
    let mut loader = Loader::new();
    let mut problems = Vec::new();
    source::add_all(&mut loader, sources, &mut problems);
    let loaded = loader.finish();
    problems.extend(loaded.errors.iter().map(Problem::load_error));
    if strict {
        problems.extend(loaded.rejections.iter().flat_map(Problem::rejection));
    }
    if !problems.is_empty() {
        return Err(load_error(env, &problems));
    }
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'static>> = json.get_named_property("parse")?;
    let compiled = gatewise::Router::compile(
        &loaded.resources,
        &Options::with_controller_name(controller_name.clone()),
    );
    Ok(Router {
        compiled,
        loaded,
        now,
        controller_name,
        json_parse: parse.create_ref()?,
    })
}

/// A time in milliseconds since the epoch, to whole seconds.
fn millis(ms: f64) -> Result<Timestamp> {
    if !ms.is_finite() {
        return Err(invalid(format!("now must be a valid date, found {ms}")));
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a finite JS time value is within ±8.64e15 ms, far inside i64"
    )]
    let secs = (ms / 1000.0).floor() as i64;
    Ok(Timestamp::from_unix(secs))
}

/// The current time (the core reads no clock; the binding does, as the CLI).
fn clock() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Timestamp::from_unix(secs)
}
