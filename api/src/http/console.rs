//! The built console (`cargo xtask bundle`) served at `/`; a page explains how to build it
//! when it is missing.
use std::path::Path;

use actix_web::HttpResponse;

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
