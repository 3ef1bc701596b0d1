//! The console, served by the real binary, used in headless Chromium as a person would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::browser::Browser;
use e2e::concord::{Concord, PASSWORD, TempDir};
use e2e::second_factor::code_now;

const SLUG: &str = "md-600";
const EMAIL: &str = "lead@md-600.example";

async fn log_in(browser: &Browser, password: &str) {
    browser.fill("login-slug", SLUG).await;
    browser.fill("login-email", EMAIL).await;
    browser.fill("login-password", password).await;
    browser.click("login-submit").await;
}

/// The enrolment screen the Data Center meets first (AUTH-2FA-ENROL): add the secret to "the
/// app", confirm its code, keep the backup codes. Returns the first backup code.
async fn enrol_second_factor(browser: &Browser) -> String {
    browser
        .wait_for_text("enrol-title", "Set up a second factor")
        .await;
    let secret = browser.wait_for_text("totp-secret", "").await;
    browser.fill("totp-code", &code_now(&secret)).await;
    browser.click("totp-confirm").await;
    let first = browser.wait_for_text("backup-code-0", "-").await;
    assert!(
        browser.text("backup-code-9").await.is_some(),
        "ten backup codes"
    );
    browser.click("enrol-done").await;
    first
}

/// The id of the one agency in the new-project form's choice.
async fn agency_id(browser: &Browser) -> String {
    let options = browser
        .client
        .find_all(fantoccini::Locator::Css(
            "#project-agency option[value]:not([value=''])",
        ))
        .await
        .unwrap();
    assert_eq!(options.len(), 1, "one active agency to choose");
    options[0].attr("value").await.unwrap().unwrap()
}

async fn see_home(browser: &Browser) {
    browser.wait_for_text("me-role", "DATA_CENTER").await;
    browser.wait_for_text("me-email", EMAIL).await;
    browser.wait_for_text("tenant-coc-code", "MD-600").await;
    browser.wait_for_text("tenant-slug", SLUG).await;
}

#[tokio::test]
async fn the_console_signs_up_a_coc_and_logs_in_in_a_real_browser() {
    let data_dir = TempDir::new("concord-e2e-data");
    let concord = Concord::start(data_dir.path());
    let browser = Browser::start().await;
    browser.goto(&concord.url).await;

    browser.fill("signup-coc-name", "Baltimore City CoC").await;
    browser.fill("signup-coc-code", "MD-600").await;
    browser.fill("signup-slug", SLUG).await;
    browser.fill("signup-admin-name", "Data Lead").await;
    browser.fill("signup-admin-email", EMAIL).await;
    browser.fill("signup-password", PASSWORD).await;
    browser.click("signup-submit").await;
    let backup_code = enrol_second_factor(&browser).await;
    see_home(&browser).await;
    browser.wait_for_text("tenant-status", "ACTIVE").await;

    browser
        .wait_for_text("frame-tenant", "Baltimore City CoC")
        .await;
    browser.wait_for_text("frame-role", "DATA_CENTER").await;

    // Agencies and projects: each screen has an address, and a reload keeps the screen and
    // the session (the refresh token lives in an HttpOnly cookie, the access token in memory).
    browser.click("nav-agencies").await;
    browser
        .wait_for_text("agencies-title", "Agencies and projects")
        .await;
    browser
        .wait_for_text("agency-list-empty", "No agencies yet")
        .await;
    browser.fill("agency-name", "Helping Hands").await;
    browser.click("agency-submit").await;
    browser.wait_for_text("agency-list", "Helping Hands").await;
    browser
        .choose("project-agency", &agency_id(&browser).await)
        .await;
    browser.fill("project-name", "Night Shelter").await;
    browser.choose("project-type", "1").await;
    browser.click("project-submit").await;
    let projects = browser.wait_for_text("project-list", "Night Shelter").await;
    assert!(
        projects.contains("Emergency Shelter – Night-by-Night")
            && projects.contains("Helping Hands"),
        "the project shows its HUD type and agency by name: {projects}"
    );
    browser.reload().await;
    assert_eq!(browser.path().await, "/agencies");
    browser.wait_for_text("project-list", "Night Shelter").await;
    browser.wait_for_text("frame-user", "Data Lead").await;

    // What the server refuses is shown beside the form, with its code; nothing is created.
    browser.fill("agency-name", "   ").await;
    browser.click("agency-submit").await;
    browser.wait_for_text("agency-error", "VALIDATION").await;
    assert!(
        browser
            .text("agency-list")
            .await
            .unwrap()
            .contains("1 of 1"),
        "no agency was created"
    );

    // Signing in again asks for a second factor, once the password was right; signed out,
    // a screen's address asks for sign-in and shows that screen after.
    browser.click("nav-logout").await;
    browser.wait_for_text("login-title", "Log in").await;
    browser
        .goto(&format!("{}/agencies", concord.url.trim_end_matches('/')))
        .await;
    log_in(&browser, PASSWORD).await;
    browser.fill("login-code", &backup_code).await;
    browser.click("login-submit").await;
    browser.wait_for_text("project-list", "Night Shelter").await;
    assert_eq!(browser.path().await, "/agencies");
    browser.click("nav-home").await;
    see_home(&browser).await;

    browser.click("nav-logout").await;
    log_in(&browser, "not the right password at all").await;
    let error = browser
        .wait_for_text("login-error", "UNAUTHENTICATED")
        .await;
    assert!(
        browser.text("home-greeting").await.is_none(),
        "signed in with a wrong password ({error})"
    );

    browser.close().await;
}
