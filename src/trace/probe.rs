//! The matching rules of [`super::matching`] applied to a typed value while it serializes,
//! without building its JSON: `check` compares every answer and message this way, and
//! builds the JSON (for the message that says where it differs) only when it does not
//! match.
//!
//! For any value serde_json can serialize, [`matches_serialized`]`(e, a)` is true exactly
//! when [`matches()`]`(e, &serde_json::to_value(a)?)` is `Ok`. What the probe cannot
//! decide as it goes (a member written twice, of which serde_json keeps the last; a map
//! key that is not a string or an integer; serde_json's own number and raw-value types) it
//! hands to `to_value` and [`matches()`]. The tests below and the parity test in
//! `replay.rs` hold the two to that.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};
use serde_json::{Map, Number, Value};

use super::matching::{matches, numbers_equal};

/// Whether `actual`, serialized as JSON, matches `expected` (trace-format "Matching":
/// objects as subsets, arrays element by element with equal lengths, numbers by value,
/// an expected `null` matching a missing member).
///
/// ```
/// use iot_jobs_spec::trace::probe::matches_serialized;
/// use serde_json::json;
/// #[derive(serde::Serialize)]
/// struct Reply { version: i64, note: Option<String> }
/// let r = Reply { version: 2, note: None };
/// assert!(matches_serialized(&json!({"version": 2.0, "note": null}), &r));
/// assert!(!matches_serialized(&json!({"version": 3}), &r));
/// ```
pub fn matches_serialized<T: Serialize + ?Sized>(expected: &Value, actual: &T) -> bool {
    probe(expected, actual, &[]).unwrap_or_else(|| {
        serde_json::to_value(actual).is_ok_and(|a| matches(expected, &a).is_ok())
    })
}

/// [`matches_serialized`] for an object, leaving out the expected members named in
/// `skip` (an error's `code`, compared apart, and its free-text `message`).
pub(crate) fn matches_serialized_except<T: Serialize + ?Sized>(
    expected: &Value,
    actual: &T,
    skip: &'static [&'static str],
) -> bool {
    let Value::Object(want) = expected else {
        return false;
    };
    probe(expected, actual, skip).unwrap_or_else(|| {
        let mut want = want.clone();
        want.retain(|k, _| !skip.contains(&k.as_str()));
        serde_json::to_value(actual).is_ok_and(|a| matches(&Value::Object(want), &a).is_ok())
    })
}

/// Whether `actual` matches; `None` when the probe cannot tell without the JSON.
fn probe<T: Serialize + ?Sized>(
    expected: &Value,
    actual: &T,
    skip: &'static [&'static str],
) -> Option<bool> {
    match actual.serialize(Probe { expected, skip }) {
        Ok(()) => Some(true),
        Err(Stop::Differs) => Some(false),
        Err(Stop::Undecided) => None,
    }
}

/// Why the probe stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The value does not match, or is not JSON.
    Differs,
    /// The probe cannot tell; the JSON must be built.
    Undecided,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::Differs => "no match",
            Stop::Undecided => "undecided",
        })
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    /// The value's own serialization failed: let `to_value` say what it makes of it.
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop::Undecided
    }
}

type R = Result<(), Stop>;

fn check(ok: bool) -> R {
    if ok {
        Ok(())
    } else {
        Err(Stop::Differs)
    }
}

fn number(expected: &Value, n: Number) -> R {
    check(matches!(expected, Value::Number(e) if numbers_equal(e, &n)))
}

/// serde_json's number (with `arbitrary_precision`) and raw value serialize as structs
/// of these names; the probe leaves them to `to_value`.
const SERDE_JSON_PRIVATE: &str = "$serde_json::private::";

/// Serializes a value while comparing it with `expected`.
struct Probe<'e> {
    expected: &'e Value,
    /// Members of an expected object left out of the comparison (top level only).
    skip: &'static [&'static str],
}

