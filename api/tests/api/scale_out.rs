//! Scale-out on one machine: two `concord serve` processes and two `concord worker`
//! processes on one PostgreSQL database and one Redis. A session opened on one API process
//! works on the other and its logout holds on both; the per-address sign-in limit counts the
//! attempts made on both; and with two workers every invitation is e-mailed once.
use std::time::Duration;

use serde_json::json;

use crate::helpers::{Coc, PASSWORD, error_code, spawn_app};
use crate::processes::{ConcordProcess, smtp_settings};
use crate::smtp::SmtpServer;

const SIGN_UP: &str =
    "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { auth { accessToken } } }";
const ME: &str = "{ me { email } }";
const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }";
const INVITE: &str =
    "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }";

#[tokio::test]
async fn two_api_processes_and_two_workers_share_sessions_limits_and_jobs() {
    let smtp = SmtpServer::start().await;
    // The database, data directory and Redis prefix the processes share.
    let app = spawn_app().await;
    let limit = [("CONCORD_LOGIN_LIMIT_PER_ADDRESS", "4".to_owned())];
    let a = ConcordProcess::api(&app, &limit).await;
    let b = ConcordProcess::api(&app, &limit).await;
    let _workers = [
        ConcordProcess::worker(&app, &smtp_settings(&smtp)),
        ConcordProcess::worker(&app, &smtp_settings(&smtp)),
    ];

    // A session opened on A is good on B.
    let signed_up = a
        .gql(
            SIGN_UP,
            json!({ "i": { "cocName": "Durham CoC", "cocCode": "NC-502", "slug": "durham",
                "adminEmail": "lead@durham.example", "adminName": "Data Lead", "password": PASSWORD } }),
            None,
        )
        .await;
    let lead = signed_up["data"]["signUpTenant"]["auth"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_up}"))
        .to_owned();
    let me = b.gql(ME, json!({}), Some(&lead)).await;
    assert_eq!(me["data"]["me"]["email"], "lead@durham.example", "{me}");

    // Every invitation e-mailed once, by one of the two workers.
    let agency = a
        .gql(
            "mutation { createAgency(input: { name: \"Urban Ministries\" }) { agency { id } } }",
            json!({}),
            Some(&lead),
        )
        .await;
    let agency = agency["data"]["createAgency"]["agency"]["id"].clone();
    for n in 0..6 {
        let api = if n % 2 == 0 { &a } else { &b };
        let invited = api
            .gql(
                INVITE,
                json!({ "i": { "email": format!("staff{n}@um.example"), "role": "USER", "agencyId": agency } }),
                Some(&lead),
            )
            .await;
        assert!(
            invited["data"]["inviteUser"]["invitation"]["token"].is_string(),
            "{invited}"
        );
    }
    smtp.wait_for(6).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = smtp.received();
    assert_eq!(mails.len(), 6, "no invitation twice");
    for n in 0..6 {
        let to = format!("X-RcptTo: staff{n}@um.example");
        assert_eq!(mails.iter().filter(|m| m.contains(&to)).count(), 1, "{to}");
    }

    // Logged out on A, the session is refused on B.
    let out = a.gql("mutation { logout }", json!({}), Some(&lead)).await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let refused = b.gql(ME, json!({}), Some(&lead)).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");

    // Four sign-in attempts from this address, two on each process; the fifth is over the
    // limit on either.
    for (n, api) in [&a, &b, &a, &b].into_iter().enumerate() {
        let failed = wrong_password(api, n).await;
        assert_eq!(
            error_code(&failed),
            "UNAUTHENTICATED",
            "{}: {failed}",
            api.address
        );
    }
    let limited = wrong_password(&b, 5).await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
}

/// A sign-in with a wrong password for a made-up address of the tenant.
async fn wrong_password(api: &ConcordProcess, n: usize) -> serde_json::Value {
    api.gql(
        LOGIN,
        json!({ "i": { "tenantSlug": "durham", "email": format!("nobody{n}@durham.example"),
            "password": "wrong password" } }),
        None,
    )
    .await
}

/// Issue 13: each API process holds the plan versions it has decided under, and which version
/// is in force is still read at every request, so a plan published through another process
/// is in force at the very next request here (DEM-1 under the new, private plan).
#[tokio::test]
async fn a_plan_published_through_another_api_process_is_in_force_at_the_next_request() {
    const VIEW: &str =
        "query($id: UUID!) { client(id: $id) { id access { action allowed rule planVersion } } }";
    let coc = Coc::new().await;
    let (user_a, _) = coc.member("a@um.example", "USER", &coc.agency_a).await;
    let (user_b, _) = coc.member("b@hnh.example", "USER", &coc.agency_b).await;
    let client = coc
        .client(&user_a, json!({ "firstName": "Ada", "lastName": "Test" }))
        .await;
    let other = ConcordProcess::api(&coc.app, &[]).await;

    let shared = other
        .gql(VIEW, json!({ "id": client }), Some(&user_b))
        .await;
    assert_eq!(
        shared["data"]["client"]["access"],
        json!([{ "action": "view", "allowed": true, "rule": "DEM-1", "planVersion": 1 }]),
        "the other process decided under version 1: {shared}"
    );

    let published = coc
        .app
        .gql(
            "mutation { publishSharingPlanTemplate(input: { template: PRIVATE }) { version { version } } }",
            json!({}),
            Some(&coc.data_center),
        )
        .await;
    assert_eq!(
        published["data"]["publishSharingPlanTemplate"]["version"]["version"], 2,
        "{published}"
    );

    let refused = other
        .gql(VIEW, json!({ "id": client }), Some(&user_b))
        .await;
    // Kept inside agency A (DEM-1): answered as a missing client is.
    assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
    assert!(refused["data"]["client"].is_null(), "{refused}");
    let own = other
        .gql(VIEW, json!({ "id": client }), Some(&user_a))
        .await;
    assert_eq!(
        own["data"]["client"]["access"][0]["planVersion"], 2,
        "{own}"
    );
}
