//! Arbitrary bytes as manifests: loading never panics; every load error names
//! its source and a line inside the text, every rejection names an object and
//! at least one field error, every warning an object and a field; whatever
//! loaded compiles to a well-formed status.
#![no_main]

use gatewise::{Options, Router, Timestamp};
use gatewise_fuzz::check;
use libfuzzer_sys::fuzz_target;

const SOURCE: &str = "fuzz.yaml";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // YAML takes CR, LF and CRLF as line breaks: count the most lines any reading gives.
    let lines = 1 + text.bytes().filter(|&b| b == b'\n' || b == b'\r').count();
    let loaded = gatewise::load_str(SOURCE, &text);
    for e in &loaded.errors {
        assert_eq!(e.location.source, SOURCE, "{e}");
        assert!(
            (1..=lines).contains(&e.location.line),
            "line {} outside 1..={lines}: {e}",
            e.location.line
        );
        assert!(!e.message.is_empty(), "load error without a message: {e:?}");
    }
    for r in &loaded.rejections {
        assert_eq!(r.location.source, SOURCE, "{r}");
        assert!(!r.object.kind.is_empty(), "rejection without a kind: {r}");
        assert!(!r.errors.is_empty(), "rejection without a field error: {r}");
        for f in &r.errors {
            assert!(!f.message.is_empty(), "field error without a message: {r}");
        }
    }
    for w in &loaded.warnings {
        assert!(!w.object.kind.is_empty() && !w.field.is_empty(), "{w}");
    }
    let compiled = Router::compile(&loaded.resources, &Options::default());
    check::status(&compiled.status(Timestamp::DEFAULT_EPOCH));
});
