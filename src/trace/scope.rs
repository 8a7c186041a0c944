//! The account and region a recorded trace speaks for.
//!
//! A trace recorded from a live system names its own account and region in every ARN it
//! carries (`thingArn`, `jobArn`, the targets of CreateJob, ...), where the specification
//! names [`Config`]'s. Checked with the defaults, such a trace would diverge at its first
//! ARN for a reason no rule decides (details, identity; CHOICE). [`Scope::of`] reads them
//! from the trace, and [`Scope::apply`] gives the specification the same ones.

use crate::config::Config;
use crate::validate::is_region;

/// An account and a region, as an ARN names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The 12-digit account.
    pub account: String,
    /// The region, like `us-east-1`.
    pub region: String,
}

impl Scope {
    /// The account and region of the first well-formed IoT ARN
    /// (`arn:aws:iot:REGION:ACCOUNT:...`) in `text`, if any. An ARN whose region or
    /// account is malformed is passed over.
    ///
    /// ```
    /// use iot_jobs_spec::trace::Scope;
    /// let line = r#"{"at":0,"call":"CreateThing","input":{"thingName":"t1"},
    ///     "output":{"thingArn":"arn:aws:iot:eu-west-1:111122223333:thing/t1"}}"#;
    /// let scope = Scope::of(line).unwrap();
    /// assert_eq!((scope.account.as_str(), scope.region.as_str()), ("111122223333", "eu-west-1"));
    /// assert_eq!(Scope::of(r#"{"arn":"arn:aws:iot:nowhere:1:thing/t1"}"#), None);
    /// ```
    pub fn of(text: &str) -> Option<Scope> {
        const PREFIX: &str = "arn:aws:iot:";
        let mut rest = text;
        while let Some(at) = rest.find(PREFIX) {
            rest = &rest[at + PREFIX.len()..];
            let mut parts = rest.splitn(3, ':');
            let (Some(region), Some(account), Some(_)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
            if account_ok && is_region(region) {
                return Some(Scope {
                    account: account.to_owned(),
                    region: region.to_owned(),
                });
            }
        }
        None
    }

    /// The scope `config` names its ARNs in.
    pub fn of_config(config: &Config) -> Scope {
        Scope {
            account: config.account.clone(),
            region: config.region.clone(),
        }
    }

    /// Has `config` name its ARNs in this account and region.
    pub fn apply(&self, config: &mut Config) {
        config.account.clone_from(&self.account);
        config.region.clone_from(&self.region);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_well_formed_arn_decides() {
        let text = "arn:aws:iot:bad:123456789012:thing/a arn:aws:iot:us-east-1:12:thing/b \
                    arn:aws:iot:ap-southeast-2:444455556666:job/j arn:aws:iot:eu-west-1:111122223333:thing/t";
        let scope = Scope::of(text).unwrap();
        assert_eq!(scope.account, "444455556666");
        assert_eq!(scope.region, "ap-southeast-2");
    }

    #[test]
    fn no_arn_no_scope() {
        assert_eq!(Scope::of(r#"{"thingName":"t1"}"#), None);
        assert_eq!(Scope::of("arn:aws:iot:us-east-1"), None);
    }

    #[test]
    fn apply_sets_both() {
        let mut config = Config::default();
        Scope::of("arn:aws:iot:eu-west-1:111122223333:thing/t1")
            .unwrap()
            .apply(&mut config);
        assert_eq!(
            config.thing_arn("t1"),
            "arn:aws:iot:eu-west-1:111122223333:thing/t1"
        );
    }
}
