//! The JSON text serde_json writes for a value after turning it into a
//! [`serde_json::Value`] (every object's members in key order, compact), written straight
//! from the typed value.
//!
//! The trace checker's shortcut: a generated trace writes each expectation as exactly this
//! text, so when an answer's canonical text is the expectation's text, byte for byte, the
//! two are the same JSON and the expectation matches (matching is reflexive), and the line's
//! expectation need not be parsed at all. When the texts differ, nothing is concluded: the
//! checker parses the expectation and matches it as trace-format.md says. So this module
//! only has to be right when it says "equal"; wherever serde_json's `Value` might come out
//! differently (a key that is not a string, a member written twice, a 128-bit number) it
//! gives up, and the checker takes the long way.

use std::borrow::Cow;
use std::fmt;

use serde::ser::{self, Serialize};

/// Serializer methods for scalars that all do the same with their value.
macro_rules! scalar_methods {
    (|$self:ident, $v:ident| $body:expr; $($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method($self, $v: $ty) -> Result<Self::Ok, GiveUp> {
            $body
        }
    )*};
}

/// Canonical text being written, with the scratch space objects use to put their members
/// in order; kept from one value to the next so that writing allocates nothing once warm.
#[derive(Clone, Debug, Default)]
pub(crate) struct Text {
    bytes: Vec<u8>,
    /// The members of the objects being written, innermost last.
    members: Vec<(Cow<'static, str>, usize, usize)>,
    spare: Vec<u8>,
}

impl Text {
    /// Empties the text (keeping the space).
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
    }

    /// The text written so far.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Appends `bytes` as they are.
    pub(crate) fn push_raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// Appends the concatenation of `parts` as one JSON string.
    pub(crate) fn push_str_parts(&mut self, parts: &[&str]) -> bool {
        string_parts(&mut self.bytes, parts).is_ok()
    }
}

/// Appends `value`'s canonical text to `text`; `false` (with `text` in an unspecified
/// state) where it gives up. `skip` names top-level members to leave out (an error's
/// `message`).
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, skip: &[&str], text: &mut Text) -> bool {
    value.serialize(Canonical { t: text, skip }).is_ok()
}

/// Whether serde_json writes `s` as a JSON string with nothing escaped.
fn plain(s: &str) -> bool {
    s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// `s` as a JSON string, as serde_json writes it.
fn string(out: &mut Vec<u8>, s: &str) -> R {
    string_parts(out, &[s])
}

/// The concatenation of `parts` as one JSON string, as serde_json writes it (the common
/// case, nothing to escape, without asking serde_json or joining the parts).
fn string_parts(out: &mut Vec<u8>, parts: &[&str]) -> R {
    if parts.iter().all(|p| plain(p)) {
        out.push(b'"');
        for p in parts {
            out.extend_from_slice(p.as_bytes());
        }
        out.push(b'"');
        Ok(())
    } else {
        scalar(out, &parts.concat())
    }
}

/// Why the canonical text was not written.
#[derive(Debug)]
pub(crate) struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no canonical text for this value")
    }
}

impl std::error::Error for GiveUp {}

impl ser::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

type R = Result<(), GiveUp>;

/// A scalar exactly as serde_json writes it.
fn scalar<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> R {
    serde_json::to_writer(out, v).map_err(|_| GiveUp)
}

struct Canonical<'o, 's> {
    t: &'o mut Text,
    /// Members to leave out of the object this serializer writes (not of nested ones).
    skip: &'s [&'s str],
}

impl<'o, 's> Canonical<'o, 's> {
    fn nested(t: &'o mut Text) -> Self {
        Canonical { t, skip: &[] }
    }

    fn object(self) -> Object<'o, 's> {
        let start = self.t.bytes.len();
        self.t.bytes.push(b'{');
        let first = self.t.members.len();
        Object {
            t: self.t,
            skip: self.skip,
            start,
            first,
            key: None,
        }
    }

