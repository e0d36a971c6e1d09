//! Load: Kubernetes manifests (multi-document YAML, JSON, `kind: List`, `kubectl
//! get -o yaml` dumps, or already-parsed values) into validated [`Resources`].
//!
//! # What the loader decides
//!
//! - **Documents.** A source is split into YAML documents at `---` lines; each is
//!   parsed on its own, so a syntax error loses only its document
//!   ([`LoadError`] names the source, the document's index from 0 and its line).
//!   Duplicate mapping keys are errors, as `kubectl apply` makes them. Only
//!   YAML 1.2 booleans (`true`, `false`) are booleans: `y`, `yes` and `on` are
//!   strings, as Python's and Node's YAML readers take them.
//! - **Lists.** `kind: List` (or any `*List` with `items`) is unpacked.
//! - **Kinds.** GatewayClass, Gateway, HTTPRoute (`gateway.networking.k8s.io/v1`,
//!   also `v1beta1`), ReferenceGrant (`v1` and `v1beta1`), core `v1` Namespace,
//!   Service, Secret, and `discovery.k8s.io/v1` EndpointSlice. Every other kind is
//!   [`Skipped`], not an error.
//! - **Server fields.** `status`, `metadata.managedFields`, `uid`,
//!   `resourceVersion` and the like are dropped silently. Any other unknown field of
//!   a Gateway API object is pruned, as the API server prunes it, and reported as a
//!   [`Warning`].
//! - **Namespaces.** A namespaced object without `metadata.namespace` is in
//!   `default`.
//! - **Replacement.** When two objects share group, kind, namespace and name, the
//!   later replaces the earlier, as a second `kubectl apply` would; it keeps the
//!   earlier one's default creation time.
//! - **Time.** An object without `metadata.creationTimestamp` is taken as created in
//!   the order objects appear, one second apart, starting at 2024-01-01T00:00:00Z
//!   (the n-th object read, from 0, gets that instant plus n seconds), as `kubectl
//!   apply -f` would create them.
//! - **Validation.** Each object is checked against its CRD's OpenAPI schema and CEL
//!   rules (see [`crate::validate`]); an object that breaks one becomes a
//!   [`Rejection`] naming the object and the field path, and takes no part in
//!   routing.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use crate::api::{
    EndpointSliceSpec, GatewayClassSpec, GatewaySpec, GrpcRouteSpec, HttpRouteSpec,
    ListenerSetSpec, ObjectMeta, ReferenceGrantSpec, SecretSpec, ServiceSpec, StreamRouteSpec,
    TlsRouteSpec,
};
use crate::error::{FieldError, LoadError, ObjectRef, Rejection, Skipped, SourceLocation, Warning};
use crate::resources::{Meta, Object, Resources};
use crate::time::Timestamp;
use crate::validate;

/// What loading produced: the valid objects and everything that was not.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Loaded {
    /// The valid objects, ready for [`Router::compile`](crate::Router::compile).
    pub resources: Resources,
    /// Objects refused by schema or CEL validation.
    pub rejections: Vec<Rejection>,
    /// Pruned unknown fields.
    pub warnings: Vec<Warning>,
    /// Objects of kinds Gatewise does not read.
    pub skipped: Vec<Skipped>,
    /// Documents that could not be read at all.
    pub errors: Vec<LoadError>,
}

/// Loads one source of manifests (see the module docs for the rules).
///
/// `source` names the text in messages (a file path, `<stdin>`).
pub fn load_str(source: &str, text: &str) -> Loaded {
    let mut loader = Loader::new();
    loader.add_str(source, text);
    loader.finish()
}

/// Collects manifests from several sources, then loads them as one set, so that
/// default creation times and replacement follow the order of all sources.
#[derive(Debug, Default)]
pub struct Loader {
    entries: Vec<Entry>,
    errors: Vec<LoadError>,
}

#[derive(Debug)]
struct Entry {
    value: Value,
    location: SourceLocation,
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Self {
        Loader::default()
    }

