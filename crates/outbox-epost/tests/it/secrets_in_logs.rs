//! Secrets (password, secret, token, SMS code) never appear in logs, errors or `Debug`, even
//! with every log level on while activating, logging in, sending and failing.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use outbox_channel::Channel;
use outbox_epost::fake::{Endpoint, FakeConfig, FakeEpost, Fault};
use outbox_epost::{Credentials, EpostChannel, EpostClient, Secret};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeEpost::start_with(FakeConfig::not_activated())
        .await
        .unwrap();
    fake.set_rate_limits(false);
    let client = EpostClient::new(common::config(&fake)).unwrap();
    client
        .request_sms_code(&fake.vendor_id(), &fake.ekp())
        .await
        .unwrap();
    let sms = fake.last_sms_code().unwrap();
    let password = Secret::new("Pw-0815-streng-geheim");
    let secret = client
        .set_password(&fake.vendor_id(), &fake.ekp(), &password, &sms)
        .await
        .unwrap();
    let creds = Credentials::new(fake.vendor_id(), fake.ekp(), secret.clone(), password);
    let token = client.login(&creds).await.unwrap();
    let ch = EpostChannel::new(client.account(creds.clone()), common::TENANT);
    let d = common::delivery(1);
    ch.send(&d).await.unwrap();
    fake.expire_tokens();
    fake.fail_next_on(Endpoint::SubmitLetters, 1, Fault::DropConnection);
    let err = ch.send(&common::delivery(2)).await.unwrap_err();
    let mut wrong = creds.clone();
    wrong.password = Secret::new("Falsch-0815-geheim");
    let err2 = client.login(&wrong).await.unwrap_err();

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("logged in to E-POST"),
        "the capture works: {log}"
    );
    let texts = [
        log,
        format!("{err} {err:?} {err2} {err2:?}"),
        format!("{creds:?} {ch:?} {token:?} {token}"),
    ];
    for text in &texts {
        for needle in [
            "Pw-0815-streng-geheim",
            "Falsch-0815-geheim",
            secret.expose(),
            token.expose(),
        ] {
            assert!(!text.contains(needle), "{needle:?} leaked");
        }
    }
}
