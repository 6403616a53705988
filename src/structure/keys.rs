//! Which keys and columns hint at personal data.
//!
//! Exports name their fields inconsistently (`$email`, `email`, `user_email`, `emailAddress`),
//! so a key is normalised before lookup: ASCII letters lower-cased and everything that is not a
//! letter or digit dropped. The one distinction that normalisation would lose is kept by hand:
//! Mixpanel's reserved `$name` is a person's full name, while a bare `name` is as often an
//! event, product or company name, so it only hints "maybe a person".

use crate::detect::Hint;

/// The longest key, after normalisation, that can hint at anything; longer keys are skipped
/// without normalising them.
const MAX_KEY: usize = 24;

/// Looks up the hint of a key as written on disk (without its quotes).
pub fn hint_for_key(key: &[u8]) -> Option<Hint> {
    if key.len() > MAX_KEY * 2 {
        return None;
    }
    if key == b"$name" {
        return Some(Hint::PersonName);
    }
    let mut buf = [0u8; MAX_KEY];
    let mut n = 0;
    for &b in key {
        if b.is_ascii_alphanumeric() {
            if n == MAX_KEY {
                return None;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    hint_for_normalised(&buf[..n])
}

fn hint_for_normalised(key: &[u8]) -> Option<Hint> {
    let hint = match key {
        b"email" | b"emailaddress" | b"useremail" | b"contactemail" | b"customeremail"
        | b"mail" => Hint::Email,
        b"ip" | b"ipaddress" | b"clientip" | b"remoteip" | b"remoteaddr" | b"userip" => Hint::Ip,
        b"fullname" | b"customername" | b"displayname" | b"contactname" | b"personname"
        | b"accountname" => Hint::PersonName,
        b"firstname" | b"givenname" | b"fname" => Hint::FirstName,
        b"lastname" | b"surname" | b"familyname" | b"lname" => Hint::LastName,
        b"name" | b"customer" | b"user" | b"username" | b"author" | b"owner" => {
            Hint::MaybePersonName
        }
        b"city" | b"geocity" | b"locationcity" => Hint::City,
        // `state` also holds `active` or `pending`: the geo detector only believes a known
        // region there.
        b"region" | b"georegion" | b"locationregion" | b"state" | b"province" => Hint::Region,
        b"country" | b"countryname" | b"geocountry" => Hint::Country,
        b"countrycode" | b"mpcountrycode" | b"geocountrycode" => Hint::CountryCode,
        b"lat" | b"latitude" | b"locationlat" | b"geolat" => Hint::Latitude,
        b"lon" | b"lng" | b"long" | b"longitude" | b"locationlng" | b"locationlon" | b"geolon"
        | b"geolng" => Hint::Longitude,
        b"distinctid" | b"userid" | b"deviceid" | b"anonymousid" | b"accountid" | b"orgid"
        | b"organizationid" | b"organisationid" | b"customerid" | b"memberid" => Hint::AccountId,
        b"os" | b"osname" | b"browser" | b"device" | b"devicemodel" | b"model" | b"useragent"
        | b"ua" | b"platform" => Hint::Device,
        b"referrer"
        | b"initialreferrer"
        | b"referer"
        | b"pagereferrer"
        | b"referringdomain"
        | b"initialreferringdomain" => Hint::Referrer,
        _ => return None,
    };
    Some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let cases: &[(&str, Option<Hint>)] = &[
            ("$email", Some(Hint::Email)),
            ("emailAddress", Some(Hint::Email)),
            ("$name", Some(Hint::PersonName)),
            ("name", Some(Hint::MaybePersonName)),
            ("full_name", Some(Hint::PersonName)),
            ("$first_name", Some(Hint::FirstName)),
            ("mp_country_code", Some(Hint::CountryCode)),
            ("$country_code", Some(Hint::CountryCode)),
            ("countryCode", Some(Hint::CountryCode)),
            ("$city", Some(Hint::City)),
            ("$region", Some(Hint::Region)),
            ("state", Some(Hint::Region)),
            ("location_lat", Some(Hint::Latitude)),
            ("ip", Some(Hint::Ip)),
            ("app_version", None),
            ("distinct_id", Some(Hint::AccountId)),
            ("$device_id", Some(Hint::AccountId)),
            ("anonymousId", Some(Hint::AccountId)),
            ("$os", Some(Hint::Device)),
            ("userAgent", Some(Hint::Device)),
            ("$initial_referrer", Some(Hint::Referrer)),
            ("$insert_id", None),
            ("", None),
            (
                "a_very_long_key_that_is_not_anything_we_know_of_at_all",
                None,
            ),
        ];
        for (key, want) in cases {
            assert_eq!(hint_for_key(key.as_bytes()), *want, "{key}");
        }
    }
}
