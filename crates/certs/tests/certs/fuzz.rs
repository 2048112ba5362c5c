//! Property tests: no input makes a reader panic, and every refusal is a one-line message.

use std::sync::OnceLock;

use hybridsync_certs::{cer_base64, inspect, open_pfx, CertError, KeySize};
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};
use proptest::prelude::*;

use crate::support::*;

struct Seeds {
    pfx: Vec<Vec<u8>>,
    der: Vec<u8>,
    pem: String,
}

/// Valid inputs to mutate: PFX files in AES, 3DES and RC2 (1 iteration, for speed), DER and PEM.
fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let cert = generated("fuzz", KeySize::Rsa2048, now(), 365);
        let chain = PrivateKeyChain::new(
            vec![7; 20],
            PrivateKey::from_der(&cert.private_key_der).unwrap(),
            [Certificate::from_der(&cert.certificate_der).unwrap()],
        );
        let mut store = KeyStore::new();
        store.add_entry("fuzz", KeyStoreEntry::PrivateKeyChain(chain));
        let pfx = [
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
            EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc, // writes RC2-40
        ]
        .into_iter()
        .map(|alg| {
            store
                .writer(PASSWORD)
                .encryption_algorithm(alg)
                .encryption_iterations(1)
                .mac_algorithm(MacAlgorithm::HmacSha1)
                .mac_iterations(1)
                .write()
                .unwrap()
        })
        .collect();
        Seeds {
            pfx,
            pem: cer_base64(&cert.certificate_der),
            der: cert.certificate_der,
        }
    })
}

fn check(result: Result<impl Sized, CertError>) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        let message = e.to_string();
        prop_assert!(
            !message.is_empty() && !message.contains('\n'),
            "bad message {:?}",
            message
        );
    }
    Ok(())
}

/// A change to valid bytes: flip a byte, cut the tail, or insert bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
    ];
    prop::collection::vec(one, 1..4)
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mutation::Set(i, b) => {
                let at = i % bytes.len();
                bytes[at] = *b;
            }
            Mutation::Truncate(i) => bytes.truncate(i % bytes.len()),
            Mutation::Insert(i, extra) => {
                let at = i % bytes.len();
                bytes.splice(at..at, extra.iter().copied());
            }
        }
    }
    bytes
}

const HINTS: [Option<&str>; 4] = [None, Some("x.pfx"), Some("x.cer"), Some("x.pem")];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1500), hint in 0usize..4, with_password: bool) {
        let password = with_password.then_some(PASSWORD);
        check(inspect(&bytes, HINTS[hint], password, now()))?;
        check(open_pfx(&bytes, password))?;
    }

    #[test]
    fn der_like_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..600), tag in prop_oneof![Just(0x30u8), any::<u8>()]) {
        // a plausible DER header in front of random content reaches the deeper parsers
        let mut bytes = vec![tag, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        bytes.extend(body);
        check(inspect(&bytes, None, Some(PASSWORD), now()))?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(-----BEGIN [A-Z ]{0,20}-----\r?\n)?[A-Za-z0-9+/=:, \r\n-]{0,300}(-----END [A-Z ]{0,20}-----)?") {
        check(inspect(text.as_bytes(), Some("x.pem"), None, now()))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_pfx_never_panics(which in 0usize..3, mutations in mutation(), right_password: bool) {
        let bytes = apply(seeds().pfx[which].clone(), &mutations);
        let password = if right_password { PASSWORD } else { "wrong" };
        check(inspect(&bytes, Some("x.pfx"), Some(password), now()))?;
        check(open_pfx(&bytes, Some(password)))?;
    }

    #[test]
    fn mutated_der_never_panics(mutations in mutation()) {
        let bytes = apply(seeds().der.clone(), &mutations);
        check(inspect(&bytes, Some("x.cer"), None, now()))?;
    }

    #[test]
    fn mutated_pem_never_panics(mutations in mutation()) {
        let bytes = apply(seeds().pem.clone().into_bytes(), &mutations);
        check(inspect(&bytes, Some("x.cer"), None, now()))?;
    }
}

#[test]
fn seeds_are_valid_before_mutation() {
    let s = seeds();
    for pfx in &s.pfx {
        let found = inspect(pfx, None, Some(PASSWORD), now()).unwrap();
        assert_eq!(found.private_key_matches, Some(true));
    }
    assert!(inspect(&s.der, None, None, now()).is_ok());
    assert!(inspect(s.pem.as_bytes(), None, None, now()).is_ok());
}
