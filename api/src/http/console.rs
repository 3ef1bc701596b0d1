//! The console served at `/`: the one built into the binary (`frontend/dist`, as `cargo xtask
//! bundle` wrote it when the binary was compiled), or the one in `CONCORD_CONSOLE_DIR`; a page
//! explains how to build it when there is none.
use std::path::Path;

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

/// A file of the built-in console; `/` is its `index.html`.
pub async fn embedded_file(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    let name = if path.is_empty() { "index.html" } else { &path };
    match Bundle::get(name) {
        Some(file) => HttpResponse::Ok()
            .content_type(file.metadata.mimetype())
            .body(file.data.into_owned()),
        None => HttpResponse::NotFound().finish(),
    }
}

pub fn files(dir: &Path) -> Option<actix_files::Files> {
    dir.join("index.html")
        .is_file()
        .then(|| actix_files::Files::new("/", dir).index_file("index.html"))
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