    /// Adds YAML or JSON text (one or more documents).
    pub fn add_str(&mut self, source: &str, text: &str) {
        for doc in split_documents(text) {
            let location = SourceLocation {
                source: source.to_owned(),
                document: doc.index,
                line: doc.line,
            };
            match serde_saphyr::from_str_with_options::<Value>(doc.text, yaml_options()) {
                Ok(value) => self.add_value_at(value, location),
                Err(err) => {
                    let line = err
                        .location()
                        .and_then(|l| usize::try_from(l.line()).ok())
                        .filter(|l| *l > 0)
                        .map_or(doc.line, |l| doc.first_line + l - 1);
                    let message = yaml_message(&err.to_string());
                    self.errors.push(LoadError {
                        location: SourceLocation { line, ..location },
                        message: format!("invalid yaml: {message}"),
                    });
                }
            }
        }
    }

    /// Adds an already-parsed object (or `List`), e.g. from an API client.
    pub fn add_value(&mut self, source: &str, value: Value) {
        let document = self
            .entries
            .iter()
            .filter(|e| e.location.source == source)
            .count();
        self.add_value_at(
            value,
            SourceLocation {
                source: source.to_owned(),
                document,
                line: 1,
            },
        );
    }

    fn add_value_at(&mut self, value: Value, location: SourceLocation) {
        match value {
            Value::Null => {}
            Value::Object(ref map) => {
                let is_list = map
                    .get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List"))
                    && map.get("items").is_some_and(Value::is_array);
                if is_list {
                    if let Value::Object(mut map) = value
                        && let Some(Value::Array(items)) = map.remove("items")
                    {
                        for item in items {
                            self.add_value_at(item, location.clone());
                        }
                    }
                } else {
                    self.entries.push(Entry { value, location });
                }
            }
            other => self.errors.push(LoadError {
                location,
                message: format!(
                    "expected a kubernetes object (a mapping), found {}",
                    value_kind(&other)
                ),
            }),
        }
    }

    /// Loads everything added, in order.
    pub fn finish(self) -> Loaded {
        let mut loaded = Loaded {
            errors: self.errors,
            ..Loaded::default()
        };
        // Identity -> index into `kept`; later objects replace earlier ones.
        let mut index: HashMap<(String, String, String, String), usize> = HashMap::new();
        let mut kept: Vec<(Entry, Identity, usize)> = Vec::new();
        for (seq, entry) in self.entries.into_iter().enumerate() {
            let id = match identify(&entry.value) {
                Ok(id) => id,
                Err(message) => {
                    loaded.errors.push(LoadError {
                        location: entry.location,
                        message,
                    });
                    continue;
                }
            };
            let key = (
                id.group.clone(),
                id.kind.clone(),
                id.namespace.clone(),
                id.name.clone(),
            );
            match index.get(&key) {
                Some(&i) => {
                    let first_seq = kept[i].2;
                    kept[i] = (entry, id, first_seq);
                }
                None => {
                    index.insert(key, kept.len());
                    kept.push((entry, id, seq));
                }
            }
        }
        for (entry, id, seq) in kept {
            let default_time =
                Timestamp::DEFAULT_EPOCH.plus_secs(i64::try_from(seq).unwrap_or(i64::MAX));
            load_object(&mut loaded, entry, &id, default_time);
        }
        loaded.resources.sort();
        loaded
    }
}

#[derive(Debug)]
struct Identity {
    api_version: String,
    group: String,
    version: String,
    kind: String,
    namespace: String,
    name: String,
}

fn identify(value: &Value) -> Result<Identity, String> {
    let api_version = match value.get("apiVersion") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err("apiVersion: must be a non-empty string".into()),
        None => return Err("apiVersion: required field is missing".into()),
    };
    let kind = match value.get("kind") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err("kind: must be a non-empty string".into()),
        None => return Err("kind: required field is missing".into()),
    };
    let (group, version) = match api_version.rsplit_once('/') {
        Some((g, v)) => (g.to_owned(), v.to_owned()),
        None => (String::new(), api_version.clone()),
    };
    let meta = value.get("metadata");
    let text = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let cluster_scoped = matches!(
        (group.as_str(), kind.as_str()),
        ("gateway.networking.k8s.io", "GatewayClass") | ("", "Namespace")
    );
    let namespace = if cluster_scoped {
        String::new()
    } else {
        Some(text("namespace"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into())
    };
    Ok(Identity {
        api_version,
        group,
        version,
        kind,
        namespace,
        name: text("name"),
    })
}

