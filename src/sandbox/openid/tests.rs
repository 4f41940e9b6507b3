use super::{Grant, Provider, token, user_info};
use crate::{config::Secret, sandbox::world::PEOPLE};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rsa::{BigUint, RsaPublicKey, pkcs1v15::VerifyingKey, signature::Verifier};
use serde_json::{Value, json};
use std::time::Instant;

fn decode(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).expect("base64url")
}

#[tokio::test]
async fn the_id_token_for_a_code_verifies_against_the_published_keys_and_names_the_person() {
    let provider = Provider::generate("1.2".to_owned(), Secret::new("s3cret"))
        .await
        .unwrap();
    provider.grants().codes.insert(
        "c1".to_owned(),
        Grant {
            person: &PEOPLE[1],
            client_id: "1.2".to_owned(),
            redirect_uri: "http://127.0.0.1:3000/auth/callback".to_owned(),
            nonce: Some("n0nce".to_owned()),
            issued: Instant::now(),
        },
    );
    let form = json!({ "code": "c1", "client_id": "1.2", "client_secret": "wrong" });
    assert_eq!(token(&provider, &form, None)["error"], "bad_client_secret");
    let form = json!({
        "code": "c1", "client_id": "1.2", "client_secret": "s3cret",
        "redirect_uri": "http://127.0.0.1:3000/auth/callback",
    });
    let answer = token(&provider, &form, None);
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(
        token(&provider, &form, None)["error"],
        "invalid_code",
        "a code is exchanged once"
    );

    let jwks = provider.jwks();
    let key = &jwks["keys"][0];
    let public = RsaPublicKey::new(
        BigUint::from_bytes_be(&decode(key["n"].as_str().unwrap())),
        BigUint::from_bytes_be(&decode(key["e"].as_str().unwrap())),
    )
    .unwrap();
    let id_token = answer["id_token"].as_str().unwrap();
    let (input, signature) = id_token.rsplit_once('.').unwrap();
    let signature = rsa::pkcs1v15::Signature::try_from(decode(signature).as_slice()).unwrap();
    VerifyingKey::<sha2::Sha256>::new(public)
        .verify(input.as_bytes(), &signature)
        .expect("the signature verifies with the published key");
    let (header, claims) = input.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&decode(header)).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], key["kid"]);
    let claims: Value = serde_json::from_slice(&decode(claims)).unwrap();
    assert_eq!(claims["iss"], "https://slack.com");
    assert_eq!(claims["aud"], "1.2");
    assert_eq!(claims["sub"], "UCOMMANDER");
    assert_eq!(claims["https://slack.com/user_id"], "UCOMMANDER");
    assert_eq!(claims["https://slack.com/team_id"], "T0SANDBOX");
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(claims["name"], "Carlos Commander");
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    let access = answer["access_token"].as_str().unwrap();
    assert_eq!(
        user_info(&provider, Some(access))["email"],
        "ucommander@sandbox.example"
    );
    assert_eq!(user_info(&provider, Some("nope"))["error"], "invalid_auth");
}
