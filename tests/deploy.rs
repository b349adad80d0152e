//! The GitHub Pages workflow of examples/deploy/ (and in the README): it parses, has the
//! steps a Pages deploy needs, and its build command works with this dossier.

mod common;

use common::{BIN, assert_links_resolve, manifest_dir};
use serde_yaml::Value;
use std::process::Command;

fn workflow_text() -> String {
    std::fs::read_to_string(manifest_dir().join("examples/deploy/github-pages.yml")).unwrap()
}

fn workflow() -> Value {
    serde_yaml::from_str(&workflow_text()).expect("the workflow is YAML")
}

/// The steps of `job`.
fn steps<'a>(w: &'a Value, job: &str) -> &'a Vec<Value> {
    w["jobs"][job]["steps"]
        .as_sequence()
        .unwrap_or_else(|| panic!("job {job} has steps"))
}

/// The step of `job` that uses the action `action` (`actions/checkout`, any version).
fn uses<'a>(w: &'a Value, job: &str, action: &str) -> &'a Value {
    steps(w, job)
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.split('@').next() == Some(action))
        })
        .unwrap_or_else(|| panic!("job {job} uses no {action}"))
}

/// The step of `job` whose `run` contains `needle`.
fn runs<'a>(w: &'a Value, job: &str, needle: &str) -> &'a Value {
    steps(w, job)
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains(needle)))
        .unwrap_or_else(|| panic!("job {job} runs no {needle:?}"))
}

#[test]
fn the_workflow_has_what_a_pages_deploy_needs() {
    let w = workflow();
    assert!(
        w["on"]["push"]["branches"]
            .as_sequence()
            .is_some_and(|b| b.iter().any(|b| b == "main")),
        "runs on a push to main"
    );
    assert_eq!(w["permissions"]["pages"], "write");
    assert_eq!(w["permissions"]["id-token"], "write");

    // build: checkout, the Pages address, a release build of dossier, the site, upload.
    let order: Vec<usize> = [
        uses(&w, "build", "actions/checkout"),
        uses(&w, "build", "actions/configure-pages"),
        runs(&w, "build", "cargo install --locked"),
        runs(&w, "build", "dossier build"),
        uses(&w, "build", "actions/upload-pages-artifact"),
    ]
    .iter()
    .map(|step| {
        steps(&w, "build")
            .iter()
            .position(|s| std::ptr::eq(s, *step))
            .unwrap()
    })
    .collect();
    assert!(order.is_sorted(), "steps out of order: {order:?}");
    assert_eq!(uses(&w, "build", "actions/configure-pages")["id"], "pages");
    let build = runs(&w, "build", "dossier build")["run"].as_str().unwrap();
    assert!(
        build.contains("--base-url \"${{ steps.pages.outputs.base_url }}\""),
        "{build}"
    );
    assert_eq!(
        uses(&w, "build", "actions/upload-pages-artifact")["with"]["path"],
        "public"
    );
    // The cached binary is dossier's, keyed by the commit it was built from.
    let cache = uses(&w, "build", "actions/cache");
    assert_eq!(cache["with"]["path"], "~/.cargo/bin/dossier");
    assert!(
        cache["with"]["key"]
            .as_str()
            .unwrap()
            .contains("steps.dossier.outputs.rev")
    );

    // deploy: after build, in the github-pages environment.
    assert_eq!(w["jobs"]["deploy"]["needs"], "build");
    assert_eq!(w["jobs"]["deploy"]["environment"]["name"], "github-pages");
    let deploy = uses(&w, "deploy", "actions/deploy-pages");
    assert_eq!(deploy["id"], "deployment");
}

#[test]
fn the_workflow_s_build_command_builds_a_new_site_under_the_pages_address() {
    let w = workflow();
    let build = runs(&w, "build", "dossier build")["run"].as_str().unwrap();
    let command = build.replace(
        "${{ steps.pages.outputs.base_url }}",
        "https://owner.github.io/my-site",
    );
    assert!(!command.contains("${{"), "{command}");
    let tmp = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let dossier = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(tmp.path())
            .env("HOME", home.path())
            .output()
            .unwrap()
    };
    assert!(dossier(&["init"]).status.success());
    // As the runner runs it: with dossier on the PATH, in the checkout.
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-ec", &command])
        .current_dir(tmp.path())
        .env("PATH", path)
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{command}:\n{stderr}");
    assert!(stderr.contains("(minified: "), "{stderr}");
    let public = tmp.path().join("public");
    assert_links_resolve(&public, "/my-site");
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://owner.github.io/my-site/stories/example/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn the_readme_shows_the_workflow_as_it_is() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let block = format!("```yaml\n{}```", workflow_text());
    assert!(
        readme.contains(&block),
        "README.md's Deploying section must show examples/deploy/github-pages.yml verbatim"
    );
}
