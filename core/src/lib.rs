//! Gatewise: the Kubernetes Gateway API as a library.
#![forbid(unsafe_code)]

pub mod api;
pub mod duration;
mod error;
pub mod filter;
pub mod load;
pub mod path;
mod resources;
mod time;
pub mod validate;

pub use error::{FieldError, LoadError, ObjectRef, Rejection, Skipped, SourceLocation, Warning};
pub use load::{Loaded, Loader, load_str};
pub use resources::{Meta, Object, Resources};
pub use time::Timestamp;
