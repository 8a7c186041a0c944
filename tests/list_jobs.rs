//! ListJobs (decision 38): filters, order, paging and the summary's members.

mod common;

use common::World;
use serde_json::{json, Value};

fn ids(v: &Value) -> Vec<String> {
    v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["jobId"].as_str().unwrap().to_owned())
        .collect()
}

/// Things t1, t2; group g1 = {t1}, g2 = {t2}; jobs in creation order:
/// a (SNAPSHOT on t1, completed at 3), b (CONTINUOUS on g1), c (SNAPSHOT on g2, canceled),
/// d (SNAPSHOT on g1 and t2, running).
fn fleet() -> World {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .group("g1", &["t1"])
        .group("g2", &["t2"]);
    w.at(1).job("a", &["t1"], json!({}));
    w.at(2)
        .job("b", &["group:g1"], json!({"targetSelection": "CONTINUOUS"}));
    w.at(3);
    w.update("t1", "a", "SUCCEEDED", json!({})).unwrap();
    w.at(4).job("c", &["group:g2"], json!({}));
    w.ok("CancelJob", json!({"jobId": "c"}));
    w.at(5).job("d", &["group:g1", "t2"], json!({}));
    w
}

#[test]
fn decision_38_newest_first_with_the_summary_members() {
    let mut w = fleet();
    let before = w.svc.clone();
    let all = w.ok("ListJobs", json!({}));
    assert_eq!(ids(&all), ["d", "c", "b", "a"]);
    assert_eq!(all.get("nextToken"), None);
    assert_eq!(
        all["jobs"][3],
        json!({
            "jobArn": "arn:aws:iot:us-east-1:123456789012:job/a",
            "jobId": "a",
            "targetSelection": "SNAPSHOT",
            "status": "COMPLETED",
            "createdAt": 1,
            "lastUpdatedAt": 3,
            "completedAt": 3,
            "isConcurrent": false
        })
    );
    // No completedAt until set; no thingGroupId ever.
    assert_eq!(all["jobs"][0].get("completedAt"), None);
    assert!(all["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j.get("thingGroupId").is_none()));
    assert_eq!(w.svc, before, "nothing changes");
}

#[test]
fn decision_38_filters_all_apply() {
    let mut w = fleet();
    let list = |w: &mut World, f: Value| ids(&w.ok("ListJobs", f));
    assert_eq!(list(&mut w, json!({"status": "IN_PROGRESS"})), ["d", "b"]);
    assert_eq!(list(&mut w, json!({"status": "CANCELED"})), ["c"]);
    assert_eq!(
        list(&mut w, json!({"status": "SCHEDULED"})),
        Vec::<String>::new()
    );
    assert_eq!(
        list(&mut w, json!({"status": "DELETION_IN_PROGRESS"})),
        Vec::<String>::new()
    );
    assert_eq!(
        list(&mut w, json!({"targetSelection": "CONTINUOUS"})),
        ["b"]
    );
    assert_eq!(list(&mut w, json!({"thingGroupName": "g1"})), ["d", "b"]);
    assert_eq!(
        list(
            &mut w,
            json!({"thingGroupName": "g1", "targetSelection": "SNAPSHOT"})
        ),
        ["d"]
    );
    assert_eq!(
        list(
            &mut w,
            json!({"thingGroupName": "g1", "status": "COMPLETED"})
        ),
        Vec::<String>::new()
    );
    // By the id CreateThingGroup returned.
    let g2 = w.ok("CreateThingGroup", json!({"thingGroupName": "g2"}))["thingGroupId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(list(&mut w, json!({"thingGroupId": g2})), ["c"]);
    // A job targeting the thing t2 directly is not a job of group g2.
    assert!(!list(&mut w, json!({"thingGroupName": "g2"})).contains(&"d".to_owned()));
    // Deleted jobs are not listed.
    w.ok("DeleteJob", json!({"jobId": "c"}));
    assert_eq!(list(&mut w, json!({})), ["d", "b", "a"]);
}

#[test]
fn decision_38_pages() {
    let mut w = fleet();
    let first = w.ok("ListJobs", json!({"maxResults": 3}));
    assert_eq!(ids(&first), ["d", "c", "b"]);
    assert_eq!(first["nextToken"], "3");
    let second = w.ok("ListJobs", json!({"maxResults": 3, "nextToken": "3"}));
    assert_eq!(ids(&second), ["a"]);
    assert_eq!(second.get("nextToken"), None);
    assert_eq!(
        w.err("ListJobs", json!({"nextToken": "4"})),
        "InvalidRequestException",
        "a token at the end is none this service gave"
    );
}

#[test]
fn decision_38_refusals() {
    let mut w = fleet();
    for bad in [
        json!({"status": "RUNNING"}),
        json!({"status": "QUEUED"}),
        json!({"targetSelection": "ALL"}),
        json!({"maxResults": 0}),
        json!({"maxResults": 251}),
        json!({"nextToken": "x"}),
        json!({"thingGroupName": "a b"}),
        json!({"thingGroupId": "a_b"}),
        json!({"thingGroupId": ""}),
    ] {
        assert_eq!(
            w.err("ListJobs", bad.clone()),
            "InvalidRequestException",
            "{bad}"
        );
    }
    let nm = w.err_body("ListJobs", json!({"namespaceId": "n"}));
    assert_eq!(
        (nm["code"].as_str(), nm["feature"].as_str()),
        (Some("NotModelled"), Some("namespaces"))
    );
    assert_eq!(
        w.err("ListJobs", json!({"thingGroupName": "nope"})),
        "ResourceNotFoundException"
    );
    assert_eq!(
        w.err("ListJobs", json!({"thingGroupId": "0000-nope"})),
        "ResourceNotFoundException"
    );
    // The request's validity comes before the group lookup.
    assert_eq!(
        w.err(
            "ListJobs",
            json!({"thingGroupName": "nope", "maxResults": 0})
        ),
        "InvalidRequestException"
    );
}