/// The top-level shape of a Gateway API object or core object with a `spec`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<S> {
    #[serde(rename = "apiVersion")]
    _api_version: Option<IgnoredAny>,
    #[serde(rename = "kind")]
    _kind: Option<IgnoredAny>,
    metadata: Option<ObjectMeta>,
    spec: Option<S>,
    #[serde(rename = "status")]
    _status: Option<IgnoredAny>,
}

/// A Secret keeps its fields beside `metadata`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretEnvelope {
    #[serde(rename = "apiVersion")]
    _api_version: Option<IgnoredAny>,
    #[serde(rename = "kind")]
    _kind: Option<IgnoredAny>,
    metadata: Option<ObjectMeta>,
    #[serde(flatten)]
    secret: SecretSpec,
    #[serde(rename = "immutable")]
    _immutable: Option<IgnoredAny>,
}

/// An EndpointSlice keeps its fields beside `metadata`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EndpointSliceEnvelope {
    #[serde(rename = "apiVersion")]
    _api_version: Option<IgnoredAny>,
    #[serde(rename = "kind")]
    _kind: Option<IgnoredAny>,
    metadata: Option<ObjectMeta>,
    #[serde(flatten)]
    slice: EndpointSliceSpec,
}

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

fn load_object(loaded: &mut Loaded, entry: Entry, id: &Identity, default_time: Timestamp) {
    let object = ObjectRef::new(id.kind.clone(), id.namespace.clone(), id.name.clone());
    let gw_versions = ["v1", "v1beta1"];
    match (id.group.as_str(), id.kind.as_str()) {
        (GATEWAY_GROUP, "GatewayClass") if gw_versions.contains(&id.version.as_str()) => {
            if let Some(o) = typed::<GatewayClassSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::gateway_class,
            ) {
                loaded.resources.gateway_classes.push(o);
            }
        }
        (GATEWAY_GROUP, "Gateway") if gw_versions.contains(&id.version.as_str()) => {
            if let Some(o) = typed::<GatewaySpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::gateway,
            ) {
                loaded.resources.gateways.push(o);
            }
        }
        (GATEWAY_GROUP, "HTTPRoute") if gw_versions.contains(&id.version.as_str()) => {
            if let Some(o) = typed::<HttpRouteSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::http_route,
            ) {
                loaded.resources.http_routes.push(o);
            }
        }
        (GATEWAY_GROUP, "GRPCRoute") if ["v1", "v1alpha2"].contains(&id.version.as_str()) => {
            if let Some(o) = typed::<GrpcRouteSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::grpc_route,
            ) {
                loaded.resources.grpc_routes.push(o);
            }
        }
        (GATEWAY_GROUP, "TLSRoute")
            if ["v1", "v1alpha2", "v1alpha3"].contains(&id.version.as_str()) =>
        {
            if let Some(o) = typed::<TlsRouteSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::tls_route,
            ) {
                loaded.resources.tls_routes.push(o);
            }
        }
        (GATEWAY_GROUP, "TCPRoute") if ["v1", "v1alpha2"].contains(&id.version.as_str()) => {
            if let Some(o) = typed::<StreamRouteSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::stream_route,
            ) {
                loaded.resources.tcp_routes.push(o);
            }
        }
        (GATEWAY_GROUP, "UDPRoute") if ["v1", "v1alpha2"].contains(&id.version.as_str()) => {
            if let Some(o) = typed::<StreamRouteSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::stream_route,
            ) {
                loaded.resources.udp_routes.push(o);
            }
        }
        (GATEWAY_GROUP, "ListenerSet") if id.version == "v1" => {
            if let Some(o) = typed::<ListenerSetSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::listener_set,
            ) {
                loaded.resources.listener_sets.push(o);
            }
        }
        (GATEWAY_GROUP, "ReferenceGrant") if gw_versions.contains(&id.version.as_str()) => {
            if let Some(o) = typed::<ReferenceGrantSpec>(
                loaded,
                &entry,
                object,
                default_time,
                true,
                validate::reference_grant,
            ) {
                loaded.resources.reference_grants.push(o);
            }
        }
        ("", "Namespace") if id.version == "v1" => {
            if let Some(o) =
                typed::<IgnoredAny>(loaded, &entry, object, default_time, false, |_| Vec::new())
            {
                loaded.resources.namespaces.push(Object {
                    meta: o.meta,
                    spec: (),
                });
            }
        }
        ("", "Service") if id.version == "v1" => {
            if let Some(o) = typed::<ServiceSpec>(
                loaded,
                &entry,
                object,
                default_time,
                false,
                validate::service,
            ) {
                loaded.resources.services.push(o);
            }
        }
        ("", "Secret") if id.version == "v1" => {
            let result: Result<SecretEnvelope, _> = serde_path_to_error::deserialize(&entry.value);
            match result {
                Ok(env) => {
                    if let Some(meta) = meta_of(loaded, env.metadata, &entry, object, default_time)
                    {
                        loaded.resources.secrets.push(Object {
                            meta,
                            spec: env.secret,
                        });
                    }
                }
                Err(err) => reject_type_error(loaded, object, &entry, &err),
            }
        }
        ("discovery.k8s.io", "EndpointSlice") if id.version == "v1" => {
            let result: Result<EndpointSliceEnvelope, _> =
                serde_path_to_error::deserialize(&entry.value);
            match result {
                Ok(env) => {
                    let Some(meta) =
                        meta_of(loaded, env.metadata, &entry, object.clone(), default_time)
                    else {
                        return;
                    };
                    let errors = crate::endpoints::validate_slice(&env.slice);
                    if errors.is_empty() {
                        loaded.resources.endpoint_slices.push(Object {
                            meta,
                            spec: env.slice,
                        });
                    } else {
                        loaded.rejections.push(Rejection {
                            object,
                            errors,
                            location: entry.location.clone(),
                        });
                    }
                }
                Err(err) => reject_type_error(loaded, object, &entry, &err),
            }
        }
        _ => loaded.skipped.push(Skipped {
            api_version: id.api_version.clone(),
            object,
            location: entry.location,
        }),
    }
}

