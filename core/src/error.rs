//! Errors and findings by phase: load errors (a document could not be read),
//! rejections (an object the API server would refuse), warnings (pruned fields).
//! Routing has no error type: "no match" is a [`Decision`](crate::Decision).

use std::fmt;

use serde::Serialize;

/// Where an object or document came from: the source name the caller gave
/// (a file path, `<stdin>`, ...), the document's index in it (0-based) and the
/// line where the document starts (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct SourceLocation {
    /// The caller's name for the text (usually a file path).
    pub source: String,
    /// Index of the YAML document within the source, from 0.
    pub document: usize,
    /// Line within the source, from 1.
    pub line: usize,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} (document {})",
            self.source, self.line, self.document
        )
    }
}

/// Kind, namespace and name of an object: how every message names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// e.g. `HTTPRoute`.
    pub kind: String,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    /// `metadata.name` (empty when the object has none).
    pub name: String,
}

impl ObjectRef {
    /// Builds a reference.
    pub fn new(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        ObjectRef {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A document that could not be read at all (bad YAML or JSON, not an object,
/// no `kind`): nothing in it takes part. Other documents still load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{location}: {message}")]
#[non_exhaustive]
pub struct LoadError {
    /// Where the document is.
    pub location: SourceLocation,
    /// What is wrong, lower case.
    pub message: String,
}

/// One failed schema or CEL rule: the field path in the API server's notation
/// (`spec.rules[0].matches[0].path.value`) and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Path of the field, or of the object or list where a CEL rule is declared.
    pub field: String,
    /// What is wrong, lower case, no trailing period.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// An object the API server would refuse (schema or CEL validation). It takes
/// no part in routing; every other object still does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[non_exhaustive]
pub struct Rejection {
    /// The object refused.
    pub object: ObjectRef,
    /// Every rule it breaks (at least one).
    pub errors: Vec<FieldError>,
    /// Where it was read.
    pub location: SourceLocation,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rejected ({}): ", self.object, self.location)?;
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Something accepted with a change the user should know about: an unknown field
/// pruned as the API server prunes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Warning {
    /// The object concerned.
    pub object: ObjectRef,
    /// The field path.
    pub field: String,
    /// What happened.
    pub message: String,
    /// Where it was read.
    pub location: SourceLocation,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}: {}",
            self.object, self.location, self.field, self.message
        )
    }
}

/// An object of a kind Gatewise does not read; passed over, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Skipped {
    /// `apiVersion` as written.
    pub api_version: String,
    /// The object.
    pub object: ObjectRef,
    /// Where it was read.
    pub location: SourceLocation,
}
