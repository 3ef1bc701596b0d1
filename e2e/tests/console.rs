//! The console, served by the real binary, used in headless Chromium as a person would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::browser::{Browser, SignUp};
use e2e::concord::{Concord, PASSWORD, TempDir};
use e2e::poll;
use e2e::second_factor::code_now;
use std::time::Duration;

const SLUG: &str = "md-600";
const EMAIL: &str = "lead@md-600.example";
const AGENCY_ADMIN: &str = "admin@helping-hands.example";

async fn log_in(browser: &Browser, email: &str, password: &str) {
    browser.fill("login-slug", SLUG).await;
    browser.fill("login-email", email).await;
    browser.fill("login-password", password).await;
    browser.click("login-submit").await;
}

/// The enrolment screen the Data Center meets first (AUTH-2FA-ENROL): add the secret to "the
/// app", confirm its code, keep the backup codes. Returns the first two backup codes.
async fn enrol_second_factor(browser: &Browser) -> [String; 2] {
    browser
        .wait_for_text("enrol-title", "Set up a second factor")
        .await;
    let secret = browser.wait_for_text("totp-secret", "").await;
    browser.check_screen("enrol").await;
    browser.fill("totp-code", &code_now(&secret)).await;
    browser.click("totp-confirm").await;
    let first = browser.wait_for_text("backup-code-0", "-").await;
    let second = browser.wait_for_text("backup-code-1", "-").await;
    assert!(
        browser.text("backup-code-9").await.is_some(),
        "ten backup codes"
    );
    browser.click("enrol-done").await;
    [first, second]
}

/// The one agency a form's choice `id` offers.
async fn only_agency(browser: &Browser, id: &str) -> String {
    let agencies = browser.choices(id).await;
    assert_eq!(agencies.len(), 1, "one active agency to choose in #{id}");
    agencies[0].clone()
}

