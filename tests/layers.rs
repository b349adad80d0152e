//! The layers only look down: every module of src/ uses only the modules listed before it in
//! ARCHITECTURE.md, and that list names every module.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The modules in dependency order, as ARCHITECTURE.md lists them.
fn layers() -> Vec<String> {
    let doc = fs::read_to_string(common::manifest_dir().join("ARCHITECTURE.md")).unwrap();
    let list = doc
        .split("<!-- layers -->")
        .nth(1)
        .and_then(|s| s.split("<!-- /layers -->").next())
        .expect("ARCHITECTURE.md has a <!-- layers --> list");
    list.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let rest = l.split_once(". `")?.1;
            Some(rest.split('`').next()?.to_string())
        })
        .collect()
}

/// The top-level module a file of src/ belongs to.
fn module_of(file: &Path, src: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a file names as `crate::x`.
fn uses(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .map(|(i, _)| {
            text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn every_module_uses_only_earlier_ones() {
    let order = layers();
    assert!(order.len() > 10, "{order:?}");
    let src = common::manifest_dir().join("src");
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = module_of(path, &src);
        if module == "lib" || module == "main" {
            continue;
        }
        seen.insert(module.clone());
        let Some(rank) = order.iter().position(|m| *m == module) else {
            problems.push(format!(
                "{module} ({}) is not in ARCHITECTURE.md's list",
                path.display()
            ));
            continue;
        };
        for used in uses(&fs::read_to_string(path).unwrap()) {
            if used == module {
                continue;
            }
            match order.iter().position(|m| *m == used) {
                Some(r) if r < rank => {}
                Some(_) => problems.push(format!(
                    "{} uses crate::{used}, which comes after {module}",
                    path.display()
                )),
                None => problems.push(format!(
                    "{} uses crate::{used}, not in the list",
                    path.display()
                )),
            }
        }
    }
    for m in &order {
        if !seen.contains(m) {
            problems.push(format!(
                "ARCHITECTURE.md lists `{m}`, which src/ does not have"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_a_use_upward() {
    assert!(uses("use crate::render::Output;\nlet x = crate::site::render;").contains("site"));
}
