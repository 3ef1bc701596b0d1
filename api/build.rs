//! The console bundle is compiled into `concord` (`http::console`): build again when
//! `cargo xtask bundle` writes it anew, including when it appears for the first time.
fn main() {
    println!("cargo:rerun-if-changed=../frontend/dist");
}
