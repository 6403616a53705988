//! nginx/Apache access logs in the combined format, with IPv4 and IPv6 clients, some behind
//! a proxy (`X-Forwarded-For` appended), and the odd address in a query string.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::vocab::{self, Vocab};
use crate::writer::Out;

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let (client, kind) = vocab::ip(rng);
    out.pii(kind, &client);
    out.raw(&format!(
        " - - [{:02}/Nov/2025:{} +0000] \"",
        rng.gen_range(1..=30),
        vocab::time_of_day(rng)
    ));
    let method = ["GET", "GET", "GET", "POST"].choose(rng).unwrap();
    out.raw(&format!("{method} "));
    let choice = if v.pools.is_some() {
        rng.gen_range(0..16)
    } else {
        rng.gen_range(0..12)
    };
    match (choice, &v.pools) {
        (12.., Some(pools)) => match choice {
            12 => {
                let (_, secret) = pools.secret(rng);
                let param = ["api_key", "access_token", "token", "key"]
                    .choose(rng)
                    .unwrap();
                out.raw(&format!("/api/v2/export?{param}="));
                out.pii(Kind::Secret, &vocab::url_component(secret));
                out.raw("&format=json");
            }
            13 => {
                let param = ["api_key", "token"].choose(rng).unwrap();
                out.raw(&format!(
                    "/api/v2/export?{param}={}",
                    pools.placeholder(rng)
                ));
            }
            14 => {
                out.raw("/verify?phone=");
                let phone = pools.phone(rng).replace('+', "%2B").replace(' ', "%20");
                out.pii(Kind::Phone, &phone);
            }
            _ => {
                let (key, value) = vocab::hard_negative(rng);
                out.raw(&format!(
                    "/orders/lookup?{key}={}",
                    vocab::url_component(&value)
                ));
            }
        },
        (0, _) => {
            let person = v.census_person(rng);
            out.raw("/unsubscribe?email=");
            out.pii(Kind::Email, &vocab::url_encoded(&person.email));
            out.raw("&list=news");
        }
        (1, _) => {
            out.raw(&format!("/static/app.{}.js", vocab::hex(rng, 8)));
        }
        (2, _) => {
            out.raw("/static/icon@2x.png");
        }
        (3, _) => {
            out.raw(&format!("/api/v1/releases/{}", vocab::version(rng)));
        }
        _ => {
            let path = ["/", "/pricing", "/api/v1/events", "/docs/", "/health"];
            out.raw(path.choose(rng).unwrap());
        }
    }
    let status = ["200", "200", "304", "404", "204", "301"]
        .choose(rng)
        .unwrap();
    let size = if rng.gen_bool(0.1) {
        "-".to_string()
    } else {
        rng.gen_range(0..90_000).to_string()
    };
    out.raw(&format!(" HTTP/1.1\" {status} {size} \""));
    if rng.gen_bool(0.4) {
        out.pii(Kind::Referrer, vocab::REFERRERS.choose(rng).unwrap());
    } else {
        out.raw("-");
    }
    out.raw("\" \"");
    if rng.gen_bool(0.8) {
        out.pii(Kind::Device, vocab::USER_AGENTS.choose(rng).unwrap());
    } else {
        out.raw("curl/8.5.0");
    }
    out.raw("\"");
    if rng.gen_bool(0.2) {
        out.raw(" \"");
        let (forwarded, kind) = vocab::ip(rng);
        out.pii(kind, &forwarded);
        // The proxy is an address too: every IP address is labelled, private or not.
        out.raw(", ");
        out.pii(Kind::Ipv4, &format!("10.{}.0.1", rng.gen_range(0..255)));
        out.raw("\"");
    }
    out.end_record()
}
