use serde::{Deserialize, Serialize};

/// `ReferenceGrantSpec` (`apis/v1/referencegrant_types.go`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrantSpec {
    /// Who may refer (1..16).
    pub from: Option<Vec<ReferenceGrantFrom>>,
    /// What may be referred to (1..16).
    pub to: Option<Vec<ReferenceGrantTo>>,
}

/// `ReferenceGrantFrom`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrantFrom {
    /// Required; `""` is the core group.
    pub group: Option<String>,
    /// Required.
    pub kind: Option<String>,
    /// Required.
    pub namespace: Option<String>,
}

/// `ReferenceGrantTo`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrantTo {
    /// Required; `""` is the core group.
    pub group: Option<String>,
    /// Required.
    pub kind: Option<String>,
    /// Optional: unset grants every object of the kind.
    pub name: Option<String>,
}
