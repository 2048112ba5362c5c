//! The token signing key (RSA 2048, generated at start), RS256 JWTs and the JWKS document
//! (`/{tenant}/discovery/v2.0/keys`, the `jwks_uri` of ms-api.md §1.1).
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    KeyPair, RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

pub struct SigningKey {
    pair: RsaKeyPair,
    pub kid: String,
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey, String> {
        let pair =
            RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).map_err(|e| e.to_string())?;
        Ok(SigningKey {
            pair,
            kid: uuid::Uuid::new_v4().simple().to_string(),
        })
    }

    /// `header.payload.signature`, RS256.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .expect("RSA signing with a freshly generated key");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// The claims of a token this key signed, or why it is not one.
    pub fn verify(&self, token: &str) -> Result<Value, &'static str> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("not a JWT");
        };
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "bad signature encoding")?;
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, self.pair.public_key().as_ref())
            .verify(format!("{h}.{p}").as_bytes(), &sig)
            .map_err(|_| "signature does not verify")?;
        let bytes = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| "bad payload encoding")?;
        serde_json::from_slice(&bytes).map_err(|_| "bad payload")
    }

    pub fn jwks(&self) -> Value {
        let pk = self.pair.public_key();
        json!({"keys": [{
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
        }]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let k = SigningKey::generate().unwrap();
        let t = k.sign(&json!({"aud": "https://graph.microsoft.com", "scp": "User.Read"}));
        assert_eq!(k.verify(&t).unwrap()["scp"], "User.Read");
        let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(
            json!({"aud": "https://graph.microsoft.com", "scp": "Directory.ReadWrite.All"})
                .to_string(),
        );
        assert_eq!(
            k.verify(&parts.join(".")).unwrap_err(),
            "signature does not verify"
        );
        let other = SigningKey::generate().unwrap();
        assert!(other.verify(&t).is_err());
        assert!(k.verify("not-a-jwt").is_err());
        assert_eq!(k.jwks()["keys"][0]["e"], "AQAB");
    }
}