/// Reads a `spec`-carrying object; `gateway_api` objects warn on unknown fields
/// and must have a `spec`, core objects do neither.
fn typed<S: DeserializeOwned + Default>(
    loaded: &mut Loaded,
    entry: &Entry,
    object: ObjectRef,
    default_time: Timestamp,
    gateway_api: bool,
    validate: fn(&S) -> Vec<FieldError>,
) -> Option<Object<S>> {
    let mut ignored = Vec::new();
    let result: Result<Envelope<S>, _> = if gateway_api {
        let mut record = |path: serde_ignored::Path<'_>| {
            // A declared `Option<IgnoredAny>` field (server-set, or read but unused)
            // ends in `Some`; only keys no field declares are unknown.
            if !matches!(path, serde_ignored::Path::Some { .. }) {
                ignored.push(api_path(&path));
            }
        };
        let de = serde_ignored::Deserializer::new(&entry.value, &mut record);
        serde_path_to_error::deserialize(de)
    } else {
        serde_path_to_error::deserialize(&entry.value)
    };
    let env = match result {
        Ok(env) => env,
        Err(err) => {
            reject_type_error(loaded, object, entry, &err);
            return None;
        }
    };
    for field in ignored {
        loaded.warnings.push(Warning {
            object: object.clone(),
            field,
            message: "unknown field, pruned as the API server prunes it".into(),
            location: entry.location.clone(),
        });
    }
    let meta = meta_of(loaded, env.metadata, entry, object.clone(), default_time)?;
    let spec = match env.spec {
        Some(spec) => spec,
        None if !gateway_api => S::default(),
        None => {
            loaded.rejections.push(Rejection {
                object,
                errors: vec![FieldError::new("spec", "required value")],
                location: entry.location.clone(),
            });
            return None;
        }
    };
    let errors = validate(&spec);
    if errors.is_empty() {
        Some(Object { meta, spec })
    } else {
        loaded.rejections.push(Rejection {
            object,
            errors,
            location: entry.location.clone(),
        });
        None
    }
}

