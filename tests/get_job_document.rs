//! GetJobDocument (decision 37): the document exactly as CreateJob received it.

mod common;

use common::{thing_arn, World};
use serde_json::json;

#[test]
fn decision_37_the_document_comes_back_as_the_very_string_sent() {
    let mut w = World::new();
    w.thing("t1");
    // Whitespace and key order kept: the string, not the parsed JSON.
    let doc = "{ \"op\" : \"reboot\",\n  \"a\": [1, 2] }";
    w.ok(
        "CreateJob",
        json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": doc}),
    );
    let before = w.svc.clone();
    assert_eq!(
        w.ok("GetJobDocument", json!({"jobId": "j1"})),
        json!({"document": doc})
    );
    // beforeSubstitution changes nothing, and the call changes nothing.
    assert_eq!(
        w.ok(
            "GetJobDocument",
            json!({"jobId": "j1", "beforeSubstitution": true})
        ),
        json!({"document": doc})
    );
    assert_eq!(w.svc, before);
    assert!(w.messages.is_empty());
}

#[test]
fn decision_37_whatever_the_job_s_status() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.job("j2", &["t1"], json!({}));
    w.ok("CancelJob", json!({"jobId": "j2"}));
    for job in ["j1", "j2"] {
        assert_eq!(
            w.ok("GetJobDocument", json!({"jobId": job})),
            json!({"document": "{\"op\":\"x\"}"})
        );
    }
}

#[test]
fn decision_37_refusals() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({"document": "{}"}));
    assert_eq!(
        w.err("GetJobDocument", json!({"jobId": "$next"})),
        "InvalidRequestException"
    );
    assert_eq!(
        w.err("GetJobDocument", json!({"jobId": ""})),
        "InvalidRequestException"
    );
    assert_eq!(
        w.err("GetJobDocument", json!({})),
        "InvalidRequestException"
    );
    assert_eq!(
        w.err(
            "GetJobDocument",
            json!({"jobId": "j1", "beforeSubstitution": 1})
        ),
        "InvalidRequestException"
    );
    let body = w.err_body("GetJobDocument", json!({"jobId": "j9"}));
    assert_eq!(body["code"], "ResourceNotFoundException");
    assert!(body["message"].as_str().unwrap().contains("'j9'"));
    w.ok("DeleteJob", json!({"jobId": "j1", "force": true}));
    assert_eq!(
        w.err("GetJobDocument", json!({"jobId": "j1"})),
        "ResourceNotFoundException"
    );
}
