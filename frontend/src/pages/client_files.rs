//! The profile's files (`ATT-*`): each with who uploaded it, from which agency and when
//! (`PROV-1`); a download for every file the viewer is shown; delete and replace where the
//! `access` block allows it (`ATT-1`: the uploader alone; a replacement keeps the category and
//! carries the version read, `LOCK-1`); and an upload that shows its progress. What the
//! plan refuses (an SSN card, `ATT-2`; a disability verification without the no-diagnosis
//! confirmation, `ATT-3`) comes back with its rule.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::api::{Api, GraphqlError, first_error};
use crate::components::{
    Choice, ErrorAlert, Paged, ShowMore, Submission, enum_name, error_view, pairs,
};
use crate::queries::{ClientFiles, DeleteAttachment, client_files, delete_attachment};

type FileRow = client_files::ClientFilesClientAttachmentsNodes;

/// The categories offered for upload. Social Security cards are not among them: Concord never
/// stores one (`ATT-2`); an agency records that it holds one on paper instead.
const CATEGORIES: [(&str, &str); 8] = [
    ("BIRTH_CERTIFICATE", "Birth certificate"),
    ("HOMELESSNESS_VERIFICATION", "Verification of homelessness"),
    ("DISABILITY_VERIFICATION", "Verification of disability"),
    ("SERVICE_AGREEMENT", "Service agreement"),
    ("IDENTITY_DOCUMENT", "Identity document"),
    (
        "SSN_ON_FILE_DISCLOSURE",
        "SSN on file at this agency (disclosure)",
    ),
    ("MEDICAL", "Medical"),
    ("OTHER", "Other"),
];

/// A category as the upload form names it.
fn category_text(category: &client_files::AttachmentCategory) -> String {
    let name = enum_name(category);
    CATEGORIES
        .iter()
        .find(|(value, _)| *value == name)
        .map_or_else(
            || name.replace('_', " ").to_lowercase(),
            |(_, text)| (*text).to_owned(),
        )
}

/// "12.3 KB" for a size in bytes.
fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// Why `/files` did not do what was asked: the error its answer carries (with the rule that
/// refused), else its status.
fn refusal(status: u16, body: Option<&str>) -> GraphqlError {
    body.and_then(first_error)
        .unwrap_or_else(|| GraphqlError::network(format!("The server answered HTTP {status}.")))
}

/// The file the input holds, if one was chosen.
fn chosen_file(input: &NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    let element: HtmlInputElement = input.get_untracked()?.unchecked_into();
    element.files()?.get(0)
}