fn meta_of(
    loaded: &mut Loaded,
    metadata: Option<ObjectMeta>,
    entry: &Entry,
    object: ObjectRef,
    default_time: Timestamp,
) -> Option<Meta> {
    let metadata = metadata.unwrap_or_default();
    let mut errors = Vec::new();
    let name = metadata.name.unwrap_or_default();
    if name.is_empty() {
        errors.push(FieldError::new("metadata.name", "required value"));
    } else if let Some(msg) = validate::object_name(&name) {
        errors.push(FieldError::new("metadata.name", msg));
    }
    let created = match metadata.creation_timestamp.as_deref() {
        None => default_time,
        Some(text) => match Timestamp::parse(text) {
            Some(t) => t,
            None => {
                errors.push(FieldError::new(
                    "metadata.creationTimestamp",
                    format!("invalid RFC 3339 timestamp {text:?}"),
                ));
                default_time
            }
        },
    };
    if !errors.is_empty() {
        loaded.rejections.push(Rejection {
            object,
            errors,
            location: entry.location.clone(),
        });
        return None;
    }
    Some(Meta {
        name,
        namespace: object.namespace,
        labels: metadata.labels,
        created,
        generation: metadata.generation.unwrap_or(0),
        location: entry.location.clone(),
    })
}

fn reject_type_error(
    loaded: &mut Loaded,
    object: ObjectRef,
    entry: &Entry,
    err: &serde_path_to_error::Error<serde_json::Error>,
) {
    let path = err.path().to_string();
    let field = if path == "." { String::new() } else { path };
    loaded.rejections.push(Rejection {
        object,
        errors: vec![FieldError::new(field, err.inner().to_string())],
        location: entry.location.clone(),
    });
}

/// The YAML reading options every front end uses (a fixture runner that parses a
/// file itself uses these too): YAML 1.2 core booleans only (`true`/`false`): `y`, `yes`, `on` stay strings,
/// as PyYAML and js-yaml read them, so every front end sees the same manifests.
pub fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true }
}

/// A serde_ignored path in the API server's notation: `spec.rules[0].name`.
fn api_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", api_path(parent)),
        Path::Map { parent, key } => {
            let parent = api_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => api_path(parent),
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The first line of serde-saphyr's message, without its "line L column C:" prefix
/// (the caller reports the line in the whole source).
fn yaml_message(full: &str) -> String {
    let first = full.lines().next().unwrap_or(full);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let rest = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => first,
    };
    // serde-saphyr words its limits for a Rust caller (a `Debug` value, a hint
    // to set an option); say what the manifest did instead.
    let rest = rest
        .strip_suffix(", set DuplicateKeyPolicy in Options if acceptable")
        .unwrap_or(rest);
    let breach = |name: &str| {
        rest.strip_prefix("budget breached: ")?
            .strip_prefix(name)?
            .trim_end_matches([' ', '}'])
            .rsplit(' ')
            .next()?
            .parse::<usize>()
            .ok()
    };
    if let Some(n) = breach("Nodes {") {
        return format!(
            "too many nodes: a document may hold at most {} (aliases count each time they are \
             expanded)",
            n.saturating_sub(1)
        );
    }
    if let Some(n) = breach("Depth {") {
        return format!(
            "nested too deeply: a document may nest at most {} levels",
            n.saturating_sub(1)
        );
    }
    rest.to_owned()
}

struct Document<'a> {
    text: &'a str,
    index: usize,
    /// First line of the chunk (where parser line 1 is).
    first_line: usize,
    /// First line with content (where the object starts).
    line: usize,
}