impl<'e> ser::Serializer for Probe<'e> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = SeqProbe<'e>;
    type SerializeTuple = SeqProbe<'e>;
    type SerializeTupleStruct = SeqProbe<'e>;
    type SerializeTupleVariant = VariantProbe<SeqProbe<'e>>;
    type SerializeMap = MapProbe<'e>;
    type SerializeStruct = MapProbe<'e>;
    type SerializeStructVariant = VariantProbe<MapProbe<'e>>;

    fn serialize_bool(self, v: bool) -> R {
        check(self.expected == &Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> R {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> R {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> R {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> R {
        number(self.expected, Number::from(v))
    }
    fn serialize_i128(self, v: i128) -> R {
        match Number::from_i128(v) {
            Some(n) => number(self.expected, n),
            None => Err(Stop::Differs),
        }
    }
    fn serialize_u8(self, v: u8) -> R {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> R {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> R {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> R {
        number(self.expected, Number::from(v))
    }
    fn serialize_u128(self, v: u128) -> R {
        match Number::from_u128(v) {
            Some(n) => number(self.expected, n),
            None => Err(Stop::Differs),
        }
    }
    fn serialize_f32(self, v: f32) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> R {
        // serde_json writes a number that is not finite as null.
        match Number::from_f64(v) {
            Some(n) => number(self.expected, n),
            None => self.serialize_unit(),
        }
    }
    fn serialize_char(self, v: char) -> R {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> R {
        check(matches!(self.expected, Value::String(s) if s == v))
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        // serde_json writes bytes as an array of numbers.
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> R {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        check(self.expected.is_null())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> R {
        if name.starts_with(SERDE_JSON_PRIVATE) {
            return Err(Stop::Undecided);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> R {
        match variant_value(self.expected, variant)? {
            Some(inner) => value.serialize(Probe {
                expected: inner,
                skip: &[],
            }),
            None => Ok(()),
        }
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<SeqProbe<'e>, Stop> {
        match self.expected {
            Value::Array(want) => Ok(SeqProbe { want, next: 0 }),
            _ => Err(Stop::Differs),
        }
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqProbe<'e>, Stop> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqProbe<'e>, Stop> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Ok(VariantProbe(match variant_value(self.expected, variant)? {
            Some(inner) => Some(
                Probe {
                    expected: inner,
                    skip: &[],
                }
                .serialize_seq(Some(len))?,
            ),
            None => None,
        }))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapProbe<'e>, Stop> {
        match self.expected {
            Value::Object(want) => Ok(MapProbe::new(want, self.skip)),
            _ => Err(Stop::Differs),
        }
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<MapProbe<'e>, Stop> {
        if name.starts_with(SERDE_JSON_PRIVATE) {
            return Err(Stop::Undecided);
        }
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Ok(VariantProbe(match variant_value(self.expected, variant)? {
            Some(inner) => Some(
                Probe {
                    expected: inner,
                    skip: &[],
                }
                .serialize_map(Some(len))?,
            ),
            None => None,
        }))
    }
}

/// An enum variant with data serializes as `{"Variant": data}`: the expected value for
/// the data (`None`: the expectation does not name it), after checking that `expected`
/// asks for nothing else.
fn variant_value<'e>(expected: &'e Value, variant: &str) -> Result<Option<&'e Value>, Stop> {
    let Value::Object(want) = expected else {
        return Err(Stop::Differs);
    };
    if want.iter().any(|(k, v)| k != variant && !v.is_null()) {
        return Err(Stop::Differs);
    }
    Ok(want.get(variant))
}

/// Compares elements in turn; the lengths must agree at the end.
struct SeqProbe<'e> {
    want: &'e [Value],
    next: usize,
}

impl SeqProbe<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        let expected = self.want.get(self.next).ok_or(Stop::Differs)?;
        self.next += 1;
        value.serialize(Probe {
            expected,
            skip: &[],
        })
    }
    fn finish(self) -> R {
        check(self.next == self.want.len())
    }
}

impl ser::SerializeSeq for SeqProbe<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        self.element(value)
    }
    fn end(self) -> R {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqProbe<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        self.element(value)
    }
    fn end(self) -> R {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqProbe<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        self.element(value)
    }
    fn end(self) -> R {
        self.finish()
    }
}

/// How many named members of one object the probe remembers, to notice one written
/// twice; past that it leaves the object to `to_value`.
const SEEN: usize = 24;

/// Compares members by name. An expected member the value leaves out matches only when it
/// is `null`; a member the expectation does not name is not looked at. A member that
/// differs does not stop the object at once: serde_json keeps the last of a member
/// written twice, so the rest is read first to see whether it comes again.
struct MapProbe<'e> {
    want: &'e Map<String, Value>,
    /// Expected members not compared (e.g. an error's `code`).
    skip: &'static [&'static str],
    /// The expected members the value has written so far.
    seen: [Option<&'e Value>; SEEN],
    seen_len: usize,
    /// How many of them are not `null`.
    found: usize,
    /// Whether one of them differs.
    differs: bool,
    /// What the expectation says of the entry being serialized (`serialize_key` then
    /// `serialize_value`): `Some(None)` when it says nothing.
    pending: Option<Option<&'e Value>>,
}

impl<'e> MapProbe<'e> {
    fn new(want: &'e Map<String, Value>, skip: &'static [&'static str]) -> Self {
        Self {
            want,
            skip,
            seen: [None; SEEN],
            seen_len: 0,
            found: 0,
            differs: false,
            pending: None,
        }
    }
    /// The expected value of member `key`, unless it is left out or not named.
    fn lookup(&self, key: &str) -> Option<&'e Value> {
        if self.skip.contains(&key) {
            None
        } else {
            self.want.get(key)
        }
    }
    fn compare<T: Serialize + ?Sized>(&mut self, expected: Option<&'e Value>, value: &T) -> R {
        let Some(expected) = expected else {
            return Ok(());
        };
        if self.seen[..self.seen_len]
            .iter()
            .any(|s| s.is_some_and(|s| std::ptr::eq(s, expected)))
            || self.seen_len == SEEN
        {
            return Err(Stop::Undecided);
        }
        self.seen[self.seen_len] = Some(expected);
        self.seen_len += 1;
        match value.serialize(Probe {
            expected,
            skip: &[],
        }) {
            Ok(()) => {}
            Err(Stop::Differs) => self.differs = true,
            Err(Stop::Undecided) => return Err(Stop::Undecided),
        }
        if !expected.is_null() {
            self.found += 1;
        }
        Ok(())
    }
    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> R {
        let expected = self.lookup(key);
        self.compare(expected, value)
    }
    fn finish(self) -> R {
        let needed = self
            .want
            .iter()
            .filter(|(k, v)| !v.is_null() && !self.skip.contains(&k.as_str()))
            .count();
        check(!self.differs && self.found == needed)
    }
}

impl ser::SerializeMap for MapProbe<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        let expected = key.serialize(KeyLookup(self))?;
        self.pending = Some(expected);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        let expected = self.pending.take().ok_or(Stop::Differs)?;
        self.compare(expected, value)
    }
    fn end(self) -> R {
        self.finish()
    }
}

impl ser::SerializeStruct for MapProbe<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.member(key, value)
    }
    fn end(self) -> R {
        self.finish()
    }
}

