//! The console served at `/`: the one built into the binary (`frontend/dist`, as `cargo xtask
//! bundle` wrote it when the binary was compiled), or the one in `CONCORD_CONSOLE_DIR`; a page
//! explains how to build it when there is none.
use std::path::Path;

use actix_files::NamedFile;
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpResponse, web};

/// The console bundle, compiled in (also in debug builds, so that what is tested is what
/// ships); empty when it was not built before the binary.
#[derive(rust_embed::Embed)]
#[folder = "../frontend/dist/"]
#[allow_missing = true]
struct Bundle;

/// Whether this binary carries a built console.
pub fn embedded() -> bool {
    Bundle::get("index.html").is_some()
}

/// A file of the built-in console; `/` and every screen's address are its `index.html`.
pub async fn embedded_file(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    let name = if path.is_empty() { "index.html" } else { &path };
    let file = Bundle::get(name).or_else(|| {
        if is_screen(name) {
            Bundle::get("index.html")
        } else {
            None
        }
    });
    match file {
        Some(file) => HttpResponse::Ok()
            .content_type(file.metadata.mimetype())
            .body(file.data.into_owned()),
        None => HttpResponse::NotFound().finish(),
    }
}

pub fn files(dir: &Path) -> Option<actix_files::Files> {
    let index = dir.join("index.html");
    if !index.is_file() {
        return None;
    }
    let screens = fn_service(move |request: ServiceRequest| {
        let index = index.clone();
        async move {
            let (request, _) = request.into_parts();
            let response = if is_screen(request.path()) {
                NamedFile::open_async(&index).await?.into_response(&request)
            } else {
                HttpResponse::NotFound().finish()
            };
            Ok(ServiceResponse::new(request, response))
        }
    });
    Some(
        actix_files::Files::new("/", dir)
            .index_file("index.html")
            .default_handler(screens),
    )
}

/// A screen's address (`/agencies`, `/clients/…`), which the console's router shows after a
/// reload, rather than a file of the bundle (whose names have an extension).
fn is_screen(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or_default().contains('.')
}

pub async fn not_built() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            "<!doctype html><title>Concord</title><h1>Concord</h1>\
         <p>The API is running at <a href=\"/graphiql\">/graphql</a>. \
         The console has not been built: run <code>cargo xtask bundle</code>.</p>",
        )
}
