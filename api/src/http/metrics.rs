//! Prometheus metrics: requests by route pattern and status, and their latency.
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use domain::state::AppState;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new(
        db_queries: &prometheus::IntCounter,
        password_work: &prometheus::IntCounter,
    ) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("concord".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests"),
            &["route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency"),
            &["route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(db_queries.clone()))?;
        registry.register(Box::new(password_work.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
        })
    }
}

pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    // The route pattern, not the path: a path can carry anything and would explode labels.
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let started = Instant::now();
    let response = next.call(request).await?;
    if let Some(metrics) = metrics {
        metrics
            .requests
            .with_label_values(&[route.as_str(), response.status().as_str()])
            .inc();
        metrics
            .latency
            .with_label_values(&[route.as_str()])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(response)
}

/// With `CONCORD_METRICS_TOKEN` set, only a request bearing it reads the metrics (compared
/// as digests, so the comparison's time says nothing about the token).
pub async fn metrics(
    request: HttpRequest,
    metrics: web::Data<Metrics>,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(token) = &state.settings.metrics_token {
        let presented = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if Sha256::digest(presented.as_bytes()) != Sha256::digest(token.expose_secret().as_bytes())
        {
            return HttpResponse::Unauthorized()
                .insert_header(("WWW-Authenticate", "Bearer"))
                .finish();
        }
    }
    let mut buffer = Vec::new();
    if TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut buffer)
        .is_err()
    {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(buffer)
}