/// The data of an enum variant, compared as its inner sequence or object (`None`: the
/// expectation does not name the variant, so any data matches).
struct VariantProbe<S>(Option<S>);

impl ser::SerializeTupleVariant for VariantProbe<SeqProbe<'_>> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        self.0.as_mut().map_or(Ok(()), |s| s.element(value))
    }
    fn end(self) -> R {
        self.0.map_or(Ok(()), SeqProbe::finish)
    }
}

impl ser::SerializeStructVariant for VariantProbe<MapProbe<'_>> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.0.as_mut().map_or(Ok(()), |m| m.member(key, value))
    }
    fn end(self) -> R {
        self.0.map_or(Ok(()), MapProbe::finish)
    }
}

/// A map key as serde_json writes it (a string, or an integer, bool or char as its text),
/// looked up among the expected members. Float keys, which serde_json writes in its own
/// format, are left to `to_value`.
struct KeyLookup<'p, 'e>(&'p MapProbe<'e>);

impl<'e> ser::Serializer for KeyLookup<'_, 'e> {
    type Ok = Option<&'e Value>;
    type Error = Stop;
    type SerializeSeq = Impossible<Option<&'e Value>, Stop>;
    type SerializeTuple = Impossible<Option<&'e Value>, Stop>;
    type SerializeTupleStruct = Impossible<Option<&'e Value>, Stop>;
    type SerializeTupleVariant = Impossible<Option<&'e Value>, Stop>;
    type SerializeMap = Impossible<Option<&'e Value>, Stop>;
    type SerializeStruct = Impossible<Option<&'e Value>, Stop>;
    type SerializeStructVariant = Impossible<Option<&'e Value>, Stop>;

    fn serialize_str(self, v: &str) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(v))
    }
    fn serialize_char(self, v: char) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_bool(self, v: bool) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_i8(self, v: i8) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_i16(self, v: i16) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_i32(self, v: i32) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_u16(self, v: u16) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_u32(self, v: u32) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<&'e Value>, Stop> {
        value.serialize(self)
    }
    fn serialize_f32(self, _: f32) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Undecided)
    }
    fn serialize_f64(self, _: f64) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Undecided)
    }
    fn serialize_i128(self, v: i128) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_u128(self, v: u128) -> Result<Option<&'e Value>, Stop> {
        Ok(self.0.lookup(&v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_none(self) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_unit(self) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<&'e Value>, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(Stop::Differs)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(Stop::Differs)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::json;

    use super::*;
    use crate::trace::matching::matches;

    /// What `to_value` then `matches` says.
    fn slow<T: Serialize>(expected: &Value, actual: &T) -> bool {
        serde_json::to_value(actual).is_ok_and(|a| matches(expected, &a).is_ok())
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..3).prop_map(|n| json!(n)),
            (-3i64..3).prop_map(|n| json!(n as f64)),
            Just(json!(u64::MAX)),
            Just(json!(0.5)),
            prop::sample::select(vec!["", "a", "b", "IN_PROGRESS"]).prop_map(|s| json!(s)),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec!["a", "b", "c", "code", "message"]),
                    inner,
                    0..4
                )
                .prop_map(|m| Value::Object(
                    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
            ]
        })
    }

    /// `expected` made from `actual` (so that it often matches), then perhaps changed.
    fn near(actual: &Value, choice: &mut impl Iterator<Item = u8>) -> Value {
        let c = choice.next().unwrap_or(0);
        match actual {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    match choice.next().unwrap_or(0) % 16 {
                        0..=3 => {}
                        4 => {
                            out.insert(k.clone(), Value::Null);
                        }
                        _ => {
                            out.insert(k.clone(), near(v, choice));
                        }
                    }
                }
                if c.is_multiple_of(7) {
                    out.insert("z".into(), Value::Null);
                }
                if c.is_multiple_of(31) {
                    out.insert("z".into(), json!(1));
                }
                Value::Object(out)
            }
            Value::Array(a) => {
                let mut out: Vec<Value> = a.iter().map(|v| near(v, choice)).collect();
                if c.is_multiple_of(23) {
                    out.pop();
                }
                Value::Array(out)
            }
            Value::Number(n) if c.is_multiple_of(17) => json!(n.as_f64().unwrap_or(0.0) + 1.0),
            Value::Number(n) if c % 5 == 1 => json!(n.as_f64().unwrap_or(0.0)),
            Value::String(s) if c.is_multiple_of(17) => json!(format!("{s}x")),
            v if c.is_multiple_of(29) => json!([v]),
            v => v.clone(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Any JSON value serialized through the probe gives `matches`'s answer.
        #[test]
        fn probe_agrees_with_matching_on_json(
            actual in value(),
            other in value(),
            choices in prop::collection::vec(any::<u8>(), 0..40),
        ) {
            let expected = near(&actual, &mut choices.into_iter());
            prop_assert_eq!(matches_serialized(&expected, &actual), slow(&expected, &actual));
            prop_assert_eq!(matches_serialized(&other, &actual), slow(&other, &actual));
        }
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Inner {
        version_number: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        started_at: Option<i64>,
        kind: Kind,
    }

    #[derive(Serialize)]
    enum Kind {
        #[serde(rename = "IN_PROGRESS")]
        InProgress,
        Tuple(u8, String),
        Wrapped(i32),
        Fields {
            a: u128,
        },
    }

    #[derive(Serialize)]
    struct Outer {
        #[serde(flatten)]
        inner: Inner,
        by_number: BTreeMap<u32, f64>,
        note: Option<char>,
        bytes: &'static [u8],
        unit: (),
        pair: (bool, i8),
        #[serde(rename = "jobDocument")]
        document: Value,
    }

    fn outer(kind: Kind, f: f64, started_at: Option<i64>) -> Outer {
        Outer {
            inner: Inner {
                version_number: 3,
                started_at,
                kind,
            },
            by_number: BTreeMap::from([(7, f)]),
            note: None,
            bytes: b"ab",
            unit: (),
            pair: (true, -1),
            document: json!({"op": "x", "n": [1, 2]}),
        }
    }

    /// Every kind of value serde can hand a serializer, compared both ways against
    /// expectations near its JSON.
    #[test]
    fn probe_agrees_with_matching_on_typed_values() {
        let kinds = || {
            [
                Kind::InProgress,
                Kind::Tuple(1, "s".into()),
                Kind::Wrapped(-2),
                Kind::Fields { a: u128::MAX },
                Kind::Fields { a: 5 },
            ]
        };
        let mut outcomes = [0; 2];
        for (kind, f, started) in kinds()
            .into_iter()
            .zip([1.5, f64::NAN, 2.0, f64::INFINITY, -0.0])
            .zip([Some(4), None, Some(0), None, Some(-1)])
            .map(|((k, f), s)| (k, f, s))
        {
            let actual = outer(kind, f, started);
            let json = serde_json::to_value(&actual).unwrap_or(Value::Null);
            // Nothing here is written twice or keyed by a float: the probe decides alone.
            assert!(probe(&json, &actual, &[]).is_some(), "{json}");
            for seed in 0..200u32 {
                // A fixed pseudo-random sequence per seed (xorshift).
                let mut x = seed.wrapping_mul(2_654_435_761) | 1;
                let mut choices = std::iter::from_fn(|| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    Some((x >> 8) as u8)
                });
                let expected = near(&json, &mut choices);
                let fast = matches_serialized(&expected, &actual);
                assert_eq!(probe(&expected, &actual, &[]), Some(fast), "{expected}");
                assert_eq!(fast, slow(&expected, &actual), "{expected} against {json}");
                outcomes[usize::from(fast)] += 1;
            }
            // u128::MAX is no JSON number: nothing matches it.
            assert_eq!(
                matches_serialized(&json, &actual),
                !json.is_null(),
                "{json}"
            );
        }
        // Both answers came up often: the comparison was exercised both ways.
        assert!(outcomes.iter().all(|&n| n > 50), "{outcomes:?}");
    }

    /// A member written twice (serde_json keeps the last): the probe hands it to
    /// `to_value`, whichever occurrence differs.
    #[test]
    fn members_written_twice_are_decided_by_the_json() {
        #[derive(Serialize)]
        struct Twice {
            a: i32,
            #[serde(flatten)]
            again: BTreeMap<&'static str, Value>,
        }
        let twice = |last: Value| Twice {
            a: 1,
            again: BTreeMap::from([("a", last)]),
        };
        for (expected, last) in [
            (json!({"a": 1, "b": 2}), json!(1)),
            (json!({"a": 1}), json!(1)),
            (json!({"a": 2}), json!(2)),
            (json!({"a": 1}), json!(2)),
            (json!({"a": null}), json!(null)),
            (json!({}), json!(5)),
        ] {
            let actual = twice(last);
            assert_eq!(
                matches_serialized(&expected, &actual),
                slow(&expected, &actual),
                "{expected}"
            );
        }
        assert!(matches_serialized(&json!({"a": 2}), &twice(json!(2))));
        assert_eq!(probe(&json!({"a": 2}), &twice(json!(2)), &[]), None);
    }

    /// Keys serde_json writes as text: integers of any width as decimals, floats in its
    /// own format (left to `to_value`), anything else refused.
    #[test]
    fn map_keys_as_serde_json_writes_them() {
        let wide = BTreeMap::from([(u128::MAX, 1), (7, 2)]);
        let text = u128::MAX.to_string();
        assert!(matches_serialized(
            &json!({ text.as_str(): 1, "7": 2 }),
            &wide
        ));
        assert!(!matches_serialized(&json!({"7": 3}), &wide));
        struct FloatKeys(Vec<(f64, i32)>);
        impl Serialize for FloatKeys {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        let floats = FloatKeys(vec![(1.5, 0)]);
        assert_eq!(probe(&json!({"1.5": 0}), &floats, &[]), None);
        assert!(matches_serialized(&json!({"1.5": 0}), &floats));
        let unit_keys = BTreeMap::from([((), 1)]);
        assert!(!matches_serialized(&json!({}), &unit_keys));
        assert!(!slow(&json!({}), &unit_keys));
    }

    /// serde_json's private number and raw-value structs, and a value whose own
    /// serialization fails, are left to `to_value`.
    #[test]
    fn what_the_probe_cannot_read_is_decided_by_the_json() {
        #[derive(Serialize)]
        #[serde(rename = "$serde_json::private::Number")]
        struct Private {
            x: i32,
        }
        assert_eq!(probe(&json!({"x": 1}), &Private { x: 1 }, &[]), None);
        assert_eq!(
            matches_serialized(&json!({"x": 1}), &Private { x: 1 }),
            slow(&json!({"x": 1}), &Private { x: 1 })
        );
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("cannot"))
            }
        }
        assert_eq!(probe(&json!(null), &Fails, &[]), None);
        assert!(!matches_serialized(&json!(null), &Fails));
    }

    /// Integer, bool and char keys are written as their text.
    #[test]
    fn scalar_map_keys_are_looked_up_as_text() {
        fn both<K: Serialize + Ord>(key: K, text: &str) {
            let map = BTreeMap::from([(key, 1)]);
            for (expected, matches) in [
                (json!({ text: 1 }), true),
                (json!({ text: 2 }), false),
                (json!({ "other": 1 }), false),
            ] {
                assert_eq!(probe(&expected, &map, &[]), Some(matches), "{expected}");
                assert_eq!(slow(&expected, &map), matches, "{expected}");
            }
        }
        both('c', "c");
        both(true, "true");
        both(-8i8, "-8");
        both(-16i16, "-16");
        both(-32i32, "-32");
        both(-64i64, "-64");
        both(-128i128, "-128");
        both(8u8, "8");
        both(16u16, "16");
        both(64u64, "64");
        both(crate::JobExecutionStatus::InProgress, "IN_PROGRESS");
    }

    /// A map written entry by entry, with keys of any type.
    struct Pairs<K, V>(Vec<(K, V)>);

    impl<K: Serialize, V: Serialize> Serialize for Pairs<K, V> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }

    /// Keys serde_json refuses make the value no JSON: it matches nothing, even an
    /// expectation that names no member. A newtype key is its inner value; a float key is
    /// left to `to_value`.
    #[test]
    fn other_map_keys_are_refused_or_unwrapped() {
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct Newtype(u8);
        #[derive(Serialize)]
        enum Variant {
            A(u8),
        }
        struct Bytes;
        impl Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(b"k")
            }
        }
        fn refused<K: Serialize>(key: K) {
            let map = Pairs(vec![(key, Value::Null)]);
            assert_eq!(probe(&json!({}), &map, &[]), Some(false));
            assert!(!slow(&json!({}), &map));
        }
        refused(());
        refused(Unit);
        refused(Some(1));
        refused(None::<u8>);
        refused(Variant::A(1));
        refused(Bytes);
        let newtype = Pairs(vec![(Newtype(7), 1)]);
        assert_eq!(probe(&json!({"7": 1}), &newtype, &[]), Some(true));
        assert_eq!(probe(&json!({"7": 2}), &newtype, &[]), Some(false));
        let float = Pairs(vec![(2.5f32, 1)]);
        assert_eq!(probe(&json!({"2.5": 1}), &float, &[]), None);
        assert!(matches_serialized(&json!({"2.5": 1}), &float));
    }

    #[test]
    fn what_the_probe_reports_reads_as_words() {
        assert_eq!(Stop::Differs.to_string(), "no match");
        assert_eq!(Stop::Undecided.to_string(), "undecided");
    }

    #[test]
    fn an_error_is_compared_without_its_code_and_message() {
        let actual = json!({"code": "A", "message": "m", "executionState": {"versionNumber": 2}});
        let skip = &["code", "message"];
        let want = json!({"code": "B", "message": "other", "executionState": {"versionNumber": 2}});
        assert!(matches_serialized_except(&want, &actual, skip));
        let want = json!({"code": "A", "executionState": {"versionNumber": 3}});
        assert!(!matches_serialized_except(&want, &actual, skip));
        let want = json!({"code": "A", "extra": 1});
        assert!(!matches_serialized_except(&want, &actual, skip));
        assert!(!matches_serialized_except(&json!("A"), &actual, skip));
        // A member written twice: the error is decided by its JSON, still without its
        // code and message.
        #[derive(Serialize)]
        struct Twice {
            code: &'static str,
            x: i32,
            #[serde(flatten)]
            again: BTreeMap<&'static str, i32>,
        }
        let twice = Twice {
            code: "A",
            x: 1,
            again: BTreeMap::from([("x", 1)]),
        };
        let want = json!({"code": "B", "message": "m", "x": 1});
        assert_eq!(probe(&want, &twice, skip), None);
        assert!(matches_serialized_except(&want, &twice, skip));
        let want = json!({"code": "A", "x": 2});
        assert!(!matches_serialized_except(&want, &twice, skip));
    }
}
