//! A security key in the console (AUTH-2FA-ENROL, WebAuthn), in headless Chromium with
//! chromedriver's virtual authenticator as the key: registered as the Data Center's second
//! factor at sign-up, then answering the sign-in ceremony in place of a code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::browser::{Browser, SignUp, free_port};
use e2e::concord::{Concord, PASSWORD, TempDir};

#[tokio::test]
async fn a_security_key_enrols_at_sign_up_and_signs_in_in_a_real_browser() {
    let data_dir = TempDir::new("concord-e2e-key");
    // WebAuthn names the server by a domain: the console is reached as localhost, on a port
    // chosen before it starts so that its public address can say it.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("http://localhost:{port}/");
    let _concord = Concord::start_with(
        data_dir.path(),
        &[("CONCORD_LISTEN", &listen), ("CONCORD_PUBLIC_URL", &public)],
    );
    let browser = Browser::start().await;
    browser.add_security_key().await;
    browser.goto(&public).await;
    browser.wait_for_text("signup-title", "Sign up").await;
    let coc = SignUp {
        coc_name: "Durham CoC",
        coc_code: "NC-502",
        slug: "nc-502",
        admin_name: "Key Holder",
        admin_email: "keys@nc-502.example",
    };
    browser.sign_up(&coc, PASSWORD).await;

    // The enrolment screen offers a key beside the app; the key registers, and its first
    // registration gives the backup codes.
    browser
        .wait_for_text("enrol-title", "Set up a second factor")
        .await;
    browser.fill("key-name", "Virtual key").await;
    browser.click("key-register").await;
    browser.wait_for_text("backup-code-0", "-").await;
    browser.check_screen("enrol-key").await;
    browser.click("enrol-done").await;
    browser.wait_for_text("me-role", "DATA_CENTER").await;

    // Signing in again: the right password meets the second-factor question, and the key
    // answers it; no code is typed.
    browser.click("nav-logout").await;
    browser.wait_for_text("login-title", "Log in").await;
    browser.fill("login-slug", "nc-502").await;
    browser.fill("login-email", "keys@nc-502.example").await;
    browser.fill("login-password", PASSWORD).await;
    browser.click("login-submit").await;
    browser
        .wait_for_text("login-key", "Use my security key instead")
        .await;
    browser.check_screen("login-key").await;
    browser.click("login-key").await;
    browser
        .wait_for_text("me-email", "keys@nc-502.example")
        .await;
    assert!(
        browser.text("login-error").await.is_none(),
        "signed in by the key alone"
    );
    browser.close().await;
}
