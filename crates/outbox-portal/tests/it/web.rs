//! The recipients' web page over real HTTP: login, isolation, escaping, logout.

use crate::common;

use common::*;
use outbox_channel::Channel;
use reqwest::StatusCode;

#[tokio::test]
async fn login_sets_a_strict_http_only_session_cookie() {
    let portal = Portal::start().await;
    let mut b = Browser::new(&portal);
    let start = b.get("/").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(start.location(), Some("/login"));

    let form = b.get("/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text()
            .contains("<form method=\"post\" action=\"/login\">")
    );

    let page = b.login("anna", ANNA_PW).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/"));
    let set = page.headers["set-cookie"].to_str().unwrap();
    assert!(set.starts_with("outbox_portal_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    let value = set.split(';').next().unwrap().split_once('=').unwrap().1;
    assert_eq!(value.len(), 64, "32 random bytes in hex");

    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("Anna Schäfer"));
    assert_eq!(home.headers["cache-control"], "no-store");
    assert!(home.headers.contains_key("content-security-policy"));
}

#[tokio::test]
async fn wrong_passwords_and_unknown_logins_are_refused() {
    let portal = Portal::start().await;
    for (login, pw) in [
        ("anna", "anna-secret-2"),
        ("anna", ""),
        ("anna", BOB_PW),
        ("nobody", ANNA_PW),
    ] {
        let mut b = Browser::new(&portal);
        let page = b.login(login, pw).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{login}/{pw}");
        assert!(!page.headers.contains_key("set-cookie"));
        assert!(
            page.text()
                .contains("Benutzername oder Passwort ist falsch.")
        );
        assert_eq!(
            b.get("/").await.status,
            StatusCode::SEE_OTHER,
            "not logged in"
        );
    }
    // A forged cookie is no session either.
    let mut b = Browser::new(&portal);
    b.cookie = Some(format!("outbox_portal_session={}", "ab".repeat(32)));
    assert_eq!(b.get("/").await.location(), Some("/login"));
    // A malformed form is refused, not a crash.
    let page = b.post("/login", &[("login", "anna")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn recipients_see_and_fetch_only_their_own_documents() {
    let portal = Portal::start().await;
    let ch = portal.channel();
    ch.send(&delivery(
        1,
        "anna",
        vec![document(1, "Abrechnung Anna", "Abrechnungen")],
    ))
    .await
    .unwrap();
    ch.send(&delivery(
        2,
        "bob",
        vec![
            document(1, "Abrechnung Bob", "Abrechnungen"),
            document(2, "Protokoll Bob", "Protokolle"),
        ],
    ))
    .await
    .unwrap();

    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    let home = anna.get("/").await.text();
    assert!(home.contains("Abrechnung Anna"));
    assert!(home.contains("/documents/1/1"));
    assert!(!home.contains("Bob"), "anna sees bob's documents: {home}");
    assert!(!home.contains("/documents/2/"));

    let own = anna.get("/documents/1/1").await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.headers["content-type"], "application/pdf");
    assert!(
        own.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("dokument-1.pdf")
    );
    assert!(String::from_utf8_lossy(&own.body).contains("Abrechnung Anna"));

    for path in [
        "/documents/2/1",
        "/documents/2/2",
        "/documents/3/1",
        "/documents/x/1",
    ] {
        let foreign = anna.get(path).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!foreign.text().contains("Bob"));
    }
    // Refused attempts are not recorded as downloads.
    let page = portal.client().downloads(0, 100).await.unwrap();
    assert_eq!(page.downloads.len(), 1);
    assert_eq!(page.downloads[0].account, "anna");

    // Bob's page groups by category.
    let mut bob = Browser::logged_in(&portal, "bob", BOB_PW).await;
    let home = bob.get("/").await.text();
    let (abr, prot) = (
        home.find("Abrechnungen").unwrap(),
        home.find("Protokolle").unwrap(),
    );
    assert!(abr < home.find("Abrechnung Bob").unwrap());
    assert!(prot < home.find("Protokoll Bob").unwrap() && abr < prot);
    assert!(!home.contains("Anna"));

    // Not logged in: no document at all.
    let mut stranger = Browser::new(&portal);
    assert_eq!(
        stranger.get("/documents/1/1").await.location(),
        Some("/login")
    );
}

#[tokio::test]
async fn titles_and_categories_are_escaped() {
    let portal = Portal::start().await;
    portal
        .channel()
        .send(&delivery(
            5,
            "anna",
            vec![document(
                1,
                "<script>alert('x')</script>",
                "<b>Kat & Co</b>",
            )],
        ))
        .await
        .unwrap();
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    let home = anna.get("/").await.text();
    assert!(!home.contains("<script>"));
    assert!(home.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(home.contains("&lt;b&gt;Kat &amp; Co&lt;/b&gt;"));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let portal = Portal::start().await;
    let mut anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    let old_cookie = anna.cookie.clone();
    let out = anna.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert!(anna.cookie.is_none());
    // Replaying the old cookie does not work either.
    anna.cookie = old_cookie;
    assert_eq!(anna.get("/").await.location(), Some("/login"));
}

#[tokio::test]
async fn a_head_request_is_not_a_download() {
    let portal = Portal::start().await;
    portal
        .channel()
        .send(&delivery(
            8,
            "anna",
            vec![document(1, "Nur ansehen", "Allgemein")],
        ))
        .await
        .unwrap();
    let anna = Browser::logged_in(&portal, "anna", ANNA_PW).await;
    let head = anna
        .http
        .head(portal.url("/documents/8/1"))
        .header("cookie", anna.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let foreign = anna
        .http
        .head(portal.url("/documents/9/1"))
        .header("cookie", anna.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    assert!(
        portal
            .client()
            .downloads(0, 10)
            .await
            .unwrap()
            .downloads
            .is_empty()
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_login_for_a_while() {
    let portal = Portal::start().await;
    let mut b = Browser::new(&portal);
    for _ in 0..5 {
        assert_eq!(
            b.login("bob", "guess-guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked: even the right password is refused, without a session.
    let page = b.login("bob", BOB_PW).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));
    assert!(b.cookie.is_none());
    // Other logins are unaffected.
    Browser::logged_in(&portal, "anna", ANNA_PW).await;
}
