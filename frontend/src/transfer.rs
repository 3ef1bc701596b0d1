//! Files to and from `/files`, outside GraphQL: an upload through `XMLHttpRequest`, because
//! `fetch` reports no upload progress, and a download handed to the browser as a saved file.
//! Both carry the access token in a header, as every request does (no cookie carries it).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File, HtmlAnchorElement, ProgressEvent, Url, XmlHttpRequest};

use crate::api::GraphqlError;

fn failed(what: &str) -> impl Fn(wasm_bindgen::JsValue) -> GraphqlError + '_ {
    move |_| GraphqlError::network(format!("Could not {what}."))
}

/// POSTs `file` to `url` with the token, the file's type as its `Content-Type`; `progress`
/// follows the bytes sent, in percent. Answers the status and the response body.
pub async fn upload(
    url: &str,
    file: &File,
    access_token: Option<&str>,
    progress: RwSignal<Option<u32>>,
) -> Result<(u16, String), GraphqlError> {
    let request = XmlHttpRequest::new().map_err(failed("start the upload"))?;
    request
        .open("POST", url)
        .map_err(failed("start the upload"))?;
    if let Some(token) = access_token {
        request
            .set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(failed("start the upload"))?;
    }
    let content_type = file.type_();
    if !content_type.is_empty() {
        request
            .set_request_header("Content-Type", &content_type)
            .map_err(failed("start the upload"))?;
    }
    // Kept until the upload ends: dropping a closure the browser still calls would fail.
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            let percent = (event.loaded() / event.total() * 100.0)
                .round()
                .clamp(0.0, 100.0);
            progress.set(Some(percent as u32));
        }
    });
    request
        .upload()
        .map_err(failed("start the upload"))?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let ended = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onload(Some(&resolve));
        request.set_onerror(Some(&reject));
        request.set_onabort(Some(&reject));
    });
    progress.set(Some(0));
    request
        .send_with_opt_blob(Some(file))
        .map_err(failed("send the file"))?;
    let outcome = JsFuture::from(ended).await;
    drop(on_progress);
    outcome.map_err(|_| {
        GraphqlError::network("The upload broke off: the server could not be reached.")
    })?;
    let body = request.response_text().ok().flatten().unwrap_or_default();
    Ok((request.status().unwrap_or(0), body))
}

/// GETs `url` with the token: the status and the body's bytes.
pub async fn download(
    url: &str,
    access_token: Option<&str>,
) -> Result<(u16, Vec<u8>), GraphqlError> {
    let mut request = gloo_net::http::Request::get(url);
    if let Some(token) = access_token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request
        .send()
        .await
        .map_err(|e| GraphqlError::network(format!("Could not reach the server: {e}")))?;
    let bytes = response
        .binary()
        .await
        .map_err(|e| GraphqlError::network(format!("Could not read the file: {e}")))?;
    Ok((response.status(), bytes))
}

/// Hands `bytes` to the browser as a file saved under `name`.
pub fn save(bytes: &[u8], name: &str, content_type: &str) -> Result<(), GraphqlError> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(failed("save the file"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(failed("save the file"))?;
    let link: HtmlAnchorElement = document()
        .create_element("a")
        .map_err(failed("save the file"))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Revoked once the browser has surely read the blob: revoking at once can cancel the save.
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}
