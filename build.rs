//! The built-in theme and the new site's files are embedded (include_dir): a file added to
//! or removed from their folders must rebuild the crate, which include_dir's
//! `include_bytes!` of the files already there does not ask for.

fn main() {
    println!("cargo::rerun-if-changed=themes/default");
    println!("cargo::rerun-if-changed=src/content/starter");
}