/// Waits until the table `id` lists `first` above `then`; returns its text.
async fn wait_for_order(browser: &Browser, id: &str, first: &str, then: &str) -> String {
    let seen = poll(Duration::from_secs(10), async || {
        let text = browser.text(id).await?;
        let (a, b) = (text.find(first)?, text.find(then)?);
        (a < b).then_some(text)
    })
    .await;
    seen.unwrap_or_else(|| panic!("#{id} did not list {first:?} above {then:?}"))
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
    // A manual clock, to reach the plan's deadlines; the deadline sweep every second.
    let concord = Concord::start_with(
        data_dir.path(),
        &[("CONCORD_CLOCK", "manual"), ("CONCORD_SWEEP_SECONDS", "1")],
    );
    let browser = Browser::start().await;
    let base = concord.url.trim_end_matches('/').to_owned();
    browser.goto(&base).await;
    browser.wait_for_text("signup-title", "Sign up").await;
    browser.check_screen("signup").await;

    let coc = SignUp {
        coc_name: "Baltimore City CoC",
        coc_code: "MD-600",
        slug: SLUG,
        admin_name: "Data Lead",
        admin_email: EMAIL,
    };
    browser.sign_up(&coc, PASSWORD).await;
    let [backup_code, second_backup_code] = enrol_second_factor(&browser).await;
    see_home(&browser).await;
    browser.wait_for_text("tenant-status", "ACTIVE").await;
    // The new CoC's checklist ticks itself: the second factor is already enrolled.
    browser
        .wait_for_text("checklist-left", "4 of 5 steps to go")
        .await;
    browser.check_screen("home").await;

    browser
        .wait_for_text("frame-tenant", "Baltimore City CoC")
        .await;
    browser.wait_for_text("frame-role", "Data Center").await;

    // Notifications: the frame's count leads to them; a new CoC has none yet.
    browser.click("frame-unread").await;
    browser
        .wait_for_text("notifications-empty", "Nothing unread")
        .await;
    browser.click("notifications-unread").await;
    browser
        .wait_for_text("notifications-empty", "No messages yet")
        .await;
    browser.check_screen("notifications").await;

    // The sharing plan: a parameter out of its range is refused beside the field; a change is
    // summarised before it is published, and the new version's diff read after.
    browser.click("nav-plan").await;
    browser
        .wait_for_text("plan-version", "Version 1 is in force")
        .await;
    let window = browser.value("param-contactWindowDays").await;
    browser.fill("param-contactWindowDays", "0").await;
    browser
        .wait_for_text("param-contactWindowDays-error", "from 1 to 365")
        .await;
    browser.fill("param-contactWindowDays", &window).await;
    let review: u32 = browser
        .value("param-adminReviewDays")
        .await
        .parse()
        .unwrap();
    let longer = (review + 3).to_string();
    browser.fill("param-adminReviewDays", &longer).await;
    let summary = browser
        .wait_for_text("plan-changes", "parameters.admin_review_days")
        .await;
    assert!(
        !summary.contains("contact_window_days"),
        "the window was put back: {summary}"
    );
    // Before publishing, what a draft would change in who reads what, as the server decides:
    // unsharing the notes hides other agencies' notes from agency people (PLAN-1).
    browser.click("shared-client_notes").await;
    let flips = browser
        .wait_for_text(
            "plan-flips",
            "would no longer read another agency's client notes",
        )
        .await;
    assert!(
        flips.contains("Agency administrator") && flips.contains("PLAN-1"),
        "{flips}"
    );
    browser.check_screen("plan-preview").await;
    browser.click("shared-client_notes").await;
    browser
        .wait_for_text("plan-flips-none", "No one could read or do more or less")
        .await;
    browser.check_screen("plan").await;
    browser.click("plan-publish").await;
    browser
        .wait_for_text("plan-version", "Version 2 is in force")
        .await;
    let diff = browser
        .wait_for_text("plan-diff", "parameters.admin_review_days")
        .await;
    assert!(
        diff.contains(&review.to_string()) && diff.contains(&longer),
        "{diff}"
    );
    browser.check_screen("plan-diff").await;

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
    browser.check_screen("agencies").await;
    let agency = only_agency(&browser, "project-agency").await;
    browser.choose("project-agency", &agency).await;
    browser.fill("project-name", "Night Shelter").await;
    browser.choose("project-type", "1").await;
    browser.click("project-submit").await;
    let projects = browser.wait_for_text("project-list", "Night Shelter").await;
    assert!(
        projects.contains("Emergency Shelter – Night-by-Night")
            && projects.contains("Helping Hands"),
        "the project shows its HUD type and agency by name: {projects}"
    );
    // The Data Center renames it in place (ROLE-1).
    browser.click("project-rename-0").await;
    browser.fill("project-rename", "Night Shelter North").await;
    browser.click("project-rename-save").await;
    browser
        .wait_for_text("project-list", "Night Shelter North")
        .await;
    browser.reload().await;
    assert_eq!(browser.path().await, "/agencies");
    browser
        .wait_for_text("project-list", "Night Shelter North")
        .await;
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

    // The table narrows through the API's filter, with an empty state of its own.
    browser.fill("agency-filter-name", "zz").await;
    browser
        .wait_for_text("agency-list-empty", "No agency matches this filter")
        .await;
    browser.fill("agency-filter-name", "HELP").await;
    browser.wait_for_text("agency-list", "1 of 1").await;
    browser.choose("agency-filter-status", "DEACTIVATED").await;
    browser
        .wait_for_text("agency-list-empty", "No agency matches this filter")
        .await;
    browser.check_screen("agencies-filtered").await;
    browser.choose("agency-filter-status", "").await;
    browser.set_value("agency-filter-name", "").await;
    browser.wait_for_text("agency-list", "Helping Hands").await;

    // A client, entered by the Data Center: each value names who entered it (PROV-1).
    browser.click("nav-clients").await;
    browser.wait_for_text("clients-title", "Clients").await;
    browser.fill("client-first-name", "Dana").await;
    browser.fill("client-last-name", "Rivers").await;
    browser.fill("client-dob", "1980-07-08").await;
    browser.click("client-submit").await;
    browser.wait_for_text("demographics", "1980-07-08").await;
    browser
        .wait_for_text("demographics", "Data Lead (Data Center)")
        .await;
    browser.check_screen("client").await;
    let hmis = browser.wait_for_text("client-hmis-number", "").await;
    let client_page = format!("{base}{}", browser.path().await);
    assert!(client_page.contains("/clients/"), "{client_page}");

    // People: invite the agency's administrator and pass the link on.
    browser.click("nav-people").await;
    browser
        .wait_for_text("invitation-list-empty", "No invitations yet")
        .await;
    browser.fill("invite-email", AGENCY_ADMIN).await;
    browser.choose("invite-role", "AGENCY_ADMIN").await;
    let agency = only_agency(&browser, "invite-agency").await;
    browser.choose("invite-agency", &agency).await;
    browser.click("invite-submit").await;
    let link = browser.value("invite-link").await;
    assert!(link.contains("/accept#tenant=md-600&code="), "{link}");
    browser.wait_for_text("invitation-list", "PENDING").await;
    browser.check_screen("people").await;

    // The administrator accepts in a browser of their own, enrols a second factor (their role
    // must), and is refused what only the Data Center does, with the rule.
    let invitee = Browser::start().await;
    invitee.goto(&link).await;
    invitee.wait_for_text("accept-title", "Accept").await;
    invitee.check_screen("accept").await;
    invitee.fill("accept-name", "Agency Lead").await;
    invitee.fill("accept-password", PASSWORD).await;
    invitee.click("accept-submit").await;
    let [invitee_code, _] = enrol_second_factor(&invitee).await;
    invitee
        .wait_for_text("frame-role", "Agency administrator")
        .await;
    invitee.click("nav-agencies").await;
    invitee.fill("agency-name", "Rogue Agency").await;
    invitee.click("agency-submit").await;
    let refused = invitee.wait_for_text("agency-error", "ROLE-1").await;
    invitee.check_screen("agencies-refused").await;
    assert!(refused.contains("FORBIDDEN"), "{refused}");

    // From the agency: find the client as you type, and give a different date of birth
    // without documentation: a data conflict (DEM-3); the value on record stays.
    invitee.click("nav-clients").await;
    invitee.fill("client-search", "Rivers").await;
    invitee.wait_for_text("client-results", "Dana Rivers").await;
    invitee.check_screen("clients").await;
    invitee.goto(&client_page).await;
    invitee.click("change-dob").await;
    invitee.fill("demographic-value", "1981-07-08").await;
    invitee.click("demographic-save").await;
    invitee.wait_for_text("demographic-outcome", "DEM-3").await;
    let conflicts = invitee.wait_for_text("conflicts", "1981-07-08").await;
    assert!(
        conflicts.contains("OPEN") && conflicts.contains("Agency Lead (Helping Hands)"),
        "{conflicts}"
    );
    let values = invitee.text("demographics").await.unwrap();
    assert!(
        values.contains("1980-07-08") && !values.contains("1981-07-08"),
        "the value on record stays: {values}"
    );
    invitee.check_screen("client-conflict").await;

    // The agency enrolls the client in its shelter, adds a note and records a service, each
    // naming who entered it (PROV-1). A head of household with no case manager from the
    // project's agency is then on the CM-1 list, and one missing documents on the ATT-4 list.
    let shelters = invitee.choices("enroll-project").await;
    assert_eq!(shelters.len(), 1, "only the agency's own project (ENR-1)");
    invitee.choose("enroll-project", &shelters[0]).await;
    invitee.set_value("enroll-entry", "2026-12-01").await;
    invitee.click("enroll-submit").await;
    let stays = invitee.wait_for_text("enrollments", "Night Shelter").await;
    assert!(stays.contains("Agency Lead (Helping Hands)"), "{stays}");
    invitee
        .fill("note-body", "Prefers to be reached at the library")
        .await;
    invitee.click("note-submit").await;
    invitee
        .wait_for_text("notes", "Prefers to be reached at the library")
        .await;
    invitee.fill("service-type", "Hot meal").await;
    invitee.set_value("service-date", "2026-12-02").await;
    invitee.click("service-submit").await;
    invitee
        .wait_for_text("services", "Hot meal on 2026-12-02")
        .await;
    invitee.check_screen("client-records").await;

    // What the profile lists is changed in place where its access block allows, the rule
    // shown where it does not: the author edits the note (NOTE-1); a service is corrected but
    // never deleted (SRV-1).
    invitee.click("note-edit-0").await;
    assert_eq!(
        invitee.value("row-field-0").await,
        "Prefers to be reached at the library",
        "the form starts from the note as read"
    );
    invitee
        .fill(
            "row-field-0",
            "Prefers to be reached at the library on Mondays",
        )
        .await;
    invitee.click("row-save").await;
    invitee.wait_for_text("note-outcome", "Note saved").await;
    invitee.wait_for_text("notes", "library on Mondays").await;
    let services = invitee.wait_for_text("services", "SRV-1").await;
    assert!(
        invitee.text("service-delete-0").await.is_none(),
        "no delete offered where SRV-1 refuses it: {services}"
    );
    invitee.click("service-edit-0").await;
    invitee.fill("row-field-0", "Hot meal and shower").await;
    invitee.click("row-save").await;
    invitee
        .wait_for_text("services", "Hot meal and shower on 2026-12-02")
        .await;
    // A phone number the agency entered, corrected by it with the client note PRO-3 asks for.
    invitee.fill("profile-row-value", "919-555-0100").await;
    invitee.set_value("profile-row-start", "2026-12-01").await;
    invitee.click("profile-row-submit").await;
    invitee.wait_for_text("profile-rows", "919-555-0100").await;
    invitee.click("profile-row-correct-0").await;
    assert_eq!(invitee.value("row-field-0").await, "919-555-0100");
    invitee.fill("row-field-0", "919-555-0199").await;
    invitee.set_value("row-field-1", "2026-12-03").await;
    invitee
        .fill(
            "row-field-3",
            "Phone number corrected: a digit was mistyped at intake",
        )
        .await;
    invitee.click("row-save").await;
    invitee
        .wait_for_text("profile-row-outcome", "Corrected")
        .await;
    invitee.wait_for_text("profile-rows", "919-555-0199").await;
    invitee.check_screen("client-records-changed").await;

    // Files (ATT-*): a disability verification without the no-diagnosis confirmation is
    // refused with its rule and stores nothing; a birth certificate is uploaded, listed with
    // who uploaded it (PROV-1), and downloads byte for byte.
    let scan: &[u8] = b"%PDF-1.4\n% birth certificate, scanned at intake\n%%EOF\n";
    let scan_path = data_dir.path().join("birth-certificate.pdf");
    std::fs::write(&scan_path, scan).unwrap_or_else(|e| panic!("write the scan: {e}"));
    invitee.wait_for_text("files-empty", "No files").await;
    invitee
        .choose("file-category", "DISABILITY_VERIFICATION")
        .await;
    invitee.attach("file-input", &scan_path).await;
    invitee.click("file-submit").await;
    let refused = invitee.wait_for_text("file-error", "ATT-3").await;
    assert!(refused.contains("diagnosis"), "{refused}");
    assert!(
        invitee.text("files").await.is_none(),
        "a refused upload stored nothing"
    );
    invitee.choose("file-category", "BIRTH_CERTIFICATE").await;
    invitee.click("file-submit").await;
    invitee
        .wait_for_text("file-uploaded", "birth-certificate.pdf")
        .await;
    let files = invitee
        .wait_for_text("files", "birth-certificate.pdf")
        .await;
    assert!(
        files.contains("Agency Lead (Helping Hands)") && files.contains("Birth certificate"),
        "{files}"
    );
    assert!(
        invitee.text("file-error").await.is_none(),
        "the refusal is cleared"
    );
    invitee.click("file-download-0").await;
    assert_eq!(invitee.downloaded("birth-certificate.pdf").await, scan);
    // Its uploader replaces it with a better scan (ATT-1): one file, the new one, in the same
    // category, downloading as the new bytes. On a slow line (200 KB/s up) the upload shows
    // its progress on the way.
    let mut rescan = b"%PDF-1.4\n% birth certificate, scanned again, legible\n".to_vec();
    rescan.extend(std::iter::repeat_n(b'%', 600 * 1024));
    rescan.extend(b"\n%%EOF\n");
    let rescan = rescan.as_slice();
    let rescan_path = data_dir.path().join("birth-certificate-legible.pdf");
    std::fs::write(&rescan_path, rescan).unwrap_or_else(|e| panic!("write the rescan: {e}"));
    invitee.throttle_uploads(Some(200 * 1024)).await;
    invitee.click("file-replace-0").await;
    invitee
        .wait_for_text(
            "file-replacing",
            "Replacing birth-certificate.pdf (Birth certificate)",
        )
        .await;
    invitee.attach("file-input", &rescan_path).await;
    invitee.click("file-submit").await;
    let midway = poll(Duration::from_secs(10), async || {
        let shown = invitee.text("file-progress").await?;
        let percent: u32 = shown
            .trim()
            .trim_start_matches("Uploading: ")
            .trim_end_matches('%')
            .parse()
            .ok()?;
        (1..100).contains(&percent).then_some(shown)
    })
    .await;
    assert!(
        midway.is_some(),
        "the upload showed its progress on the way"
    );
    invitee
        .wait_for_text("file-uploaded", "birth-certificate-legible.pdf")
        .await;
    invitee.throttle_uploads(None).await;
    let files = invitee.wait_for_text("files", "1 of 1").await;
    assert!(
        files.contains("birth-certificate-legible.pdf")
            && !files.contains("birth-certificate.pdf")
            && files.contains("Birth certificate"),
        "the replacement stands in for the file: {files}"
    );
    invitee.click("file-download-0").await;
    assert_eq!(
        invitee.downloaded("birth-certificate-legible.pdf").await,
        rescan
    );
    invitee.check_screen("client-files").await;

    invitee.click("nav-compliance").await;
    let gaps = invitee.wait_for_text("case-manager-gaps", &hmis).await;
    assert!(
        gaps.contains("CM-1") && gaps.contains("Night Shelter"),
        "{gaps}"
    );
    // The birth certificate is on file now: only the verification of homelessness is missing.
    let documents = invitee.wait_for_text("document-gaps", &hmis).await;
    assert!(
        documents.contains("homelessness verification") && !documents.contains("birth certificate"),
        "{documents}"
    );
    invitee.check_screen("compliance").await;
    invitee.goto(&client_page).await;
    invitee.wait_for_text("demographics", "Dana").await;
    // Its uploader may delete the file (ATT-1); the list says so once it is gone.
    invitee
        .wait_for_text("files", "birth-certificate-legible.pdf")
        .await;
    invitee.click("file-delete-0").await;
    invitee.wait_for_text("files-empty", "No files").await;

    // The agency names its administrator case manager for the shelter (CM-2), and the client
    // leaves the CM-1 list.
    let shelter = invitee.choices("case-manager-project").await;
    invitee.choose("case-manager-project", &shelter[0]).await;
    let people = invitee.choices("case-manager-person").await;
    assert_eq!(people.len(), 1, "the agency's own people only (ROLE-2)");
    invitee.choose("case-manager-person", &people[0]).await;
    invitee.set_value("case-manager-start", "2026-12-01").await;
    invitee.click("case-manager-submit").await;
    let managers = invitee
        .wait_for_text("case-managers", "Agency Lead, since 2026-12-01")
        .await;
    assert!(
        managers.contains("active") && invitee.text("case-manager-endDate-0").await.is_some(),
        "the assigning agency may end it (CM-2): {managers}"
    );
    invitee.click("nav-compliance").await;
    invitee.wait_for_text("case-manager-gaps-empty", "").await;
    invitee.goto(&client_page).await;
    invitee.wait_for_text("demographics", "Dana").await;

    // The Data Center has the client open while the agency changes the first name with
    // documentation (DEM-2)...
    browser.goto(&client_page).await;
    browser.wait_for_text("demographics", "Dana").await;
    invitee.click("change-first-name").await;
    invitee.fill("demographic-value", "Danielle").await;
    invitee
        .fill("demographic-document", "birth certificate")
        .await;
    invitee.click("demographic-save").await;
    invitee
        .wait_for_text("demographic-outcome", "Changed")
        .await;
    invitee.wait_for_text("demographics", "Danielle").await;

    // ...so the Data Center's own change meets a stale read (LOCK-1): the current values
    // are shown, what it typed stays, and saving again applies it to them.
    browser.click("change-last-name").await;
    browser.fill("demographic-value", "Rivers-Smith").await;
    browser.fill("demographic-document", "passport").await;
    browser.click("demographic-save").await;
    browser
        .wait_for_text("demographic-outcome", "Someone changed this client")
        .await;
    browser.wait_for_text("demographics", "Danielle").await;
    assert_eq!(browser.value("demographic-value").await, "Rivers-Smith");
    browser.check_screen("client-stale").await;
    browser.click("demographic-save").await;
    browser
        .wait_for_text("demographic-outcome", "Changed")
        .await;
    browser.wait_for_text("demographics", "Rivers-Smith").await;

    browser.click("nav-people").await;
    browser.wait_for_text("invitation-list", "ACCEPTED").await;
    browser.wait_for_text("user-list", "Agency Lead").await;
    browser
        .wait_for_text("user-list", "Agency administrator")
        .await;

    // The tables sort and filter through the API's connections: by name one way, then the
    // other; by role; an invitation filter that matches nothing says so.
    wait_for_order(&browser, "user-list", "Data Lead", "Agency Lead").await;
    browser.click("user-sort-name").await;
    wait_for_order(&browser, "user-list", "Agency Lead", "Data Lead").await;
    browser.click("user-sort-name").await;
    wait_for_order(&browser, "user-list", "Data Lead", "Agency Lead").await;
    browser.check_screen("people-sorted").await;
    browser.choose("user-filter-role", "AGENCY_ADMIN").await;
    let admins = browser.wait_for_text("user-list", "1 of 1").await;
    assert!(
        admins.contains("Agency Lead") && !admins.contains("Data Lead"),
        "only the agency administrator: {admins}"
    );
    browser.choose("user-filter-role", "").await;
    browser.wait_for_text("user-list", "2 of 2").await;
    browser.choose("invitation-filter-status", "PENDING").await;
    browser
        .wait_for_text("invitation-list-empty", "No invitation matches this filter")
        .await;
    browser.choose("invitation-filter-status", "ACCEPTED").await;
    browser.wait_for_text("invitation-list", "1 of 1").await;

    // The date-of-birth conflict is followed up as a case (DEM-4). The agency that reported
    // it finds it on the board and tries three times to reach the agency that entered the
    // value; escalating must wait for the plan's days.
    invitee.click("nav-cases").await;
    let board = invitee.wait_for_text("case-list", "Data conflict").await;
    assert!(
        board.contains(&hmis) && board.contains("OPENED") && board.contains("more unanswered"),
        "{board}"
    );
    invitee.check_screen("cases").await;
    invitee.follow(&hmis).await;
    invitee.wait_for_text("case-state", "OPENED").await;
    let refusals = invitee.wait_for_text("case-refusals", "Escalate").await;
    assert!(refusals.contains("DEM-4"), "{refusals}");
    for n in 1..=3 {
        invitee
            .fill("attempt-note", &format!("Voicemail {n}"))
            .await;
        invitee.click("attempt-log").await;
        invitee
            .wait_for_text("case-attempts", &format!("Voicemail {n}"))
            .await;
    }
    let next = invitee
        .wait_for_text("case-next", "Escalation becomes possible")
        .await;
    assert!(next.contains(" days "), "counting down: {next}");
    let refusals = invitee
        .wait_for_text("case-refusals", "becomes possible on")
        .await;
    assert!(refusals.contains("Escalate: DEM-4"), "{refusals}");
    assert!(
        invitee.text("case-escalate").await.is_none(),
        "no escalate button before the plan's days"
    );
    let timeline = invitee
        .wait_for_text("case-timeline", "Contact attempt logged")
        .await;
    assert!(
        timeline.contains("Agency Lead (Helping Hands)"),
        "{timeline}"
    );
    invitee.check_screen("case").await;

    // Fourteen days pass. Every session has ended by then (twelve hours at most), so the
    // attempt the agency was typing meets sign-in; signing in again gives back what it typed.
    let now = concord.advance_clock(data_dir.path(), 14 * 24).await;
    let typed = "Left a message with the front desk";
    invitee.fill("attempt-note", typed).await;
    invitee.click("attempt-log").await;
    invitee.wait_for_text("login-title", "Log in").await;
    log_in(&invitee, AGENCY_ADMIN, PASSWORD).await;
    invitee.fill("login-code", &invitee_code).await;
    invitee.click("login-submit").await;
    invitee.wait_for_text("case-attempts", "Voicemail 3").await;
    assert_eq!(invitee.value("attempt-note").await, typed);
    assert!(
        !invitee.text("case-attempts").await.unwrap().contains(typed),
        "the attempt was not logged: the session had ended"
    );

    // The deadline sweep (every second here) makes the case escalable by itself; until the
    // page is read again it shows the case as it was, and a step on it would meet LOCK-1.
    invitee.fill("attempt-note", "").await;
    let became = poll(Duration::from_secs(30), async || {
        invitee.reload().await;
        invitee
            .wait_for_text("case-timeline", "Contact attempt logged")
            .await;
        invitee
            .text("case-timeline")
            .await
            .filter(|t| t.contains("Became escalable"))
    })
    .await
    .expect("the sweep made the case escalable");
    assert!(became.contains("Concord, by itself"), "{became}");

    // Now the reporting agency may escalate: the conflicting data goes into a client note and
    // the entering agency (here the Data Center) is told.
    invitee.click("case-escalate").await;
    invitee.wait_for_text("case-state", "ESCALATED").await;
    invitee
        .wait_for_text("case-next", "entering agency reviews")
        .await;
    invitee.wait_for_text("case-timeline", "Escalated").await;
    invitee.check_screen("case-escalated").await;

    browser.goto(&client_page).await;
    browser.wait_for_text("login-title", "Log in").await;
    log_in(&browser, EMAIL, PASSWORD).await;
    browser.fill("login-code", &second_backup_code).await;
    browser.click("login-submit").await;
    let notes = browser.wait_for_text("notes", "DEM-4").await;
    assert!(
        notes.contains("1980-07-08") && notes.contains("1981-07-08"),
        "the note holds both values: {notes}"
    );
    browser.wait_for_text("conflicts", "ESCALATED").await;
    browser.click("frame-unread").await;
    let inbox = browser.wait_for_text("notification-list", &hmis).await;
    assert!(
        !inbox.contains("Danielle") && !inbox.contains("Rivers"),
        "COM-1: the client by HMIS number only: {inbox}"
    );
    browser.check_screen("notifications-escalated").await;

    // The Data Center's logs: who was shown the client (AUD-2), and what was done about it
    // and refused (AUD-1), narrowed by client and by outcome.
    browser.goto(&client_page).await;
    // Another agency's note is the Data Center's to read, not to change (NOTE-1).
    let notes = browser.wait_for_text("notes", "library on Mondays").await;
    assert!(notes.contains("NOTE-1"), "{notes}");
    assert!(
        browser.text("note-edit-0").await.is_none() && browser.text("note-edit-1").await.is_none(),
        "no edit offered on another's note: {notes}"
    );
    browser.click("views-show").await;
    let views = browser
        .wait_for_text("views", "Agency Lead (Helping Hands)")
        .await;
    assert!(views.contains("PROFILE"), "{views}");
    browser.check_screen("client-views").await;
    // The printable summary names the client, as the Data Center may see the name.
    browser.click("client-summary").await;
    browser
        .wait_for_text("summary-name", "Danielle Rivers-Smith")
        .await;
    browser
        .wait_for_text("summary-enrollments", "Night Shelter")
        .await;
    browser.check_screen("client-summary").await;

    // The summary names a client only where the plan lets the viewer see the name (DEM-1,
    // COM-1). Once demographics are no longer shared, the agency's summary of a client it
    // entered still names them; the Data Center's client is no longer the agency's to open,
    // and no part of the name shows.
    invitee.click("nav-clients").await;
    invitee.fill("client-first-name", "Sam").await;
    invitee.fill("client-last-name", "Hill").await;
    invitee.set_value("client-dob", "1990-03-04").await;
    invitee.click("client-submit").await;
    invitee.wait_for_text("demographics", "Hill").await;
    let agency_client = format!("{base}{}", invitee.path().await);
    browser.click("nav-plan").await;
    browser.click("shared-client_demographics").await;
    let flips = browser
        .wait_for_text("plan-flips", "another agency's client demographics")
        .await;
    assert!(
        flips.contains("DEM-1")
            && flips.contains(
                "would no longer change, with documentation, another agency's client demographics"
            ),
        "reading and changing flip together: {flips}"
    );
    browser.click("plan-publish").await;
    browser
        .wait_for_text("plan-version", "Version 3 is in force")
        .await;
    invitee.goto(&format!("{agency_client}/summary")).await;
    invitee.wait_for_text("summary-name", "Sam Hill").await;
    invitee.goto(&format!("{client_page}/summary")).await;
    invitee.wait_for_text("summary-error", "NOT_FOUND").await;
    invitee.check_screen("client-summary-withheld").await;
    let page = invitee.text("main").await.unwrap_or_default();
    assert!(
        !page.contains("Danielle") && !page.contains("Rivers"),
        "no part of the name where the client is not shared: {page}"
    );
    invitee.close().await;

    browser.click("nav-audit").await;
    browser.fill("audit-client", &hmis).await;
    browser.click("audit-apply").await;
    let log = browser
        .wait_for_text("audit-list", "client.change_demographic")
        .await;
    assert!(
        log.contains("Agency Lead (Helping Hands)") && !log.contains("agency.create"),
        "{log}"
    );
    browser.fill("audit-client", "").await;
    browser.choose("audit-outcome", "REFUSED").await;
    browser.click("audit-apply").await;
    // The Data Center's own save on a stale read was refused (LOCK-1), and logged so.
    let refused = browser.wait_for_text("audit-list", "LOCK-1").await;
    assert!(
        refused.contains("client.change") && !refused.contains("ALLOWED"),
        "{refused}"
    );
    browser.check_screen("audit").await;

    // Integrations: a service account for another system, its secret shown once; a webhook
    // endpoint on a loopback address refused, then one on the internet registered. The
    // screen's code is fetched when it is first shown, not with the console.
    assert!(
        !browser.fetched("integrations_view").await,
        "the integrations screen's module came before it was asked for"
    );
    browser.click("nav-integrations").await;
    browser
        .wait_for_text("accounts-empty", "No service accounts yet")
        .await;
    browser.fill("account-name", "Shelter sync").await;
    browser.choose("account-role", "USER").await;
    let agency = only_agency(&browser, "account-agency").await;
    browser.choose("account-agency", &agency).await;
    browser.click("account-scopes-clients-read").await;
    let year: i32 = now[..4].parse().unwrap();
    browser
        .set_value("account-expires", &format!("{}-01-01", year + 1))
        .await;
    browser.click("account-submit").await;
    let accounts = browser.wait_for_text("account-list", "Shelter sync").await;
    let secret = browser.value("account-secret").await;
    assert!(secret.len() >= 32, "a secret shown once: {secret:?}");
    assert!(
        accounts.contains("clients read") && !accounts.contains(&secret),
        "{accounts}"
    );
    browser
        .fill("webhook-url", "https://127.0.0.1/concord")
        .await;
    browser.click("webhook-events-case-escalated").await;
    browser.click("webhook-submit").await;
    browser.wait_for_text("webhook-error", "VALIDATION").await;
    browser
        .fill("webhook-url", "https://hooks.example.org/concord")
        .await;
    browser.click("webhook-submit").await;
    let hooks = browser
        .wait_for_text("webhook-list", "hooks.example.org")
        .await;
    assert!(hooks.contains("case escalated"), "{hooks}");
    assert!(!browser.value("webhook-secret").await.is_empty());
    assert!(browser.fetched("integrations_view").await);
    browser.check_screen("integrations").await;

    // At a tablet's width (768 px) the screens fit without a sideways scroll.
    browser.resize(768, 1024).await;
    for (screen, path, ready) in [
        ("tablet-client", client_page.clone(), "demographics"),
        ("tablet-people", format!("{base}/people"), "user-list"),
        ("tablet-plan", format!("{base}/plan"), "plan-versions"),
        ("tablet-cases", format!("{base}/cases"), "case-list"),
    ] {
        browser.goto(&path).await;
        if screen == "tablet-cases" {
            // The escalated case, not in the board's default (open) group.
            browser.choose("cases-group", "escalated").await;
        }
        browser.wait_for_text(ready, "").await;
        let (overflow, sticking_out) = browser.overflow().await;
        assert_eq!(
            overflow, 0,
            "{screen}: wider than a tablet's 768 px by {overflow} px: {sticking_out}"
        );
        browser.check_screen(screen).await;
    }
    browser.resize(1280, 900).await;

    // Signing in again asks for a second factor, once the password was right; signed out,
    // a screen's address asks for sign-in and shows that screen after.
    browser.click("nav-logout").await;
    browser.wait_for_text("login-title", "Log in").await;
    browser.check_screen("login").await;
    browser.goto(&format!("{base}/agencies")).await;
    log_in(&browser, EMAIL, PASSWORD).await;
    browser.fill("login-code", &backup_code).await;
    browser.click("login-submit").await;
    browser.wait_for_text("project-list", "Night Shelter").await;
    assert_eq!(browser.path().await, "/agencies");
    browser.click("nav-home").await;
    see_home(&browser).await;
    browser.wait_for_text("checklist-left", "All done").await;

    browser.click("nav-logout").await;
    log_in(&browser, EMAIL, "not the right password at all").await;
    let error = browser
        .wait_for_text("login-error", "UNAUTHENTICATED")
        .await;
    assert!(
        browser.text("home-greeting").await.is_none(),
        "signed in with a wrong password ({error})"
    );

    browser.close().await;
}
