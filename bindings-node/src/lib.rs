//! Node.js bindings for Gatewise: the npm package `gatewise`.
//!
//! Four parts and no Gateway API logic (the core holds all of it):
//!
//! - `options`: the argument objects in TypeScript's idiom (camelCase, option
//!   objects, string unions), and their conversion into the core's request view;
//! - `source`: manifests from text, files and folders, and already-parsed
//!   objects, into one `gatewise::Loader`;
//! - `router`: the one class, wrapping the compiled router, the status and the
//!   loaded resources (for lint and diff);
//! - `error`: the one error mapping, load problems into the error that
//!   `index.js` raises as `GatewiseLoadError`.
//!
//! Results (decisions, explanations, status, rejections) are the core's serde
//! views converted to plain JS objects, so they cannot drift from the CLI's
//! `-o json` and the Python package. napi cannot generate TypeScript for serde
//! types: their interfaces are written by hand in `dts-header.d.ts`, which the
//! build puts at the top of the generated `index.d.ts`.

mod error;
mod options;
mod router;
mod source;

pub use options::{
    BackendResponse, GrpcCall, LintOptions, ListenerInfo, ListenerProtocol, LoadOptions, Protocol,
    RouteRef, RouteRequest,
};
pub use router::{Router, diff, load, load_objects, load_paths, load_text};
