use actix_web::{HttpResponse, web};
use sea_orm::ConnectionTrait;
use serde_json::json;

use domain::state::AppState;
use domain::store::connect::pending_migrations;

/// Alive: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready: the database answers with every migration applied. Redis is reported, not
/// required: without it this process still serves (revocations are read from the database)
/// and refuses only what needs a shared counter (sign-in, sign-up) with 503 — taking every
/// API process out of its load balancer for it would refuse everything.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db.execute_unprepared("SELECT 1").await.is_ok();
    let migrations = matches!(pending_migrations(&state.db).await, Ok(0));
    let redis = state.shared.ping().await;
    let body = json!({ "database": database, "migrations": migrations, "redis": redis });
    if database && migrations {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
