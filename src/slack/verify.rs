//! Slack request signing: `v0=` + hex(HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`)),
//! accepted within five minutes either side of our clock and compared in constant time. Neither
//! the computed nor the received signature is ever logged or returned.

use crate::config::Secret;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;

/// Slack's replay window.
pub const MAX_SKEW_SECS: i64 = 300;
const SIGNATURE_HEADER: &str = "x-slack-signature";
const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";

/// Why a request was refused. Deliberately carries nothing of the signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("signature or timestamp header missing")]
    Missing,
    #[error("signature header malformed")]
    Malformed,
    #[error("timestamp outside the five-minute window")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
}

/// Verifies Slack's request signatures with one signing secret.
#[derive(Clone)]
pub struct Verifier {
    secret: Secret,
}

impl Verifier {
    /// A verifier for `secret`.
    pub fn new(secret: Secret) -> Self {
        Self { secret }
    }

    /// What can be checked before the body is read: both headers present, the timestamp inside
    /// the window and the signature well formed. A request failing this is refused without
    /// reading (or buffering) its body.
    pub fn screen(&self, headers: &HeaderMap, now: i64) -> Result<(), VerifyError> {
        let (signature, timestamp) = signature_headers(headers)?;
        well_formed(signature, timestamp, now).map(drop)
    }

    /// Checks the signature headers against the raw body at `now` (unix seconds).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), VerifyError> {
        let (signature, timestamp) = signature_headers(headers)?;
        self.verify_parts(signature, timestamp, body, now)
    }

    /// Checks one signature; the timestamp window is checked before any HMAC work.
    pub fn verify_parts(
        &self,
        signature: &str,
        timestamp: &str,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        let received = well_formed(signature, timestamp, now)?;
        let mac = self.mac(timestamp, body);
        // `verify_slice` compares in constant time.
        mac.verify_slice(&received)
            .map_err(|_| VerifyError::Mismatch)
    }

    /// Signs a body as Slack does; for tests and the load generator.
    pub fn sign(&self, timestamp: i64, body: &[u8]) -> String {
        let mac = self.mac(&timestamp.to_string(), body);
        format!("v0={}", hex::encode(mac.finalize().into_bytes()))
    }

    fn mac(&self, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.expose().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(b"v0:");
        mac.update(timestamp.as_bytes());
        mac.update(b":");
        mac.update(body);
        mac
    }
}

/// The signature and timestamp headers, both present.
fn signature_headers(headers: &HeaderMap) -> Result<(&str, &str), VerifyError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match (header(SIGNATURE_HEADER), header(TIMESTAMP_HEADER)) {
        (Some(signature), Some(timestamp)) => Ok((signature, timestamp)),
        _ => Err(VerifyError::Missing),
    }
}

