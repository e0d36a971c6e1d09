//! The path and host policy: what Gatewise does with the inputs the Gateway API
//! leaves to implementations, or that no conformant client sends. This module
//! holds no code; it is the normative statement, and each point names the test
//! of `core/tests/bad_inputs.rs` (the catalogue of bad inputs) that pins it.
//! `core/tests/properties.rs` checks the same engine against the naive
//! [`Oracle`](crate::oracle::Oracle) on generated resources and requests.
//!
//! # Request hosts
//!
//! The `Host` (or `:authority`) is matched after folding; it is forwarded
//! unmodified unless a filter rewrites it.
//!
//! - **Case** folds to ASCII lower case: `EXAMPLE.Com` matches a route for
//!   `example.com` (`request_host_upper_case_matches_lower_case_route`).
//! - **Port and trailing dot**: one trailing dot and any `:port` are ignored
//!   for matching, and the `Host` is still forwarded as sent
//!   (`request_host_trailing_dot_and_port_are_ignored`). Only one dot is
//!   removed: `example.com..` matches nothing
//!   (`request_host_with_two_trailing_dots_does_not_match`).
//! - **IPv6 literals** (`[2001:db8::1]`, with or without a port) keep their
//!   brackets and match no route hostname (route hostnames cannot be IPv6
//!   literals): only listeners and routes without hostnames serve them
//!   (`request_host_ipv6_literal_matches_only_routes_without_hostnames`).
//! - **Over-long hosts** (more than 255 bytes after the port is removed) likewise
//!   match only listeners and routes without hostnames
//!   (`request_host_over_255_bytes_matches_only_routes_without_hostnames`); an
//!   empty `Host` too (`request_host_empty_matches_only_routes_without_hostnames`).
//! - **Internationalised names** are not mapped: a route names the punycode form
//!   (`xn--bcher-kva.example`), and a Unicode `Host` is a different name that
//!   matches it not (`route_hostname_unicode_is_rejected_punycode_is_admitted`).
//!
//! # Listener and route hostnames
//!
//! Checked at load as the CRD's `Hostname` type: 1–253 characters, lower-case
//! RFC 1123 labels, optionally one leading `*.` label. An object that breaks this
//! is rejected, naming the field (`spec.hostnames[0]`):
//! upper case (`route_hostname_upper_case_is_rejected`), a trailing dot
//! (`route_hostname_trailing_dot_is_rejected`), a port
//! (`route_hostname_with_port_is_rejected`), an IPv6 literal
//! (`route_hostname_ipv6_literal_is_rejected`), more than 253 characters
//! (`route_hostname_over_253_characters_is_rejected`), Unicode, and a `*` that is
//! not the whole first label, or a bare `*`
//! (`wildcard_not_in_first_label_is_rejected`). As in the CRD, a single label
//! longer than 63 characters is admitted
//! (`route_hostname_label_over_63_characters_is_admitted_as_the_crd_admits_it`).
//!
//! **Wildcards** match by suffix over one or more whole labels:
//! `*.example.com` matches `a.example.com` and `a.b.example.com`, never
//! `example.com`, `.example.com` or `aexample.com`
//! (`wildcard_matches_one_or_more_labels_never_the_bare_suffix`).
//!
//! # Request paths
//!
//! Paths are matched, rewritten and redirected in the normal form of
//! [`path::normalize`](crate::path::normalize) (whose docs give the algorithm);
//! the backend receives the normal form, followed by the query as sent
//! (`query_string_is_not_part_of_the_path`). A path that is not in origin
//! form is answered `400` with reason `BadPath`.
//!
//! - **Encoded separators**: `%2F` and `%5C` (any case) stay encoded and are
//!   never segment separators; a raw `\` is an ordinary character
//!   (`path_encoded_slash_is_not_a_separator`,
//!   `path_encoded_backslash_is_not_a_separator`).
//! - **Dot segments** are resolved after unreserved escapes are decoded, so
//!   `/x/%2e%2e/a` is `/a`; `..` never climbs above the root
//!   (`path_encoded_dot_dot_is_resolved_before_matching`,
//!   `path_dot_dot_cannot_climb_above_the_root`).
//! - **Double encoding** is decoded once only: `%252e%252e` is not a dot segment
//!   and `%252F` is not a slash (`path_double_encoding_is_decoded_once_only`).
//! - **Unreserved escapes** (`%61` → `a`) are decoded, other escapes kept with
//!   upper-case hex; matching is case-sensitive
//!   (`path_encoded_unreserved_characters_are_decoded`).
//! - **`;` parameters** are literal characters, and `..;` is not a dot segment
//!   (`path_semicolon_parameters_are_literal`).
//! - **Duplicate slashes** are kept: `/a//b` is not `/a/b`
//!   (`path_duplicate_slashes_are_kept`).
//! - **Not a path → 400**: a `#` (`path_with_fragment_is_answered_400`), a
//!   space or ASCII control character, CR and LF included
//!   (`path_with_control_characters_is_answered_400`), a malformed escape
//!   (`path_with_malformed_escape_is_answered_400`), or no leading `/`
//!   (asterisk and absolute forms included:
//!   `path_without_leading_slash_is_answered_400`).
//! - **Non-UTF-8**: an escape that decodes to no UTF-8 (`%ff`) stays an
//!   escape (`%FF`); raw non-ASCII bytes are percent-encoded, so `/é` is
//!   `/%C3%A9` (`path_non_utf8_escapes_stay_encoded_and_raw_utf8_is_encoded`).
//! - **Length**: the core sets no limit (8 KB paths route, and 4 096 `./`
//!   segments resolve: `path_of_8_kilobytes_routes`); request
//!   size limits are the adapter's (`gatewise serve --max-header-bytes`).
//!
//! # Redirects and rewrites
//!
//! - A redirect keeps the query string, and the path stays in its normal form,
//!   escapes included, so CR and LF never reach `Location`
//!   (`redirect_keeps_the_query_and_uses_the_listener_port`,
//!   `redirect_of_a_path_with_crlf_escapes_is_kept_encoded`); a redirect
//!   hostname is a `PreciseHostname`, refused at load otherwise
//!   (`redirect_hostname_with_crlf_is_rejected`). Without a `hostname` the
//!   `Location` takes the request's `Host`, port removed and characters a URL
//!   host cannot hold dropped; when nothing is left (an empty or all
//!   non-ASCII `Host`) the rule answers 400 `InvalidHost` rather than send a
//!   `Location` without a host (core/tests/fuzz_regressions.rs, found by the
//!   `filter_outputs` fuzz target).
//! - `ReplacePrefixMatch` follows the spec's table, trailing slashes included
//!   (`rewrite_prefix_with_trailing_slashes_follows_the_spec_table`); an empty
//!   replacement strips the prefix (`rewrite_prefix_to_empty_strips_the_prefix`);
//!   the prefix `/` prepends the replacement, `/foo` → `/xyz/foo` and `/` →
//!   `/xyz/` (`rewrite_of_prefix_slash_prepends_the_replacement`,
//!   `redirect_prefix_to_slash_keeps_the_rest_of_the_path`).
//! - An empty `ReplaceFullPath` (the CRD sets no minimum) sends `/`
//!   (`rewrite_full_path_to_empty_sends_the_root`).
//!
//! # Headers
//!
//! - **Matching**: names compare without ASCII case, values exactly
//!   (`request_header_match_is_case_insensitive_on_name_exact_on_value`);
//!   repeated request headers match as their values joined with `,`
//!   (`repeated_request_headers_match_as_their_comma_join`). A request value is
//!   compared as received: a CR or LF in it matches only a literal CR or LF
//!   (`request_header_with_crlf_in_its_value_matches_only_literally`).
//! - **Names in manifests** (matches and filters) are RFC 7230 tokens of 1–256
//!   characters, so empty names, CR, LF, NUL and HTTP/2 pseudo-headers
//!   (`:authority`, `:path`) are refused at load naming the field
//!   (`header_match_empty_name_is_rejected`, `header_name_with_crlf_is_rejected`,
//!   `header_name_with_nul_is_rejected`, `pseudo_header_name_in_a_match_is_rejected`,
//!   `pseudo_header_name_in_a_filter_is_rejected`,
//!   `header_name_over_256_characters_is_rejected`). Values are 1–4 096
//!   characters (`header_match_empty_value_is_rejected`,
//!   `header_value_over_4096_characters_is_rejected`).
//! - **Filter values** have CR, LF and NUL removed when compiled, so a
//!   manifest can never add a header line
//!   (`filter_value_with_crlf_and_nul_is_stripped_never_smuggled`).
//! - **Hop-by-hop names** (`Connection`, `Transfer-Encoding`, ...) are not refused
//!   in filters: the decision carries out what the route asks
//!   (`filter_setting_a_hop_by_hop_header_is_carried_out_as_written`);
//!   connection-level headers on the wire are the adapter's concern: the
//!   bundled proxy drops them (and the names `Connection` lists) from the
//!   upstream request after the filters ran, as it does the client's.
//! - One header named by two actions of one filter (any case) drops the rule
//!   (`one_header_named_twice_across_set_and_remove_drops_the_rule`).
//!
//! # Regular expressions
//!
//! RE2 syntax (the `regex` crate: linear time, `/(a+)+b` on 8 000 `a`s is
//! quick: `regex_nested_quantifiers_run_in_linear_time`), anchored to the whole
//! value (`regex_is_anchored_to_the_whole_path`), at most
//! [`REGEX_SIZE_LIMIT`](crate::REGEX_SIZE_LIMIT) bytes compiled and 64 levels of
//! nesting. A pattern the engine refuses (too large, look-around,
//! back-references) drops its rule, reported as `PartiallyInvalid` or, with no
//! rule left, `Accepted=False/UnsupportedValue`
//! (`regex_over_compile_budget_drops_the_rule_unsupported_value`,
//! `regex_look_ahead_is_unsupported_and_other_rules_still_route`,
//! `regex_look_behind_in_a_header_match_drops_the_rule`,
//! `regex_back_reference_drops_the_rule`).
//!
//! # Manifests
//!
//! - YAML is read with a budget: alias expansion beyond 250 000 nodes
//!   (`yaml_alias_bomb_is_rejected_with_location`) and nesting deeper than 64
//!   levels are load errors for their document, as is an unbounded flow nesting
//!   (`yaml_deep_nesting_is_an_error_not_a_stack_overflow`,
//!   `yaml_deep_nesting_in_a_spec_field_is_an_error`); duplicate keys are errors
//!   (`yaml_duplicate_keys_are_a_load_error_at_their_line`). A bad document
//!   loses only itself (`a_bad_document_among_good_ones_loses_only_itself`).
//! - Wrong types and out-of-range numbers reject the object naming the field
//!   (`wrong_type_port_string_is_rejected_naming_the_field`,
//!   `huge_number_port_is_rejected_naming_the_field`,
//!   `huge_weight_is_rejected_as_out_of_range`).
//! - **Sizes** follow the CRDs: 64 listeners, 16 rules, 64 matches per rule and
//!   128 per route (`sixty_five_listeners_are_rejected_naming_listeners`,
//!   `sixty_five_matches_in_one_rule_are_rejected`,
//!   `more_than_128_matches_across_rules_are_rejected_on_rules`); the number of
//!   routes is not limited (`ten_thousand_routes_compile_and_route`).
//! - **Weights** are 0–1 000 000; the caller's random number is taken modulo the
//!   total weight (`maximum_weights_do_not_overflow`); a zero weight receives
//!   nothing, and all zero answers 500 (`all_zero_weights_answer_500`).
//! - **Equal creation timestamps** fall back to `namespace/name`
//!   (`equal_creation_timestamps_fall_back_to_namespace_name`).