#[component]
pub fn ClientFilesSection(client_id: String) -> impl IntoView {
    let api = expect_context::<Api>();
    let list = Paged::<FileRow>::new();
    let action_error = RwSignal::new(None::<GraphqlError>);
    // The file the upload form replaces, when one was chosen for it.
    let replacing = RwSignal::new(None::<FileRow>);
    let listed_for = client_id.clone();
    let load = Callback::new(move |after: Option<String>| {
        let variables = client_files::Variables {
            client_id: listed_for.clone(),
            after,
        };
        list.fetch::<ClientFiles>(api, variables, |data| {
            crate::counted_page!(data.client_attachments)
        });
    });
    let reread = Callback::new(move |()| {
        list.clear();
        load.run(None);
    });
    load.run(None);

    let download = move |file: FileRow| {
        action_error.set(None);
        spawn_local(async move {
            let saved = match api.download(&file.download_url).await {
                Ok((200, bytes)) => {
                    crate::transfer::save(&bytes, &file.file_name, &file.content_type)
                }
                Ok((status, bytes)) => Err(refusal(status, std::str::from_utf8(&bytes).ok())),
                Err(e) => Err(e),
            };
            if let Err(e) = saved {
                action_error.set(Some(e));
            }
        });
    };
    let delete = move |file: FileRow| {
        action_error.set(None);
        let input = delete_attachment::DeleteAttachmentInput {
            id: file.id.clone(),
            expected_version: file.version,
        };
        spawn_local(async move {
            match api
                .run::<DeleteAttachment>(delete_attachment::Variables { input })
                .await
            {
                Ok(_) => reread.run(()),
                Err(e) => action_error.set(Some(e)),
            }
        });
    };

    view! {
        <h3 id="files-title">"Files"</h3>
        {move || match list.total.get() {
            None => list.error.get().map_or_else(
                || crate::components::loading("files-loading").into_any(),
                |e| error_view("files-error", e).into_any(),
            ),
            Some(0) => view! {
                <p id="files-empty" class="empty">"No files you may see. Upload one below."</p>
            }.into_any(),
            Some(total) => view! {
                <table id="files" aria-labelledby="files-title">
                    <caption>{format!("{} of {total}", list.rows.with(Vec::len))}</caption>
                    <thead><tr>
                        <th scope="col">"File"</th><th scope="col">"Category"</th>
                        <th scope="col">"Size"</th><th scope="col">"Uploaded by"</th>
                        <th scope="col">"Actions"</th>
                    </tr></thead>
                    <tbody>
                        {list.rows.get().into_iter().enumerate().map(|(n, file)| {
                            let allowed = |action: &str| file.access.iter().any(|p| p.action == action && p.allowed);
                            let deletable = file.access.iter().find(|p| p.action == "delete").cloned();
                            let replaceable = allowed("replace").then(|| file.clone());
                            let (for_download, for_delete) = (file.clone(), file.clone());
                            view! {
                                <tr class="file">
                                    <td class="file-name">{file.file_name.clone()}
                                        {file.medical.then(|| view! { " " <small class="hint">"(medical: your agency only, ATT-3)"</small> })}
                                    </td>
                                    <td>{category_text(&file.category)}</td>
                                    <td>{size_text(file.size)}</td>
                                    <td>{crate::stamp_of!(&file.provenance.entered)}</td>
                                    <td>
                                        <button type="button" class="secondary" id=format!("file-download-{n}")
                                            aria-label=format!("Download {}", file.file_name)
                                            on:click=move |_| download(for_download.clone())>"Download"</button>
                                        {match deletable {
                                            Some(p) if p.allowed => view! {
                                                " " <button type="button" class="secondary" id=format!("file-delete-{n}")
                                                    aria-label=format!("Delete {}", file.file_name)
                                                    on:click=move |_| delete(for_delete.clone())>"Delete"</button>
                                            }.into_any(),
                                            Some(p) => view! {
                                                " " <small class="hint file-locked">{format!("{} ({})", p.reason, p.rule)}</small>
                                            }.into_any(),
                                            None => ().into_any(),
                                        }}
                                        {replaceable.map(|file| {
                                            let label = format!("Replace {}", file.file_name);
                                            view! {
                                                " " <button type="button" class="secondary" id=format!("file-replace-{n}")
                                                    aria-label=label
                                                    on:click=move |_| replacing.set(Some(file.clone()))>"Replace"</button>
                                            }
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        <ShowMore id="files-more" label="Show more files" list load />
        <ErrorAlert id="file-action-error" error=action_error />
        <UploadFile client_id replacing reread />
    }
}

#[component]
fn UploadFile(
    client_id: String,
    replacing: RwSignal<Option<FileRow>>,
    reread: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let category = RwSignal::new(String::new());
    let medical = RwSignal::new(false);
    let no_diagnosis = RwSignal::new(false);
    let progress = RwSignal::new(None::<u32>);
    let uploaded = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    let form = Submission::new();
    let on_submit = move |ev: SubmitEvent| {
        if !form.start(&ev) {
            return;
        }
        uploaded.set(None);
        let Some(file) = chosen_file(&input) else {
            form.finish::<()>(Err(GraphqlError::input("Choose a file to upload.")));
            return;
        };
        // A replacement keeps the replaced file's category, and names it with the version
        // read (ATT-1, LOCK-1).
        let replaced = replacing.get_untracked();
        let (category, replaces) = match &replaced {
            Some(file) => (
                enum_name(&file.category),
                format!("&replaces={}&expectedVersion={}", file.id, file.version),
            ),
            None => (category.get_untracked(), String::new()),
        };
        let query = format!(
            "clientId={}&category={}&fileName={}&medical={}&noDiagnosisConfirmed={}{replaces}",
            client_id,
            category,
            String::from(js_sys::encode_uri_component(&file.name())),
            medical.get_untracked(),
            no_diagnosis.get_untracked(),
        );
        spawn_local(async move {
            let sent = match api.upload(&query, &file, progress).await {
                Ok((201, _)) => Ok(file.name()),
                Ok((status, body)) => Err(refusal(status, Some(&body))),
                Err(e) => Err(e),
            };
            progress.set(None);
            if let Some(name) = form.finish(sent) {
                replacing.set(None);
                uploaded.set(Some(name));
                if let Some(element) = input.get_untracked() {
                    element.set_value("");
                }
                reread.run(());
            }
        });
    };
    view! {
        <form id="file-form" class="inline" on:submit=on_submit>
            {move || match replacing.get() {
                Some(file) => view! {
                    <p id="file-replacing" class="notice" role="status">
                        {format!("Replacing {} ({}): choose the new file.", file.file_name, category_text(&file.category))}
                        " " <button id="file-replace-cancel" type="button" class="secondary"
                            on:click=move |_| replacing.set(None)>"Cancel"</button>
                    </p>
                }.into_any(),
                None => view! {
                    <Choice id="file-category" label="Category" value=category options=pairs(&CATEGORIES) />
                }.into_any(),
            }}
            <div class="field">
                <label for="file-input">"File (PDF, image or text)"</label>
                <input id="file-input" name="file-input" type="file" required node_ref=input
                    accept="application/pdf,image/png,image/jpeg,image/gif,image/webp,image/tiff,image/heic,image/heif,text/plain"
                    aria-describedby="file-input-hint" />
                <small id="file-input-hint" class="hint">
                    "Social Security cards are never stored (ATT-2): record “SSN on file at this agency” instead."
                </small>
            </div>
            <div class="check">
                <input type="checkbox" id="file-medical" bind:checked=medical />
                <label for="file-medical">"Holds medical information: only my agency sees it (ATT-3)"</label>
            </div>
            {move || (category.get() == "DISABILITY_VERIFICATION").then(|| view! {
                <div class="check">
                    <input type="checkbox" id="file-no-diagnosis" bind:checked=no_diagnosis />
                    <label for="file-no-diagnosis">"I confirm it names no specific diagnosis (ATT-3)"</label>
                </div>
            })}
            <button id="file-submit" type="submit" disabled=move || form.pending.get()>
                {move || if replacing.with(Option::is_some) { "Upload the replacement" } else { "Upload" }}
            </button>
            {move || progress.get().map(|percent| view! {
                <div id="file-progress" role="status">
                    <label for="file-progress-bar">{format!("Uploading: {percent}%")}</label>
                    <progress id="file-progress-bar" max="100" value=percent.to_string()></progress>
                </div>
            })}
            {move || uploaded.get().map(|name| view! {
                <p id="file-uploaded" class="notice" role="status">{format!("Uploaded {name}.")}</p>
            })}
            <ErrorAlert id="file-error" error=form.error />
        </form>
    }
}
