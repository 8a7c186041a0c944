//! docs/rules.md and docs/decisions.md are the output of `iot-jobs-spec rules` and
//! `iot-jobs-spec decisions`: the docs cannot drift from the code. After changing a rule,
//! regenerate with `UPDATE_DOCS=1 cargo test --test generated_docs` and review the diff.

use iot_jobs_spec::{decisions, rules};

fn keep_equal(path: &str, generated: String) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&full, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{path} is not what the code generates; run UPDATE_DOCS=1 cargo test --test \
         generated_docs and review the diff"
    );
}

#[test]
fn rules_md_is_the_rules_command_output() {
    keep_equal("docs/rules.md", rules::render::markdown());
}

#[test]
fn decisions_md_is_the_decisions_command_output() {
    keep_equal("docs/decisions.md", decisions::render_markdown());
}

#[test]
fn every_transition_row_names_a_decision_in_the_catalog() {
    for t in rules::TRANSITIONS {
        // The row's decision is a typed id, so the catalog has it; its grades must cover
        // the row's.
        let d = t.decision.decision();
        for grade in t.evidence {
            assert!(
                d.evidence.contains(grade),
                "row {t:?} carries {grade}, which decision {} does not list",
                d.id
            );
        }
    }
}
