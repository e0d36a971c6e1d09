//! ReferenceGrant (`apis/v1/referencegrant_types.go`).

use super::Errors;
use super::reference::{group, kind, namespace, object_name};
use crate::api::ReferenceGrantSpec;

pub(super) fn reference_grant(errors: &mut Errors, spec: &ReferenceGrantSpec) {
    if let Some(from) = errors.required("spec.from", &spec.from) {
        errors.min_items("spec.from", from.len(), 1);
        errors.max_items("spec.from", from.len(), 16);
        for (i, f) in from.iter().enumerate() {
            let ff = format!("spec.from[{i}]");
            if let Some(g) = errors.required(&format!("{ff}.group"), &f.group) {
                group(errors, &format!("{ff}.group"), g);
            }
            if let Some(k) = errors.required(&format!("{ff}.kind"), &f.kind) {
                kind(errors, &format!("{ff}.kind"), k);
            }
            if let Some(ns) = errors.required(&format!("{ff}.namespace"), &f.namespace) {
                namespace(errors, &format!("{ff}.namespace"), ns);
            }
        }
    }
    if let Some(to) = errors.required("spec.to", &spec.to) {
        errors.min_items("spec.to", to.len(), 1);
        errors.max_items("spec.to", to.len(), 16);
        for (i, t) in to.iter().enumerate() {
            let tf = format!("spec.to[{i}]");
            if let Some(g) = errors.required(&format!("{tf}.group"), &t.group) {
                group(errors, &format!("{tf}.group"), g);
            }
            if let Some(k) = errors.required(&format!("{tf}.kind"), &t.kind) {
                kind(errors, &format!("{tf}.kind"), k);
            }
            if let Some(name) = &t.name {
                object_name(errors, &format!("{tf}.name"), name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::ReferenceGrantSpec;
    use crate::validate;

    fn fields(yaml: &str) -> Vec<String> {
        let spec: ReferenceGrantSpec = match serde_saphyr::from_str(yaml) {
            Ok(s) => s,
            Err(e) => panic!("bad test yaml: {e}"),
        };
        validate::reference_grant(&spec)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_plain_grant_is_valid() {
        assert!(
            fields(
                "from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a}]\nto: \
                 [{group: '', kind: Service, name: s}]"
            )
            .is_empty()
        );
    }

    #[test]
    fn from_and_to_are_required_and_non_empty() {
        assert_eq!(fields("{}"), vec!["spec.from", "spec.to"]);
        assert_eq!(fields("{from: [], to: []}"), vec!["spec.from", "spec.to"]);
    }

    #[test]
    fn from_needs_group_kind_and_namespace() {
        assert_eq!(
            fields("from: [{}]\nto: [{group: '', kind: Service}]"),
            vec![
                "spec.from[0].group",
                "spec.from[0].kind",
                "spec.from[0].namespace"
            ]
        );
    }

    #[test]
    fn to_needs_group_and_kind() {
        assert_eq!(
            fields("from: [{group: '', kind: K, namespace: a}]\nto: [{name: ''}]"),
            vec!["spec.to[0].group", "spec.to[0].kind", "spec.to[0].name"]
        );
    }

    #[test]
    fn at_most_16_entries() {
        let from = ["{group: '', kind: K, namespace: a}"; 17].join(", ");
        assert_eq!(
            fields(&format!(
                "from: [{from}]\nto: [{{group: '', kind: Service}}]"
            )),
            vec!["spec.from"]
        );
    }
}