/// The received signature's bytes, once the timestamp is inside the window and the signature has
/// Slack's form (`v0=` and 64 hex digits).
fn well_formed(signature: &str, timestamp: &str, now: i64) -> Result<Vec<u8>, VerifyError> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::Malformed)?;
    // `abs_diff` cannot overflow, whatever the clock or the header says.
    if now.abs_diff(ts) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let hex_sig = signature
        .strip_prefix("v0=")
        .ok_or(VerifyError::Malformed)?;
    if hex_sig.len() != 64 {
        return Err(VerifyError::Malformed);
    }
    hex::decode(hex_sig).map_err(|_| VerifyError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const DOCS_TS: i64 = 1531420618;
    const DOCS_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const DOCS_SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn docs() -> Verifier {
        Verifier::new(Secret::new(DOCS_SECRET))
    }

    #[test]
    fn slacks_documented_vector_verifies_with_the_clock_at_its_timestamp() {
        assert_eq!(
            docs().verify_parts(DOCS_SIG, "1531420618", DOCS_BODY.as_bytes(), DOCS_TS),
            Ok(())
        );
        assert_eq!(docs().sign(DOCS_TS, DOCS_BODY.as_bytes()), DOCS_SIG);
    }

    #[test]
    fn slack_morphisms_vector_verifies_too() {
        let v = Verifier::new(Secret::new("fa2c05deeef5a4077494e89f54394de0"));
        let sig = "v0=baa91ef62d346e56607bbdd278a8acd570b91226854f15a382f43d33be42f666";
        assert_eq!(
            v.verify_parts(sig, "1531420618", b"test-body", 1531420620),
            Ok(())
        );
    }

    #[test]
    fn the_window_is_five_minutes_either_side() {
        let body = DOCS_BODY.as_bytes();
        for (now, ok) in [
            (DOCS_TS + 300, true),
            (DOCS_TS - 300, true),
            (DOCS_TS + 301, false),
            (DOCS_TS - 301, false),
        ] {
            let got = docs().verify_parts(DOCS_SIG, "1531420618", body, now);
            assert_eq!(got.is_ok(), ok, "now = ts{:+}", now - DOCS_TS);
        }
        // The real clock is years past the vector: refused as stale.
        let now = chrono::Utc::now().timestamp();
        assert_eq!(
            docs().verify_parts(DOCS_SIG, "1531420618", body, now),
            Err(VerifyError::Stale)
        );
    }

    #[test]
    fn any_change_is_refused() {
        let mut body = DOCS_BODY.as_bytes().to_vec();
        body[10] ^= 1;
        assert_eq!(
            docs().verify_parts(DOCS_SIG, "1531420618", &body, DOCS_TS),
            Err(VerifyError::Mismatch)
        );
        let zeros = format!("v0={}", "0".repeat(64));
        assert_eq!(
            docs().verify_parts(&zeros, "1531420618", DOCS_BODY.as_bytes(), DOCS_TS),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            docs().verify_parts(DOCS_SIG, "1531420619", DOCS_BODY.as_bytes(), DOCS_TS),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            docs().verify_parts(
                &DOCS_SIG.replace("v0=", "v1="),
                "1531420618",
                DOCS_BODY.as_bytes(),
                DOCS_TS
            ),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            docs().verify_parts("v0=zz", "1531420618", DOCS_BODY.as_bytes(), DOCS_TS),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            docs().verify_parts(DOCS_SIG, "soon", DOCS_BODY.as_bytes(), DOCS_TS),
            Err(VerifyError::Malformed)
        );
    }

    #[test]
    fn missing_headers_are_refused_and_names_are_case_insensitive() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            docs().verify(&headers, DOCS_BODY.as_bytes(), DOCS_TS),
            Err(VerifyError::Missing)
        );
        headers.insert("X-Slack-Signature", DOCS_SIG.parse().unwrap());
        assert_eq!(
            docs().verify(&headers, DOCS_BODY.as_bytes(), DOCS_TS),
            Err(VerifyError::Missing)
        );
        headers.insert("X-SLACK-REQUEST-TIMESTAMP", "1531420618".parse().unwrap());
        assert_eq!(
            docs().verify(&headers, DOCS_BODY.as_bytes(), DOCS_TS),
            Ok(())
        );
    }

    #[test]
    fn errors_carry_no_signature_material() {
        // The error names what failed and carries nothing else: it is a bare tag, so no
        // signature, timestamp or body can reach a log through it. A field added to it fails
        // this test, and must then be shown to carry nothing secret.
        assert_eq!(std::mem::size_of::<VerifyError>(), 1);
        let err = docs()
            .verify_parts(
                &format!("v0={}", "a".repeat(64)),
                "1531420618",
                b"forged",
                DOCS_TS,
            )
            .unwrap_err();
        assert_eq!(err, VerifyError::Mismatch);
    }

    #[test]
    fn a_timestamp_at_the_ends_of_the_clock_is_stale_not_a_crash() {
        for ts in [i64::MIN, i64::MIN + 1, i64::MAX, -1] {
            let signature = docs().sign(ts, b"x");
            assert_eq!(
                docs().verify_parts(&signature, &ts.to_string(), b"x", DOCS_TS),
                Err(VerifyError::Stale),
                "{ts}"
            );
        }
        let at_min = docs().sign(0, b"x");
        assert_eq!(
            docs().verify_parts(&at_min, "0", b"x", i64::MIN),
            Err(VerifyError::Stale)
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn verifier() -> Verifier {
        Verifier::new(Secret::new("property-secret"))
    }

    proptest! {
        #[test]
        fn what_is_signed_verifies_within_the_window(body in proptest::collection::vec(any::<u8>(), 0..512), ts in 1_500_000_000i64..2_000_000_000, skew in -300i64..=300) {
            let v = verifier();
            let sig = v.sign(ts, &body);
            prop_assert_eq!(v.verify_parts(&sig, &ts.to_string(), &body, ts + skew), Ok(()));
        }

        #[test]
        fn any_changed_body_byte_is_refused(body in proptest::collection::vec(any::<u8>(), 1..512), index in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let v = verifier();
            let ts = 1_700_000_000;
            let sig = v.sign(ts, &body);
            let mut changed = body.clone();
            let i = index.index(changed.len());
            changed[i] ^= flip;
            prop_assert_eq!(v.verify_parts(&sig, &ts.to_string(), &changed, ts), Err(VerifyError::Mismatch));
        }

        #[test]
        fn any_changed_signature_or_timestamp_is_refused(body in proptest::collection::vec(any::<u8>(), 0..256), index in 3usize..67, delta in 1i64..=300) {
            let v = verifier();
            let ts = 1_700_000_000;
            let sig = v.sign(ts, &body);
            let mut bytes = sig.clone().into_bytes();
            bytes[index] = if bytes[index] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(v.verify_parts(&changed, &ts.to_string(), &body, ts), Err(VerifyError::Mismatch));
            prop_assert_eq!(v.verify_parts(&sig, &(ts + delta).to_string(), &body, ts + delta), Err(VerifyError::Mismatch));
        }

        #[test]
        fn outside_the_window_is_refused_whatever_the_signature(skew in 301i64..100_000, future in any::<bool>()) {
            let v = verifier();
            let ts = 1_700_000_000;
            let sig = v.sign(ts, b"body");
            let now = if future { ts - skew } else { ts + skew };
            prop_assert_eq!(v.verify_parts(&sig, &ts.to_string(), b"body", now), Err(VerifyError::Stale));
        }

        #[test]
        fn arbitrary_headers_never_panic(sig in ".{0,80}", ts in ".{0,24}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = verifier().verify_parts(&sig, &ts, &body, 1_700_000_000);
        }
    }
}
