//! DescribeThing (decision 39).

mod common;

use common::World;
use serde_json::json;

#[test]
fn decision_39_a_thing_is_described_with_the_id_create_thing_gave() {
    let mut w = World::new();
    let created = w.ok(
        "CreateThing",
        json!({"thingName": "t1", "attributePayload": {"attributes": {"k": "v", "a": "b"}}}),
    );
    let before = w.svc.clone();
    let described = w.ok("DescribeThing", json!({"thingName": "t1"}));
    assert_eq!(
        described,
        json!({
            "thingName": "t1",
            "thingId": created["thingId"],
            "thingArn": "arn:aws:iot:us-east-1:123456789012:thing/t1",
            "attributes": {"a": "b", "k": "v"},
            "version": 1,
            "defaultClientId": "t1"
        })
    );
    assert_eq!(w.svc, before, "nothing changes");
}

#[test]
fn decision_39_a_thing_without_attributes_shows_an_empty_map() {
    let mut w = World::new();
    w.thing("t:2_x-y");
    let d = w.ok("DescribeThing", json!({"thingName": "t:2_x-y"}));
    assert_eq!(d["attributes"], json!({}));
    assert_eq!(d["defaultClientId"], "t:2_x-y");
    assert!(d.get("thingTypeName").is_none() && d.get("billingGroupName").is_none());
}

#[test]
fn decision_39_refusals_and_a_deleted_thing() {
    let mut w = World::new();
    w.thing("t1");
    assert_eq!(
        w.err("DescribeThing", json!({"thingName": "a b"})),
        "InvalidRequestException"
    );
    assert_eq!(
        w.err("DescribeThing", json!({"thingName": ""})),
        "InvalidRequestException"
    );
    assert_eq!(w.err("DescribeThing", json!({})), "InvalidRequestException");
    assert_eq!(
        w.err("DescribeThing", json!({"thingName": "t2"})),
        "ResourceNotFoundException"
    );
    let id = w.ok("DescribeThing", json!({"thingName": "t1"}))["thingId"].clone();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(
        w.err("DescribeThing", json!({"thingName": "t1"})),
        "ResourceNotFoundException"
    );
    // Created again, it is a new thing with a new id.
    let again = w.ok("CreateThing", json!({"thingName": "t1"}));
    let d = w.ok("DescribeThing", json!({"thingName": "t1"}));
    assert_eq!(d["thingId"], again["thingId"]);
    assert_ne!(d["thingId"], id);
}