    /// `{"variant": ...}`, as serde_json writes an enum variant with content.
    fn open_variant(&mut self, variant: &str) -> R {
        self.t.bytes.push(b'{');
        string(&mut self.t.bytes, variant)?;
        self.t.bytes.push(b':');
        Ok(())
    }
}

impl<'o, 's> ser::Serializer for Canonical<'o, 's> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Seq<'o>;
    type SerializeTuple = Seq<'o>;
    type SerializeTupleStruct = Seq<'o>;
    type SerializeTupleVariant = Seq<'o>;
    type SerializeMap = Object<'o, 's>;
    type SerializeStruct = Object<'o, 's>;
    type SerializeStructVariant = Object<'o, 's>;

    scalar_methods!(|self, v| scalar(&mut self.t.bytes, &v);
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64);
    fn serialize_i128(self, _: i128) -> R {
        Err(GiveUp)
    }
    fn serialize_u128(self, _: u128) -> R {
        Err(GiveUp)
    }
    // A `Value` keeps an f32 as the f64 it widens to, and writes that.
    fn serialize_f32(self, v: f32) -> R {
        scalar(&mut self.t.bytes, &f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> R {
        scalar(&mut self.t.bytes, &v)
    }
    fn serialize_char(self, v: char) -> R {
        scalar(&mut self.t.bytes, &v)
    }
    fn serialize_str(self, v: &str) -> R {
        string(&mut self.t.bytes, v)
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        scalar(&mut self.t.bytes, v)
    }
    fn serialize_none(self) -> R {
        self.t.bytes.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        string(&mut self.t.bytes, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> R {
        self.open_variant(variant)?;
        v.serialize(Canonical::nested(self.t))?;
        self.t.bytes.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'o>, GiveUp> {
        self.t.bytes.push(b'[');
        Ok(Seq {
            t: self.t,
            first: true,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'o>, GiveUp> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'o>, GiveUp> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'o>, GiveUp> {
        self.open_variant(variant)?;
        self.t.bytes.push(b'[');
        Ok(Seq {
            t: self.t,
            first: true,
            variant: true,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'o, 's>, GiveUp> {
        Ok(self.object())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'o, 's>, GiveUp> {
        Ok(self.object())
    }
    fn serialize_struct_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'o, 's>, GiveUp> {
        self.open_variant(variant)?;
        // The variant's own object starts after `{"variant":`; `end` closes both.
        let mut object = Canonical::nested(self.t).object();
        object.key = Some(Key::Variant);
        Ok(object)
    }
}

/// An array being written.
pub(crate) struct Seq<'o> {
    t: &'o mut Text,
    first: bool,
    /// Inside `{"variant": [...]}`: `end` closes the object too.
    variant: bool,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        if !self.first {
            self.t.bytes.push(b',');
        }
        self.first = false;
        v.serialize(Canonical::nested(self.t))
    }

    fn close(self) -> R {
        self.t.bytes.push(b']');
        if self.variant {
            self.t.bytes.push(b'}');
        }
        Ok(())
    }
}

/// The four serde sequence shapes all write as a JSON array.
macro_rules! seq_shape {
    ($($shape:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$shape for Seq<'_> {
            type Ok = ();
            type Error = GiveUp;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
                self.element(v)
            }
            fn end(self) -> R {
                self.close()
            }
        }
    )*};
}

seq_shape!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// What the object being written knows of its next member's key, or of itself.
enum Key {
    /// A map key written, its value not yet.
    Pending(String),
    /// The object is a struct variant's content: `end` closes the variant's object too.
    Variant,
}

/// An object being written: each member goes out as it comes (`"key":value`, commas
/// between), and `end` reorders them by key when they did not come in that order.
pub(crate) struct Object<'o, 's> {
    t: &'o mut Text,
    skip: &'s [&'s str],
    /// Where the object's `{` is.
    start: usize,
    /// Where its members begin in the text's member list (each member's key and where its
    /// `"key":value` lies); the objects inside it push theirs after and take them off.
    first: usize,
    key: Option<Key>,
}

impl Object<'_, '_> {
    fn member<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, v: &T) -> R {
        if self.skip.contains(&&*key) {
            return Ok(());
        }
        if self.t.members.len() > self.first {
            self.t.bytes.push(b',');
        }
        let from = self.t.bytes.len();
        string(&mut self.t.bytes, &key)?;
        self.t.bytes.push(b':');
        v.serialize(Canonical::nested(self.t))?;
        let to = self.t.bytes.len();
        self.t.members.push((key, from, to));
        Ok(())
    }

    fn close(self) -> R {
        if matches!(self.key, Some(Key::Pending(_))) {
            return Err(GiveUp);
        }
        let t = self.t;
        let members = &mut t.members[self.first..];
        if !members.windows(2).all(|w| w[0].0 < w[1].0) {
            // Stable: a key written twice keeps its order, and is caught below.
            members.sort_by(|a, b| a.0.cmp(&b.0));
            // A key written twice: a `Value` keeps one of them; which, is not worth copying.
            if members.windows(2).any(|w| w[0].0 == w[1].0) {
                return Err(GiveUp);
            }
            let body = self.start + 1;
            t.spare.clear();
            t.spare.extend_from_slice(&t.bytes[body..]);
            t.bytes.truncate(body);
            for (i, (_, from, to)) in members.iter().enumerate() {
                if i > 0 {
                    t.bytes.push(b',');
                }
                t.bytes.extend_from_slice(&t.spare[from - body..to - body]);
            }
        }
        t.members.truncate(self.first);
        t.bytes.push(b'}');
        if matches!(self.key, Some(Key::Variant)) {
            t.bytes.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeMap for Object<'_, '_> {
    type Ok = ();
    type Error = GiveUp;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        if self.key.is_some() {
            return Err(GiveUp);
        }
        self.key = Some(Key::Pending(key.serialize(KeyText)?));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        let Some(Key::Pending(key)) = self.key.take() else {
            return Err(GiveUp);
        };
        self.member(Cow::Owned(key), v)
    }
    fn end(self) -> R {
        self.close()
    }
}

/// A struct and a struct variant's content both write as an object.
macro_rules! struct_shape {
    ($($shape:ident),* $(,)?) => {$(
        impl ser::$shape for Object<'_, '_> {
            type Ok = ();
            type Error = GiveUp;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> R {
                self.member(Cow::Borrowed(key), v)
            }
            fn end(self) -> R {
                self.close()
            }
        }
    )*};
}

struct_shape!(SerializeStruct, SerializeStructVariant);

/// A map key as the string a `Value` keeps: strings and unit variants as they are; any
/// other kind of key gives up (serde_json turns some into strings, none of ours).
struct KeyText;

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = GiveUp;
    type SerializeSeq = ser::Impossible<String, GiveUp>;
    type SerializeTuple = ser::Impossible<String, GiveUp>;
    type SerializeTupleStruct = ser::Impossible<String, GiveUp>;
    type SerializeTupleVariant = ser::Impossible<String, GiveUp>;
    type SerializeMap = ser::Impossible<String, GiveUp>;
    type SerializeStruct = ser::Impossible<String, GiveUp>;
    type SerializeStructVariant = ser::Impossible<String, GiveUp>;

    fn serialize_str(self, v: &str) -> Result<String, GiveUp> {
        Ok(v.to_owned())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, GiveUp> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<String, GiveUp> {
        v.serialize(self)
    }
    scalar_methods!(|self, _v| Err(GiveUp);
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char);
    fn serialize_bytes(self, _: &[u8]) -> Result<String, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_none(self) -> Result<String, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_unit(self) -> Result<String, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, GiveUp> {
        Err(GiveUp)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, GiveUp> {
        Err(GiveUp)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{json, Value};

    use super::write;

    fn text<T: Serialize + ?Sized>(v: &T, skip: &[&str]) -> Option<String> {
        let mut out = super::Text::default();
        write(v, skip, &mut out).then(|| String::from_utf8(out.as_bytes().to_vec()).unwrap())
    }

    /// What the canonical text must be: serde_json's, through a `Value`.
    fn through_value<T: Serialize + ?Sized>(v: &T) -> String {
        serde_json::to_value(v).unwrap().to_string()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Inner {
        z_last: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        maybe: Option<i64>,
        a_first: &'static str,
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(u8, String),
        Struct { b: f64, a: Vec<u8> },
    }

    #[derive(Serialize)]
    struct Outer {
        #[serde(flatten)]
        inner: Inner,
        shapes: Vec<Shape>,
        map: BTreeMap<String, Option<f32>>,
        message: String,
        escaped: String,
    }

    #[test]
    fn typed_values_come_out_as_serde_json_writes_their_value() {
        let v = Outer {
            inner: Inner {
                z_last: 1,
                maybe: Some(-3),
                a_first: "x",
            },
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(2),
                Shape::Tuple(3, "t".into()),
                Shape::Struct { b: 0.1, a: vec![4] },
            ],
            map: [("k".to_owned(), Some(0.1f32)), ("a".to_owned(), None)].into(),
            message: "free text".into(),
            escaped: "quote \" tab \t é \u{1} \u{7f} \u{2028} \\ /".into(),
        };
        assert_eq!(text(&v, &[]).unwrap(), through_value(&v));
        // Skipping applies to the top level only.
        let mut without = serde_json::to_value(&v).unwrap();
        without.as_object_mut().unwrap().remove("message");
        assert_eq!(text(&v, &["message"]).unwrap(), without.to_string());
        let nested = json!({"message": {"message": 1}});
        assert_eq!(text(&nested, &["other"]).unwrap(), nested.to_string());
        assert_eq!(text(&nested, &["message"]).unwrap(), "{}");
    }

    #[test]
    fn gives_up_where_a_value_could_come_out_otherwise() {
        // A key written twice (flatten can do it).
        #[derive(Serialize)]
        struct Twice {
            a: u8,
            #[serde(flatten)]
            more: BTreeMap<String, u8>,
        }
        let twice = Twice {
            a: 1,
            more: [("a".to_owned(), 2)].into(),
        };
        assert_eq!(text(&twice, &[]), None);
        // Keys that are not strings, 128-bit numbers.
        assert_eq!(text(&BTreeMap::from([(1u8, 2u8)]), &[]), None);
        assert_eq!(text(&u128::MAX, &[]), None);
    }

    /// Calls `serialize_bytes`, which no derived type does.
    struct Bytes(&'static [u8]);

    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[derive(Serialize)]
    struct UnitStruct;

    #[derive(Serialize)]
    struct Newtype(i16);

    #[derive(Serialize)]
    struct TupleStruct(u16, i8);

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum KeyVariant {
        B,
        A,
    }

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct KeyNewtype(&'static str);

    #[derive(Serialize)]
    struct EveryShape {
        t: bool,
        i8: i8,
        i16: i16,
        i32: i32,
        i64: i64,
        u8: u8,
        u16: u16,
        u32: u32,
        u64: u64,
        f32: f32,
        f64: f64,
        nan: f64,
        char: char,
        bytes: Bytes,
        none: Option<u8>,
        some: Option<u8>,
        unit: (),
        unit_struct: UnitStruct,
        newtype: Newtype,
        tuple: (u8, &'static str),
        tuple_struct: TupleStruct,
        shapes: Vec<Shape>,
        variant_keys: BTreeMap<KeyVariant, u8>,
        newtype_keys: BTreeMap<KeyNewtype, u8>,
        empty: BTreeMap<String, u8>,
    }

    #[test]
    fn every_serde_shape_comes_out_as_serde_json_writes_its_value() {
        let v = EveryShape {
            t: true,
            i8: -8,
            i16: -16,
            i32: -32,
            i64: i64::MIN,
            u8: 8,
            u16: 16,
            u32: 32,
            u64: u64::MAX,
            f32: 0.3,
            f64: 1.0,
            nan: f64::NAN,
            char: 'c',
            bytes: Bytes(b"ab"),
            none: None,
            some: Some(1),
            unit: (),
            unit_struct: UnitStruct,
            newtype: Newtype(-1),
            tuple: (1, "x"),
            tuple_struct: TupleStruct(2, -2),
            shapes: vec![Shape::Unit, Shape::Newtype(1), Shape::Tuple(1, "y".into())],
            variant_keys: [(KeyVariant::B, 1), (KeyVariant::A, 2)].into(),
            newtype_keys: [(KeyNewtype("z"), 1), (KeyNewtype("a"), 2)].into(),
            empty: BTreeMap::new(),
        };
        assert_eq!(text(&v, &[]).unwrap(), through_value(&v));
    }

    /// A map of one member, its key `K`.
    struct OneKey<K>(K);

    impl<K: Serialize> Serialize for OneKey<K> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(&self.0, &1)?;
            map.end()
        }
    }

    #[test]
    fn keys_of_other_kinds_give_up() {
        assert_eq!(text(&OneKey(true), &[]), None);
        assert_eq!(text(&OneKey('c'), &[]), None);
        assert_eq!(text(&OneKey(-1i8), &[]), None);
        assert_eq!(text(&OneKey(-1i16), &[]), None);
        assert_eq!(text(&OneKey(-1i32), &[]), None);
        assert_eq!(text(&OneKey(-1i64), &[]), None);
        assert_eq!(text(&OneKey(1u8), &[]), None);
        assert_eq!(text(&OneKey(1u16), &[]), None);
        assert_eq!(text(&OneKey(1u32), &[]), None);
        assert_eq!(text(&OneKey(1u64), &[]), None);
        assert_eq!(text(&OneKey(1.5f32), &[]), None);
        assert_eq!(text(&OneKey(1.5f64), &[]), None);
        assert_eq!(text(&OneKey(Bytes(b"k")), &[]), None);
        assert_eq!(text(&OneKey(()), &[]), None);
        assert_eq!(text(&OneKey(UnitStruct), &[]), None);
        assert_eq!(text(&OneKey(None::<&str>), &[]), None);
        assert_eq!(text(&OneKey(Some("k")), &[]), None);
        assert_eq!(text(&OneKey(Shape::Newtype(1)), &[]), None);
        assert_eq!(text(&OneKey(Shape::Tuple(1, "t".into())), &[]), None);
        assert_eq!(
            text(&OneKey(Shape::Struct { b: 1.0, a: vec![] }), &[]),
            None
        );
        assert_eq!(text(&OneKey(vec!["k"]), &[]), None);
        assert_eq!(text(&OneKey(("k", 1)), &[]), None);
        assert_eq!(text(&OneKey(TupleStruct(1, 1)), &[]), None);
        assert_eq!(text(&OneKey(BTreeMap::from([("k", 1)])), &[]), None);
        assert_eq!(text(&OneKey(Newtype(1)), &[]), None);
        assert_eq!(
            text(
                &OneKey(Inner {
                    z_last: 1,
                    maybe: None,
                    a_first: "k"
                }),
                &[]
            ),
            None
        );
        // The kinds a `Value` keeps as they are.
        assert_eq!(text(&OneKey("k"), &[]).unwrap(), r#"{"k":1}"#);
        assert_eq!(text(&OneKey(KeyVariant::A), &[]).unwrap(), r#"{"A":1}"#);
        assert_eq!(text(&OneKey(KeyNewtype("n")), &[]).unwrap(), r#"{"n":1}"#);
        assert_eq!(text(&i128::MIN, &[]), None);
        assert_eq!(text(&u128::MAX, &[]), None);
    }

    #[test]
    fn plain_strings_are_the_ones_with_nothing_to_escape() {
        assert!(super::plain("thing-1:a_b é"));
        for s in ["a\"b", "a\\b", "a\nb", "\u{1f}"] {
            assert!(!super::plain(s), "{s:?}");
        }
        assert!(super::GiveUp.to_string().contains("canonical"));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            ".{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(".{0,4}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON value comes out as serde_json writes it.
        #[test]
        fn json_values_come_out_as_serde_json_writes_them(v in json_value()) {
            prop_assert_eq!(text(&v, &[]), Some(v.to_string()));
        }
    }
}
