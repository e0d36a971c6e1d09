//! A small JSON-value-to-YAML emitter (block style), for `check -o yaml`.

use std::fmt::Write as _;

use serde_json::Value;

/// `value` as a YAML document.
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => block(&mut out, value, 0),
        Value::Array(a) if !a.is_empty() => block(&mut out, value, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// Writes a non-empty mapping or sequence, each line indented by `indent`.
fn block(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let _ = write!(out, "{pad}{}:", string(k));
                if is_block(v) {
                    out.push('\n');
                    block(out, v, indent + 2);
                } else {
                    let _ = writeln!(out, " {}", scalar(v));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_block(item) {
                    // Render the item one level in, then put `- ` where its first
                    // line's indentation was.
                    let mut inner = String::new();
                    block(&mut inner, item, indent + 2);
                    let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
                } else {
                    let _ = writeln!(out, "{pad}- {}", scalar(item));
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
    }
}

/// A string plain when YAML reads it back as the same string, else
/// double-quoted (JSON escaping is valid YAML double-quoted style).
fn string(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    } else {
        s.to_owned()
    }
}

fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    let lower = s.to_ascii_lowercase();
    let reserved = matches!(
        lower.as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "null"
            | "~"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
    );
    let numeric = s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == ':' || c == '.')
            && s.chars().any(|c| c.is_ascii_digit());
    reserved
        || numeric
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_whitespace()
        || s.ends_with(char::is_whitespace)
        || s.ends_with(':')
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_would_read_back_differently_are_quoted() {
        for s in [
            "",
            "true",
            "No",
            "null",
            "~",
            "1",
            "1.5",
            "1e3",
            "0x1f",
            "12:30",
            "- a",
            "a: b",
            "a #b",
            ":x",
            "x:",
            " lead",
            "trail ",
            "two\nlines",
            "*ref",
            "'q'",
            "\"q\"",
            "{a}",
            "[a]",
            "%p",
            "@a",
            "`a",
        ] {
            assert!(needs_quotes(s), "{s:?} must be quoted");
        }
        for s in [
            "Accepted",
            "gateway.networking.k8s.io/v1",
            "a:b",
            "2024-01-01T00:00:00Z x",
        ] {
            assert!(!needs_quotes(s), "{s:?} can stay plain");
        }
    }

    #[test]
    fn nested_values_render_in_block_style() {
        // Keys in sorted order, so the test holds with or without serde_json's
        // `preserve_order`.
        let v = serde_json::json!({
            "empty": {},
            "s": "True",
            "status": [{"e": [], "kind": "Gateway", "listeners": [{"n": 1, "name": "http"}]}],
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "empty: {}\ns: \"True\"\nstatus:\n  - e: []\n    kind: Gateway\n    listeners:\n      - \"n\": 1\n        name: http\n"
        );
    }
}
