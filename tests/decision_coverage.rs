//! Every decision in the catalog has a test that names it: `decision_05_...` for decision
//! 5, `decision_1b_...` for 1b, `details_registry_...` for a Details paragraph,
//! `out_of_model_...` for the features outside the model.

use iot_jobs_spec::decisions::{DecisionId, DECISIONS};

fn test_names() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut names = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    if let Some(rest) = line.trim_start().strip_prefix("fn ") {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.push(name);
                    }
                }
            }
        }
    }
    names
}

fn prefix(id: DecisionId) -> String {
    let number = id.as_str();
    if let Ok(n) = number.parse::<u32>() {
        format!("decision_{n:02}_")
    } else if let Some(rest) = number.strip_prefix("details-") {
        let first = rest.split('-').next().unwrap_or(rest);
        format!("details_{first}_")
    } else if number.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("decision_{number}_")
    } else {
        format!("{}_", number.replace('-', "_"))
    }
}

#[test]
fn every_decision_has_a_test_that_names_it() {
    let names = test_names();
    let missing: Vec<String> = DECISIONS
        .iter()
        .map(|d| prefix(d.id))
        .filter(|p| !names.iter().any(|n| n.starts_with(p.as_str())))
        .collect();
    assert!(missing.is_empty(), "no test named for: {missing:?}");
}

#[test]
fn the_prefixes_are_the_ones_the_tests_use() {
    assert_eq!(prefix(DecisionId::D5), "decision_05_");
    assert_eq!(prefix(DecisionId::D1b), "decision_1b_");
    assert_eq!(prefix(DecisionId::DetailsTimersMessages), "details_timers_");
    assert_eq!(prefix(DecisionId::OutOfModel), "out_of_model_");
}
