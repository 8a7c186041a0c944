//! The committed test vectors (tests/vectors/): every one agrees with the specification,
//! `index.json` lists exactly the files, and every goal has its vector.

use iot_jobs_spec::generate::Coverage;
use iot_jobs_spec::trace::{Replay, Verdict};
use iot_jobs_spec::Config;
use serde_json::Value;

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn index() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("index.json")).unwrap();
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

#[test]
fn every_vector_agrees_with_the_specification() {
    for entry in index() {
        let name = entry["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir().join(name)).unwrap();
        let mut replay = Replay::new(Config::default());
        let mut steps = 0;
        for (i, line) in text.lines().enumerate() {
            let step = replay.parse(line).unwrap().unwrap();
            assert_eq!(replay.check(&step), Verdict::Agrees, "{name}:{}", i + 1);
            steps += 1;
        }
        assert_eq!(entry["steps"], steps, "{name}");
    }
}

#[test]
fn the_index_lists_exactly_the_files_and_every_goal() {
    let mut listed: Vec<String> = index()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
    let goals: Vec<String> = index()
        .iter()
        .map(|e| e["goal"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        goals,
        Coverage::goals(),
        "every goal has a vector, in goal order"
    );
}

/// Run with `cargo test --release --test vectors -- --ignored`.
#[test]
#[ignore = "regenerates the corpus (about 6 s in release); run after changing the rules"]
fn the_committed_vectors_are_what_the_generator_makes() {
    use iot_jobs_spec::generate::{vectors, Options};
    let made = vectors(Options {
        seed: 1,
        steps: 3000,
        ..Options::default()
    });
    let committed = index();
    assert_eq!(made.len(), committed.len());
    for ((goal, lines), entry) in made.iter().zip(&committed) {
        assert_eq!(goal, entry["goal"].as_str().unwrap());
        let text = std::fs::read_to_string(dir().join(entry["file"].as_str().unwrap())).unwrap();
        assert_eq!(lines.join("\n") + "\n", text, "{goal}");
    }
}
