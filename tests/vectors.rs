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

/// The opaque members (ids AWS generates, free-text messages) a line writes at the top
/// level of its `output`, `error` or an event's `payload`.
fn opaque_written(line: &str) -> Vec<String> {
    use iot_jobs_spec::trace::judge::OPAQUE;
    let v: Value = serde_json::from_str(line).unwrap();
    let mut objects: Vec<&Value> = ["output", "error"]
        .iter()
        .filter_map(|k| v.get(*k))
        .collect();
    if let Some(Value::Array(events)) = v.get("events") {
        objects.extend(events.iter().filter_map(|e| e.get("payload")));
    }
    objects
        .iter()
        .filter_map(|o| o.as_object())
        .flat_map(|m| m.keys())
        .filter(|k| OPAQUE.contains(&k.as_str()))
        .cloned()
        .collect()
}

#[test]
fn writers_pin_only_what_the_rules_fix() {
    // The committed vectors.
    for entry in index() {
        let name = entry["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir().join(name)).unwrap();
        for (i, line) in text.lines().enumerate() {
            assert_eq!(
                opaque_written(line),
                Vec::<String>::new(),
                "{name}:{}",
                i + 1
            );
        }
    }
    // What `generate` writes: it creates things and groups and is refused over MQTT.
    let lines: Vec<String> = iot_jobs_spec::generate::Generator::new(Default::default())
        .take(2000)
        .collect();
    let mut seen = (0, 0, 0);
    for line in &lines {
        assert_eq!(opaque_written(line), Vec::<String>::new(), "{line}");
        seen.0 += usize::from(line.contains(r#""call":"CreateThing""#));
        seen.1 += usize::from(line.contains(r#""call":"CreateThingGroup""#));
        seen.2 += usize::from(line.contains("/rejected"));
    }
    assert!(seen.0 > 0 && seen.1 > 0 && seen.2 > 0, "{seen:?}");
    // What `run` writes (Replay::fill), for a line that expected them.
    let mut replay = Replay::new(Config::default());
    let line = r#"{"call": "CreateThing", "input": {"thingName": "t1"},
                   "output": {"thingId": "x", "thingName": "t1"}}"#;
    let mut step = replay.parse(line).unwrap().unwrap();
    replay.fill(&mut step);
    let written = Value::Object(step.raw).to_string();
    assert_eq!(opaque_written(&written), Vec::<String>::new(), "{written}");
    assert!(written.contains(r#""thingName":"t1""#), "{written}");
}
