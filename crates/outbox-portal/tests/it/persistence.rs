//! A portal on a SQLite file keeps accounts, documents and downloads across restarts.

use crate::common;

use common::*;
use outbox_channel::Channel;
use outbox_model::DeliveryId;
use outbox_portal::server::{
    Database, PasswordHashCost, PortalServer, PortalServerConfig, ServerError,
};
use reqwest::StatusCode;

#[tokio::test]
async fn a_file_database_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.sqlite");
    {
        let portal = Portal::start_with(Database::File(path.clone())).await;
        portal
            .channel()
            .send(&delivery(
                60,
                "anna",
                vec![document(1, "Bleibt", "Allgemein")],
            ))
            .await
            .unwrap();
        let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
        assert_eq!(anna.get("/documents/60/1").await.status, StatusCode::OK);
        portal.running.shutdown().await;
    }
    let portal = Portal::start_with(Database::File(path)).await;
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    assert!(anna.get("/").await.text().contains("Bleibt"));
    let page = portal.client().downloads(0, 10).await.unwrap();
    assert_eq!(page.downloads.len(), 1);
    assert_eq!(page.downloads[0].delivery_id, DeliveryId(60));
    // Passwords are stored as argon2id hashes; the clear password is in no database file.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains(ANNA_PW));
    }
}

#[tokio::test]
async fn concurrent_downloads_on_a_file_database_are_all_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let portal = Portal::start_with(Database::File(dir.path().join("portal.sqlite"))).await;
    portal
        .channel()
        .send(&delivery(
            61,
            "anna",
            vec![document(1, "Viel gefragt", "Allgemein")],
        ))
        .await
        .unwrap();
    let anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    let cookie = anna.cookie.clone().unwrap();
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let (http, url, cookie) = (
                anna.http.clone(),
                portal.url("/documents/61/1"),
                cookie.clone(),
            );
            tokio::spawn(async move {
                http.get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let page = portal.client().downloads(0, 100).await.unwrap();
    assert_eq!(page.downloads.len(), 24);
    let mut cursors: Vec<u64> = page.downloads.iter().map(|d| d.cursor).collect();
    cursors.dedup();
    assert_eq!(cursors.len(), 24);
}

#[tokio::test]
async fn accounts_and_configuration_are_validated() {
    let mut config = PortalServerConfig::new(Database::Memory, "short");
    config.password_hash_cost = PasswordHashCost::FAST_FOR_TESTS;
    assert!(matches!(
        PortalServer::open(config).await,
        Err(ServerError::InvalidConfig(_))
    ));

    let mut config = PortalServerConfig::new(Database::Memory, TOKEN);
    config.password_hash_cost = PasswordHashCost {
        memory_kib: 1,
        iterations: 1,
        parallelism: 1,
    };
    assert!(matches!(
        PortalServer::open(config).await,
        Err(ServerError::InvalidConfig(_))
    ));

    let portal = Portal::start().await;
    assert!(matches!(
        portal
            .server
            .add_account("anna", "another-password", "Anna")
            .await,
        Err(ServerError::DuplicateLogin(_))
    ));
    for (login, pw, name) in [
        ("", "long enough", "X"),
        ("has space", "long enough", "X"),
        ("carol", "short", "X"),
        ("carol", "long enough", " "),
    ] {
        assert!(
            matches!(
                portal.server.add_account(login, pw, name).await,
                Err(ServerError::InvalidAccount(_))
            ),
            "{login:?} {pw:?} {name:?}"
        );
    }
}
