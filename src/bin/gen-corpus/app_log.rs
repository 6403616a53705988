//! An application log (pools corpora only): the lines where credentials, phones and device
//! identifiers leak in practice (request URLs with tokens, echoed headers, configuration
//! dumped at start-up, connection strings, SMS gateways, device registrations), among the
//! ids, digests, timings and redacted values that look like them.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::pools::Pools;
use crate::vocab::{self, Vocab};
use crate::writer::Out;

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let Some(pools) = &v.pools else {
        return out.end_record();
    };
    let level = ["INFO", "INFO", "DEBUG", "WARN", "ERROR"]
        .choose(rng)
        .unwrap();
    out.raw(&format!("{} {level:<5} ", vocab::iso_time(rng)));
    line(out, pools, rng);
    out.end_record()?;
    if pools.side().gen_bool(0.12) {
        let start = out.len();
        let time = vocab::iso_time(&mut *pools.side());
        out.raw(&format!("{time} ERROR "));
        payment_line(out, pools);
        out.end_record()?;
        out.extra_since(start);
    }
    Ok(())
}

/// A line that leaks a card number, an IBAN or a national id: declined charges, validation
/// errors, payouts, identity checks. Drawn from the pools' own stream ([`Pools::side`]), so
/// the other lines are those of the sample before these kinds were planted.
fn payment_line<W: Write>(out: &mut Out<W>, pools: &Pools) {
    let choice = pools.side().gen_range(0..5);
    match choice {
        0 => {
            out.raw("[payments] charge failed: card=");
            out.pii(Kind::CreditCard, &pools.card(false));
            out.raw(&format!(
                " code=card_declined request_id=req_{}",
                vocab::hex(&mut *pools.side(), 14)
            ));
        }
        1 => {
            out.raw("[checkout] validation error: expiry in the past for card \"");
            out.pii(Kind::CreditCard, &pools.card(true));
            out.raw("\"");
        }
        2 => {
            out.raw(&format!(
                "[payouts] SEPA transfer {} to iban=",
                pools.side().gen_range(100_000..999_999)
            ));
            out.pii(Kind::Iban, &pools.iban(false));
            let (euros, cents) = {
                let mut side = pools.side();
                (side.gen_range(1..9000), side.gen_range(0..100))
            };
            out.raw(&format!(" amount={euros}.{cents:02} EUR"));
        }
        3 => {
            let (key, id) = pools.keyed_national_id();
            out.raw(&format!("[kyc] document check failed for {key}="));
            out.pii(Kind::NationalId, &id);
            out.raw(": name mismatch");
        }
        _ => {
            let (_, id) = pools.national_id();
            out.raw("[kyc] rejected national_id \"");
            out.pii(Kind::NationalId, id);
            out.raw("\": already registered to another account");
        }
    }
}

fn line<W: Write>(out: &mut Out<W>, pools: &Pools, rng: &mut impl Rng) {
    match rng.gen_range(0..16) {
        0 => {
            let (_, secret) = pools.secret(rng);
            let param = ["api_key", "access_token", "token", "apikey"]
                .choose(rng)
                .unwrap();
            out.raw(&format!("[http] GET /v1/reports?from=2025-11-01&{param}="));
            out.pii(Kind::Secret, &vocab::url_component(secret));
            out.raw(&format!(" 200 {}ms", rng.gen_range(2..900)));
        }
        1 => {
            let (_, token) = pools.secret(rng);
            out.raw("[http] request headers: Authorization: Bearer ");
            out.pii(Kind::Secret, token);
            out.raw("; Accept: application/json");
        }
        2 => {
            let (key, secret) = pools.keyed_secret(rng);
            out.raw(&format!(
                "[config] {}=",
                key.to_uppercase().replace('-', "_")
            ));
            out.pii(Kind::Secret, &secret);
        }
        3 => {
            out.raw("[db] connecting to postgres://svc_app:");
            let password = pools.secret_of(&["password"], rng);
            out.pii(Kind::Secret, &vocab::url_component(&password));
            // Every IP address is labelled, private ones too (corpora/README.md).
            out.raw("@")
                .pii(Kind::Ipv4, &format!("10.0.{}.7", rng.gen_range(0..255)));
            out.raw(":5432/prod");
        }
        4 => {
            let key_id = pools.secret_of(&["aws_access_key_id"], rng);
            let secret = pools.secret_of(&["aws_secret_access_key"], rng);
            out.raw("[aws] using AWS_ACCESS_KEY_ID=");
            out.pii(Kind::Secret, &key_id);
            out.raw(" AWS_SECRET_ACCESS_KEY=");
            out.pii(Kind::Secret, &secret);
        }
        5 => {
            let token = pools.secret_of(&["github_app", "github_classic", "gitlab_pat"], rng);
            out.raw("[git] cloning https://x-access-token:");
            out.pii(Kind::Secret, &token);
            out.raw("@github.com/example/app.git");
        }
        6 => {
            out.raw("[sms] verification code sent to ");
            out.pii(Kind::Phone, &pools.phone(rng));
        }
        7 => {
            out.raw(&format!(
                "[sms] gateway accepted message id={} msisdn=",
                vocab::hex(rng, 16)
            ));
            out.pii(Kind::Phone, &pools.msisdn(rng));
        }
        8 => {
            out.raw("[device] registered imei=");
            out.pii(Kind::Imei, &pools.imei(rng, false));
            out.raw(" mac=");
            out.pii(Kind::MacAddress, &pools.mac(rng));
        }
        9 => {
            out.raw("[net] DHCPACK on ").pii(Kind::Ipv4, "10.1.4.22");
            out.raw(" to ");
            let mac = if rng.gen_bool(0.3) {
                pools.dotted_mac(rng)
            } else {
                pools.mac(rng)
            };
            out.pii(Kind::MacAddress, &mac);
        }
        10 => {
            out.raw("[tls] loaded key ");
            let pem = pools.pem(rng).replace("\\n", "\n");
            out.pii(Kind::Secret, &pem);
        }
        11 => {
            let key = ["api_key", "token", "password", "secret"]
                .choose(rng)
                .unwrap();
            out.raw(&format!(
                "[config] {key}={} (redacted)",
                pools.placeholder(rng)
            ));
        }
        12 => {
            let (key, value) = vocab::hard_negative(rng);
            out.raw(&format!(
                "[jobs] done {key}={value} in {}ms",
                rng.gen_range(1..99_999)
            ));
        }
        13 => {
            out.raw(&format!(
                "[orders] order={} amount={}.{:02} ts={} trace={}",
                rng.gen_range(100_000_000_000u64..999_999_999_999_999),
                rng.gen_range(1..900),
                rng.gen_range(0..100),
                vocab::epoch(rng) * 1000 + rng.gen_range(0..1000),
                vocab::uuid(rng)
            ));
        }
        14 => {
            out.raw(&format!(
                "[cache] key=sha256:{} size={} etag=\"{}\"",
                vocab::hex(rng, 64),
                rng.gen_range(100..9_999_999),
                vocab::hex(rng, 32)
            ));
        }
        _ => {
            out.raw(&format!(
                "[release] app {} build {} started on port {}",
                vocab::version(rng),
                rng.gen_range(1_000_000..99_999_999),
                rng.gen_range(1024..65535)
            ));
        }
    }
}
