//! The HTTP bindings (`iot_jobs_spec::binding`) held to AWS's service models: the same
//! method, URI template, path members and query-string members with the same keys and
//! types, for every operation the two models define that the specification names.
//!
//! The models are the reference copies in `../shared/reference/models/` beside the
//! repository. Without them the test fails under CI and says so elsewhere.

use std::path::PathBuf;

use iot_jobs_spec::binding::{MemberType, BINDINGS};
use iot_jobs_spec::{Operation, Plane};
use serde_json::Value;

fn models_dir() -> Option<PathBuf> {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/models");
    [beside, PathBuf::from("/work/shared/reference/models")]
        .into_iter()
        .find(|d| d.join("iot.json").is_file())
}

fn model(dir: &std::path::Path, plane: Plane) -> Value {
    let file = dir.join(format!("{plane}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn ty(model_type: &str) -> MemberType {
    match model_type {
        "string" => MemberType::String,
        "long" => MemberType::Long,
        "integer" => MemberType::Integer,
        "boolean" => MemberType::Boolean,
        other => panic!("a member outside the body has model type {other}"),
    }
}

#[test]
fn bindings_agree_with_the_service_models() {
    let Some(dir) = models_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the service models (../shared/reference/models) are missing"
        );
        eprintln!("SKIPPED: no ../shared/reference/models beside the repository");
        return;
    };
    let mut checked = 0;
    for plane in [Plane::Data, Plane::Control] {
        let model = model(&dir, plane);
        let ops = model["operations"].as_object().unwrap();
        for (name, op) in ops {
            let binding = BINDINGS.iter().find(|b| b.plane == plane && b.name == name);
            let Some(binding) = binding else {
                assert!(
                    Operation::find(plane, name).is_none()
                        && !Operation::is_not_modelled(plane, name),
                    "{plane} {name} is named by the specification but has no binding"
                );
                continue;
            };
            assert_eq!(binding.method, op["http"]["method"], "{plane} {name}");
            assert_eq!(binding.uri, op["http"]["uri"], "{plane} {name}");
            let members = op["input"]["members"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let mut path = Vec::new();
            let mut query = Vec::new();
            for (member, shape) in &members {
                let t = shape["type"].as_str().unwrap();
                match shape.get("location").and_then(Value::as_str) {
                    None => {}
                    Some("uri") => path.push((member.as_str(), ty(t))),
                    Some(l) => {
                        let key = l
                            .strip_prefix("querystring:")
                            .unwrap_or_else(|| panic!("{plane} {name}.{member}: location {l}"));
                        query.push((member.as_str(), key, ty(t)));
                    }
                }
            }
            let bound_path: Vec<_> = binding.path.iter().map(|m| (m.member, m.ty)).collect();
            let bound_query: Vec<_> = binding
                .query
                .iter()
                .map(|m| (m.member, m.key, m.ty))
                .collect();
            path.sort();
            query.sort();
            let (mut bp, mut bq) = (bound_path.clone(), bound_query.clone());
            bp.sort();
            bq.sort();
            assert_eq!(bp, path, "{plane} {name}: path members");
            assert_eq!(bq, query, "{plane} {name}: query members");
            // Every `{member}` of the template is a path member, and the reverse.
            let mut in_template: Vec<&str> = binding
                .uri
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            in_template.sort();
            let mut names: Vec<&str> = bp.iter().map(|(m, _)| *m).collect();
            names.sort();
            assert_eq!(in_template, names, "{plane} {name}: template");
            checked += 1;
        }
    }
    // Every binding was found in a model.
    assert_eq!(checked, BINDINGS.len());
}