/// Splits YAML text into documents at `---` and `...` marker lines. A marker line
/// at column 0 always ends a document in YAML (block scalars inside a document are
/// indented, and flow scalars may not contain one), so this split is exact.
fn split_documents(text: &str) -> Vec<Document<'_>> {
    // (start byte, end byte, line of the start byte)
    let mut chunks: Vec<(usize, usize, usize)> = Vec::new();
    let (mut start, mut start_line) = (0usize, 1usize);
    let (mut offset, mut line_no) = (0usize, 1usize);
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = |m: &str| {
            bare == m
                || bare
                    .strip_prefix(m)
                    .is_some_and(|r| r.starts_with([' ', '\t']))
        };
        if is_marker("---") {
            chunks.push((start, offset, start_line));
            // Content after `--- ` on the same line belongs to the next document.
            start = offset + 3;
            start_line = line_no;
        } else if is_marker("...") {
            chunks.push((start, offset, start_line));
            start = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
        line_no += 1;
    }
    chunks.push((start, text.len(), start_line));
    let mut docs = Vec::new();
    for (s, e, first_line) in chunks {
        let Some(chunk) = text.get(s..e) else {
            continue;
        };
        let content = chunk.lines().position(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with('%')
        });
        if let Some(i) = content {
            docs.push(Document {
                text: chunk,
                index: docs.len(),
                first_line,
                line: first_line + i,
            });
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_at_markers_with_lines() {
        let text = "a: 1\n---\n# c\nb: 2\n--- \n\n---\nc: 3\n";
        let docs = split_documents(text);
        let got: Vec<_> = docs
            .iter()
            .map(|d| (d.index, d.line, d.text.trim()))
            .collect();
        assert_eq!(
            got,
            vec![(0, 1, "a: 1"), (1, 4, "# c\nb: 2"), (2, 8, "c: 3")]
        );
    }

    #[test]
    fn a_bad_document_loses_only_itself() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n";
        let loaded = load_str("t.yaml", text);
        assert_eq!(loaded.resources.namespaces.len(), 2);
        assert_eq!(loaded.errors.len(), 1);
        assert_eq!(loaded.errors[0].location.document, 1);
        assert_eq!(loaded.errors[0].location.line, 5);
    }

    #[test]
    fn lists_unpack_and_unknown_kinds_are_skipped() {
        let text = r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}},{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}]}"#;
        let loaded = load_str("t.json", text);
        assert_eq!(loaded.resources.namespaces.len(), 1);
        assert_eq!(loaded.skipped.len(), 1);
        assert_eq!(loaded.skipped[0].object.to_string(), "Deployment default/d");
    }

    #[test]
    fn later_object_replaces_earlier_and_keeps_its_creation_time() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {v: '1'}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: z}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {v: '2'}}\n";
        let loaded = load_str("t.yaml", text);
        let ns = &loaded.resources.namespaces;
        assert_eq!(ns.len(), 2);
        assert_eq!(ns[0].meta.labels.get("v").map(String::as_str), Some("2"));
        assert_eq!(ns[0].meta.created, Timestamp::DEFAULT_EPOCH);
        assert_eq!(ns[1].meta.created, Timestamp::DEFAULT_EPOCH.plus_secs(1));
    }

    #[test]
    fn server_fields_drop_silently_and_unknown_fields_warn() {
        let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: x\n  uid: abc\n  managedFields: [{a: 1}]\n  resourceVersion: '12'\nspec:\n  controllerName: example.com/c\n  bogus: 2\nstatus: {conditions: []}\n";
        let loaded = load_str("t.yaml", text);
        assert_eq!(loaded.resources.gateway_classes.len(), 1);
        let fields: Vec<_> = loaded.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(fields, vec!["spec.bogus"]);
    }

    #[test]
    fn wrong_types_reject_with_the_field_path() {
        let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  gatewayClassName: c\n  listeners:\n  - name: http\n    port: eighty\n    protocol: HTTP\n";
        let loaded = load_str("t.yaml", text);
        assert!(loaded.resources.gateways.is_empty());
        assert_eq!(loaded.rejections.len(), 1);
        assert_eq!(
            loaded.rejections[0].errors[0].field,
            "spec.listeners[0].port"
        );
        assert_eq!(loaded.rejections[0].object.to_string(), "Gateway default/g");
    }

    #[test]
    fn only_yaml_1_2_booleans_are_booleans() {
        let text =
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {x: y, on: yes}}\n";
        let loaded = load_str("t.yaml", text);
        assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
        let labels = &loaded.resources.namespaces[0].meta.labels;
        assert_eq!(labels.get("x").map(String::as_str), Some("y"));
        assert_eq!(labels.get("on").map(String::as_str), Some("yes"));
    }
}
