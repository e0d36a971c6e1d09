//! The indexed router agrees with the naive oracle (a linear scan in precedence
//! order) on every generated workload and on the spec fixtures' requests; and
//! matchit, configured with the path-only workload, picks the same routes.
//! Deterministic (fixed seeds); the property tests of the reliability work add
//! random ones.

use std::path::{Path, PathBuf};

use gatewise::oracle::Oracle;
use gatewise::{GatewayRef, HttpRequest, Loader, Options, RequestProtocol, Router};
use gatewise_benches::workload::{self, Class, PathDef, Request, Shape, Spec, Workload};
use gatewise_spec::format::Fixture;

/// Compares router and oracle on every request of a workload, and both with the
/// answer recorded at generation. Returns how many requests were forwarded.
fn agree(w: &Workload) -> usize {
    let oracle = Oracle::new(w.router());
    let gw = workload::gateway();
    let mut forwards = 0;
    for r in &w.requests {
        let req = r.http();
        let fast = w.router().route_http(gw, workload::PORT, &req).view();
        let naive = oracle.route_http(gw, workload::PORT, &req).view();
        assert_eq!(
            fast, naive,
            "{} {:?}: {} {}{}",
            w.spec, r.class, r.method, r.host, r.target
        );
        assert_eq!(fast, r.expect, "{} {:?}", w.spec, r.class);
        let generic = w
            .router()
            .route(gw, workload::PORT, RequestProtocol::Http, &req)
            .view();
        assert_eq!(generic, fast, "{} {:?}", w.spec, r.class);
        forwards += usize::from(fast.kind == "forward");
    }
    forwards
}

#[test]
fn router_agrees_with_the_oracle_on_every_shape() {
    for shape in Shape::ALL {
        for (routes, hosts) in [(1, 1), (10, 3), (100, 10), (300, 1), (1_000, 100)] {
            let w = Workload::generate(Spec::new(shape, routes, hosts));
            let forwards = agree(&w);
            // The requests exercise routing, not only 404s.
            assert!(
                forwards * 2 > w.requests.len(),
                "{}: {forwards} forwards",
                w.spec
            );
        }
    }
}

#[test]
fn router_agrees_with_the_oracle_under_other_seeds() {
    for seed in 1..=8 {
        for shape in [Shape::Realistic, Shape::WeightedFilters] {
            let w = Workload::generate(Spec::new(shape, 200, 20).with_seed(seed));
            agree(&w);
        }
    }
}

#[test]
fn router_agrees_with_the_oracle_at_10k_routes() {
    for hosts in [1_000, 1] {
        let w = Workload::generate(Spec::new(Shape::Realistic, 10_000, hosts));
        assert!(w.entries > 20_000, "{}", w.entries);
        agree(&w);
        // The last-rule request makes an ordered list try every entry.
        let last = w.one(Class::Last).expect("a last-rule request");
        assert_eq!(last.position, Some(w.entries - 1));
    }
}

/// Routes on one path told apart by headers, where the router indexes one
/// header's exact values: requests that hit, miss, send the indexed header
/// twice, name it in another case, send a value in another case, or leave it
/// out, with some routes not constraining it (no condition, a regular
/// expression) and values several routes share.
#[test]
fn router_agrees_with_the_oracle_on_header_qualified_routes_on_one_path() {
    let w = Workload::generate(Spec::new(Shape::ManyHeaders, 400, 1));
    let mut objects = w.objects.clone();
    let routes = objects
        .iter_mut()
        .filter(|o| o["kind"] == "HTTPRoute")
        .enumerate();
    for (k, route) in routes {
        let headers = &mut route["spec"]["rules"][0]["matches"][0]["headers"];
        let serde_json::Value::Array(list) = headers else {
            panic!("a ManyHeaders route has header matches");
        };
        let tenant = list
            .iter()
            .position(|h| h["name"] == "x-tenant")
            .expect("an x-tenant match");
        // Few enough unconstrained routes that x-tenant stays the header the
        // router indexes (x-region's seven values leave longer walks).
        match k % 20 {
            // Not constrained by x-tenant.
            2 => {
                list.remove(tenant);
            }
            5 => {
                list[tenant]["type"] = "RegularExpression".into();
                list[tenant]["value"] = format!("t{}[0-9]*", k % 4).into();
            }
            // A value another route has too.
            7 | 17 => list[tenant]["value"] = format!("t{}", k / 2).into(),
            // Only a request sending x-tenant twice (t1, t2) matches it.
            9 if k == 9 => list[tenant]["value"] = "t1,t2".into(),
            _ => {}
        }
    }
    let mut loader = Loader::new();
    loader.add_value(
        "headers",
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects}),
    );
    let loaded = loader.finish();
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let oracle = Oracle::new(compiled.router());
    let gw = workload::gateway();
    let witness = w.one(Class::Mix).expect("a request");
    let mut compared = 0;
    let mut forwards = 0;
    for i in (0..420).step_by(3) {
        let (tenant, upper) = (format!("t{i}"), format!("T{i}"));
        let (region, plan, env) = (
            format!("r{}", i % 7),
            format!("p{}", i % 3),
            format!("e{}", i % 2),
        );
        let rest = [("x-region", &region), ("x-plan", &plan), ("x-env", &env)];
        let with = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
            extra
                .iter()
                .copied()
                .chain(rest.iter().map(|(n, v)| (*n, v.as_str())))
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect()
        };
        let variants = [
            with(&[("x-tenant", &tenant)]),
            with(&[("X-Tenant", &tenant)]),
            with(&[("x-tenant", &upper)]),
            with(&[("x-tenant", &tenant), ("x-tenant", &tenant)]),
            with(&[("x-tenant", "t1"), ("X-TENANT", "t2")]),
            with(&[]),
            with(&[("x-tenant", "t1,t2")]),
            vec![("x-tenant".to_owned(), tenant.clone())],
        ];
        for headers in &variants {
            let req = HttpRequest::new("GET", &witness.host, "/api/items").owned_headers(headers);
            let fast = compiled
                .router()
                .route_http(gw, workload::PORT, &req)
                .view();
            let naive = oracle.route_http(gw, workload::PORT, &req).view();
            assert_eq!(fast, naive, "{headers:?}");
            compared += 1;
            forwards += usize::from(fast.kind == "forward");
        }
    }
    // Hits and misses both.
    assert!(
        forwards * 4 > compared && forwards < compared,
        "{forwards} of {compared}"
    );
}

