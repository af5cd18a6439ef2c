//! Mail accounts: validation, one standard account per tenant, tenant isolation, redaction.

use outbox_email::*;
use outbox_model::*;

fn acc(id: u64, tenant: u64, security: Security) -> MailAccount {
    MailAccount::new(
        MailAccountId(id),
        TenantId(tenant),
        "smtp.example.de",
        security,
        EmailAddress::parse("post@example.de").unwrap(),
    )
}

#[test]
fn ports_follow_security() {
    assert_eq!(acc(1, 1, Security::StartTls).port, 587);
    assert_eq!(acc(1, 1, Security::ImplicitTls).port, 465);
    assert_eq!(acc(1, 1, Security::LOCAL_PLAINTEXT).port, 25);
    assert_eq!(Security::default(), Security::StartTls);
}

#[test]
fn resolve_picks_named_or_standard_and_never_crosses_tenants() {
    let reg = MailAccounts::try_from_accounts([
        acc(1, 1, Security::StartTls).standard(),
        acc(2, 1, Security::ImplicitTls),
        acc(3, 2, Security::StartTls),
    ])
    .unwrap();
    assert_eq!(reg.resolve(TenantId(1), None).unwrap().id, MailAccountId(1));
    assert_eq!(
        reg.resolve(TenantId(1), Some(MailAccountId(2))).unwrap().id,
        MailAccountId(2)
    );
    assert_eq!(
        reg.resolve(TenantId(1), Some(MailAccountId(3)))
            .unwrap_err(),
        AccountError::OtherTenant {
            id: MailAccountId(3),
            tenant: TenantId(1)
        }
    );
    assert_eq!(
        reg.resolve(TenantId(2), None).unwrap_err(),
        AccountError::NoStandard {
            tenant: TenantId(2)
        }
    );
    assert_eq!(
        reg.resolve(TenantId(1), Some(MailAccountId(9)))
            .unwrap_err(),
        AccountError::Unknown {
            id: MailAccountId(9)
        }
    );
    let ids: Vec<_> = reg.of_tenant(TenantId(1)).iter().map(|a| a.id).collect();
    assert_eq!(ids, [MailAccountId(1), MailAccountId(2)]);
}

#[test]
fn registry_refuses_duplicates_and_second_standard() {
    let mut reg = MailAccounts::new();
    reg.insert(acc(1, 1, Security::StartTls).standard())
        .unwrap();
    assert!(matches!(
        reg.insert(acc(1, 1, Security::StartTls)),
        Err(AccountError::DuplicateId { .. })
    ));
    let e = reg
        .insert(acc(2, 1, Security::StartTls).standard())
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("already has standard mail account 1"),
        "{e}"
    );
    reg.insert(acc(3, 2, Security::StartTls).standard())
        .unwrap();
    assert_eq!(reg.len(), 2);
}

#[test]
fn invalid_accounts_are_explained() {
    let mut a = acc(1, 1, Security::StartTls);
    a.host = "smtp example.de".into();
    assert!(a.validate().unwrap_err().to_string().contains("blanks"));
    let a = acc(1, 1, Security::StartTls).with_port(0);
    assert!(a.validate().is_err());
    let a = acc(1, 1, Security::StartTls).with_from_name("HV\r\nBcc: x@y.de");
    assert!(a.validate().is_err());
    // A password must not travel in clear text to a remote host ...
    let a = acc(1, 1, Security::LOCAL_PLAINTEXT).with_credentials(Credentials::new("u", "p"));
    let e = a.validate().unwrap_err();
    assert!(e.to_string().contains("unencrypted"), "{e}");
    // ... but may to a relay on this machine.
    let mut a = a;
    for host in ["127.0.0.1", "localhost", "::1", "[::1]"] {
        a.host = host.into();
        a.validate().unwrap();
    }
}

#[test]
fn credentials_never_show() {
    let a =
        acc(1, 1, Security::StartTls).with_credentials(Credentials::new("post", "Sup3r-Geheim"));
    let dbg = format!("{a:?} {:?}", a.credentials);
    assert!(!dbg.contains("Sup3r-Geheim"));
    assert!(dbg.contains("post") && dbg.contains("redacted"));
}

/// A tenant without a usable account is not ready, with the reason, before anything is sent.
#[tokio::test]
async fn check_reports_a_missing_mail_account() {
    use std::sync::Arc;

    use outbox_channel::{Channel, OutgoingDelivery, Sender};

    let accounts =
        MailAccounts::try_from_accounts([acc(1, 1, Security::StartTls).standard()]).unwrap();
    let channel = EmailChannel::new(Arc::new(Mailer::smtp(accounts, SmtpOptions::default())));
    let mut recipient = Contact::new(ContactId(7), TenantId(2), "Anna Schäfer");
    recipient.email = Some("anna@example.de".into());
    let delivery = |tenant: u64| OutgoingDelivery {
        id: DeliveryId(1),
        tenant: TenantId(tenant),
        route: Route::Email,
        attempt: 1,
        recipient: recipient.clone(),
        sender: Sender::default(),
        documents: vec![],
    };
    let problems = channel.check(&delivery(2)).await;
    assert!(
        matches!(problems.as_slice(), [ReadinessProblem::NoMailAccount { reason }] if !reason.is_empty()),
        "{problems:?}"
    );
    assert!(channel.check(&delivery(1)).await.is_empty());
}
