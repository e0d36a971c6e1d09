//! Service ports, as the API server validates them (`spec.ports`).

use super::Errors;
use crate::api::ServiceSpec;

pub(super) fn service(errors: &mut Errors, spec: &ServiceSpec) {
    let several = spec.ports.len() > 1;
    let mut names: Vec<&str> = Vec::new();
    let mut ports: Vec<(i64, &str)> = Vec::new();
    for (i, p) in spec.ports.iter().enumerate() {
        let field = format!("spec.ports[{i}]");
        match p.name.as_deref().filter(|n| !n.is_empty()) {
            Some(name) if names.contains(&name) => errors.push(
                format!("{field}.name"),
                format!("duplicate port name {name:?}: each port needs its own name"),
            ),
            Some(name) => names.push(name),
            None if several => errors.push(
                format!("{field}.name"),
                "required value: a Service with several ports must name each of them",
            ),
            None => {}
        }
        if let Some(port) = errors.required(&format!("{field}.port"), &p.port) {
            errors.range(&format!("{field}.port"), *port, 1, 65535);
            let protocol = p.protocol.as_deref().unwrap_or("TCP");
            if ports.contains(&(*port, protocol)) {
                errors.push(
                    &field,
                    format!("duplicate port {port}/{protocol}: each port and protocol once"),
                );
            } else {
                ports.push((*port, protocol));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::ServiceSpec;
    use crate::validate;

    fn fields(yaml: &str) -> Vec<String> {
        let spec: ServiceSpec = match serde_saphyr::from_str(yaml) {
            Ok(s) => s,
            Err(e) => panic!("bad test yaml: {e}"),
        };
        validate::service(&spec)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn one_unnamed_port_is_valid() {
        assert!(fields("ports: [{port: 80}]").is_empty());
    }

    #[test]
    fn ports_are_in_range() {
        assert_eq!(fields("ports: [{port: 0}]"), vec!["spec.ports[0].port"]);
        assert_eq!(fields("ports: [{}]"), vec!["spec.ports[0].port"]);
    }

    #[test]
    fn several_ports_need_unique_names() {
        assert_eq!(
            fields("ports: [{name: a, port: 80}, {port: 81}, {name: a, port: 82}]"),
            vec!["spec.ports[1].name", "spec.ports[2].name"]
        );
    }

    #[test]
    fn port_and_protocol_are_unique() {
        assert_eq!(
            fields(
                "ports: [{name: a, port: 80}, {name: b, port: 80}, {name: c, port: 80, protocol: UDP}]"
            ),
            vec!["spec.ports[1]"]
        );
    }
}