#[test]
fn matchit_picks_the_same_route_on_the_path_only_workload() {
    for routes in [10, 1_000] {
        let w = Workload::generate(Spec::new(Shape::PathOnly, routes, 1));
        let mut m = matchit::Router::new();
        for (i, route) in w.routes.iter().enumerate() {
            for mat in route.rules.iter().flat_map(|r| &r.matches) {
                let paths = match &mat.path {
                    PathDef::Exact(p) => vec![p.clone()],
                    PathDef::PathPrefix(p) => {
                        vec![p.clone(), format!("{p}/"), format!("{p}/{{*rest}}")]
                    }
                    PathDef::RegularExpression { .. } => panic!("path-only has no regex"),
                };
                for p in paths {
                    m.insert(p, i).expect("matchit takes the route");
                }
            }
        }
        let mut hits = 0;
        for r in &w.requests {
            let path = r.target.split('?').next().unwrap_or(&r.target);
            let by_matchit = m.at(path).ok().map(|found| &w.routes[*found.value].name);
            let by_gatewise = r.expect.route.as_ref().map(|v| &v.name);
            assert_eq!(by_matchit, by_gatewise, "{:?} {}", r.class, r.target);
            hits += usize::from(by_matchit.is_some());
        }
        assert!(hits > 200, "{hits}");
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = Spec::new(Shape::Realistic, 300, 30);
    let a = Workload::generate(spec);
    let b = Workload::generate(spec);
    assert_eq!(a.yaml(), b.yaml());
    let targets = |w: &Workload| -> Vec<String> {
        w.requests
            .iter()
            .map(|r| {
                format!(
                    "{:?} {} {}{} {:?}",
                    r.class, r.method, r.host, r.target, r.headers
                )
            })
            .collect()
    };
    assert_eq!(targets(&a), targets(&b));
    let c = Workload::generate(spec.with_seed(7));
    assert_ne!(a.yaml(), c.yaml());
}

#[test]
fn every_request_class_is_generated() {
    let w = Workload::generate(Spec::new(Shape::Realistic, 1_000, 100));
    for class in Class::ALL {
        assert!(w.one(class).is_some(), "{class:?}");
    }
    let first = w.one(Class::First).and_then(|r| r.position);
    let middle = w.one(Class::Middle).and_then(|r| r.position);
    let last = w.one(Class::Last).and_then(|r| r.position);
    assert_eq!(first, Some(0));
    assert!(middle > Some(w.entries / 4) && middle < Some(3 * w.entries / 4));
    assert_eq!(last, Some(w.entries - 1));
    assert!(w.class(Class::Miss).all(|r| r.expect.status == Some(404)));
    assert!(
        w.class(Class::UnknownHost)
            .all(|r| r.expect.status == Some(404))
    );
    assert!(w.class(Class::LongPath).all(|r| r.target.len() > 500));
    assert!(w.class(Class::ManyHeaders).all(|r| r.headers.len() >= 40));
    // The YAML text loads to the same resources.
    let text = gatewise::load_str("workload.yaml", &w.yaml());
    assert!(text.errors.is_empty() && text.rejections.is_empty());
    assert_eq!(text.resources.http_routes.len(), 1_000);
}

/// Every request case of the spec fixtures, through router and oracle.
#[test]
fn router_agrees_with_the_oracle_on_the_spec_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec-fixtures/fixtures");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut compared = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable fixture");
        // Manifests beside the fixtures are not fixtures.
        let Ok(fixture) =
            serde_saphyr::from_str_with_options::<Fixture>(&text, gatewise::load::yaml_options())
        else {
            continue;
        };
        let mut loader = Loader::new();
        let dir = file.parent().expect("a file has a folder");
        for include in &fixture.include {
            let path = dir.join(include);
            let text = std::fs::read_to_string(&path).expect("readable include");
            loader.add_str(&path.display().to_string(), &text);
        }
        for value in &fixture.resources {
            loader.add_value(&file.display().to_string(), value.clone());
        }
        let loaded = loader.finish();
        let options = Options::with_controller_name(
            fixture
                .controller_name
                .clone()
                .unwrap_or_else(|| gatewise::DEFAULT_CONTROLLER_NAME.to_owned()),
        );
        let compiled = Router::compile(&loaded.resources, &options);
        let oracle = Oracle::new(compiled.router());
        for case in &fixture.requests {
            let Some((ns, name)) = case.gateway.split_once('/') else {
                continue;
            };
            let Some(port) = case.port.or(case.protocol.default_port()) else {
                continue;
            };
            let method = case
                .method
                .as_deref()
                .unwrap_or(case.protocol.default_method());
            let host = case.host.as_deref().unwrap_or(gatewise_spec::DEFAULT_HOST);
            let grpc = case
                .grpc
                .as_ref()
                .map(|g| gatewise::grpc_path(&g.service, &g.method));
            let target = grpc.as_deref().or(case.path.as_deref()).unwrap_or("/");
            let headers: Vec<(String, String)> = case
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.0.clone()))
                .collect();
            let req = HttpRequest::new(method, host, target)
                .sni(case.sni.as_deref())
                .owned_headers(&headers);
            let gw = GatewayRef::new(ns, name);
            let fast = compiled
                .router()
                .route(gw, port, case.protocol, &req)
                .view();
            if let Some(naive) = oracle.route(gw, port, case.protocol, &req) {
                assert_eq!(
                    naive.view(),
                    fast,
                    "{}: {} ({})",
                    fixture.name,
                    case.name,
                    file.display()
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} fixture requests compared");
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures folder")
        .map(|e| e.expect("folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// The proxy comparison's gatewise configuration routes every load request to
/// the backend, and a path outside the rules to 404.
#[test]
fn proxy_comparison_rules_route_every_load_request() {
    use gatewise_benches::proxy::ProxyRules;
    for (hosts, per_host) in [(1, 10), (100, 10)] {
        let rules = ProxyRules::new(hosts, per_host);
        let loaded = gatewise::load_str("proxy.yaml", &rules.gatewise_yaml(18080, 18000));
        assert!(
            loaded.errors.is_empty() && loaded.rejections.is_empty(),
            "{:?} {:?}",
            loaded.errors,
            loaded.rejections
        );
        assert_eq!(loaded.resources.http_routes.len(), hosts * per_host);
        let compiled = Router::compile(&loaded.resources, &Options::default());
        let gw = workload::gateway();
        let mut requests = rules.requests(hosts * per_host * 3);
        requests.extend(rules.host_requests(0, 300));
        for r in &requests {
            let req = HttpRequest::new("GET", &r.host, &r.path);
            let v = compiled.router().route_http(gw, 18080, &req).view();
            assert_eq!(v.kind, "forward", "{} {}: {v:?}", r.host, r.path);
            assert_eq!(v.backends[0].name.as_deref(), Some("backend"));
        }
        let miss = HttpRequest::new("GET", &requests[0].host, "/api-0x");
        let v = compiled.router().route_http(gw, 18080, &miss).view();
        assert_eq!(v.status, Some(404));
    }
}

/// The header index allocates nothing at lookup: forwards through an indexed
/// list of 2,000 routes on one path (as benches/tests/no_alloc.rs checks for
/// the realistic workload, whose lists are too short to be indexed).
#[test]
fn header_indexed_forwards_allocate_nothing() {
    let w = Workload::generate(Spec::new(Shape::ManyHeaders, 2_000, 1));
    let gw = workload::gateway();
    let requests: Vec<_> = w
        .requests
        .iter()
        .filter(|r| r.expect.kind == "forward")
        .map(Request::http)
        .collect();
    assert!(requests.len() > 100, "{}", requests.len());
    for req in &requests {
        std::hint::black_box(w.router().route_http(gw, workload::PORT, req));
    }
    for req in &requests {
        let info = allocation_counter::measure(|| {
            std::hint::black_box(w.router().route_http(gw, workload::PORT, req));
        });
        assert_eq!(
            info.count_total,
            0,
            "{}{} allocated",
            req.host(),
            req.target()
        );
    }
    let seen = allocation_counter::measure(|| {
        std::hint::black_box(String::from("allocates"));
    });
    assert!(seen.count_total > 0);
}
