//! A corpus of bad sites, one per kind of failure, under tests/bad_sites/<case>/.
//!
//! Each case is a tiny site (without a theme: the default theme is copied in at test time
//! unless the case has its own themes/) and `expected.txt`, the exact diagnostics
//! `dossier build` prints. Before the broken build, the case gets a previous output built
//! by dossier (unless it brings its own public/); that output must stay byte for byte the same.
//!
//! `DOSSIER_BLESS=1 cargo test --test bad_sites` rewrites the expected.txt files.

mod common;

use common::{Site, copy_dir, manifest_dir, run_in, snapshot};
use std::fs;
use std::path::PathBuf;

fn cases_dir() -> PathBuf {
    manifest_dir().join("tests/bad_sites")
}

fn check_case(name: &str) {
    let case = cases_dir().join(name);
    assert!(case.is_dir(), "no case {}", case.display());
    let dir = tempfile::Builder::new()
        .prefix("dossier-bad-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    copy_dir(&case, root);
    fs::remove_file(root.join("expected.txt")).ok();
    if !root.join("themes").exists() {
        copy_dir(
            &manifest_dir().join("themes/default"),
            &root.join("themes/default"),
        );
    }
    if !root.join("public").exists() {
        // A previous output that dossier built, from a good site.
        let good = Site::new();
        good.build_ok(&[]);
        copy_dir(&good.path("public"), &root.join("public"));
    }
    let before = snapshot(&root.join("public"));
    let siblings_before = common::names(root);

    let r = run_in(root, &["build"]);
    r.assert_fails();
    assert!(r.stdout.is_empty(), "{}", r.stdout);

    let expected_file = case.join("expected.txt");
    if std::env::var_os("DOSSIER_BLESS").is_some() {
        fs::write(&expected_file, &r.stderr).unwrap();
    }
    let expected = fs::read_to_string(&expected_file)
        .unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
    assert_eq!(
        r.stderr, expected,
        "\n{name}: diagnostics differ from expected.txt (DOSSIER_BLESS=1 rewrites it)"
    );
    // Every diagnostic names a file, a line and a column, and has a hint.
    for line in r.stderr.lines().filter(|l| l.contains(": error: ")) {
        let pos: Vec<&str> = line.splitn(4, ':').collect();
        assert!(
            pos.len() == 4 && pos[1].parse::<usize>().is_ok() && pos[2].parse::<usize>().is_ok(),
            "{name}: no file:line:col in {line}"
        );
    }
    assert!(r.stderr.contains("\n  hint: "), "{name}: no hint");

    assert_eq!(
        snapshot(&root.join("public")),
        before,
        "{name}: the previous output changed"
    );
    assert_eq!(
        common::names(root),
        siblings_before,
        "{name}: files left beside the output"
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                check_case(stringify!($name));
            }
        )*
    };
}

cases!(
    alias_bomb,
    archive_typo,
    bib_syntax_error,
    block_shortcode_unclosed,
    citation_style_unknown,
    csl_json_wrong_type,
    hayagriva_yaml_error,
    import_conflicting_title,
    import_year_only,
    alias_collides_with_page,
    asset_collides_with_page,
    bad_base_url,
    broken_anchor,
    broken_front_matter_no_cascade,
    broken_internal_link,
    content_file_collides_with_feed,
    cyclic_templates,
    duplicate_figure_id,
    fig_unknown_argument,
    get_url_unknown_page,
    get_page_unknown_page,
    get_section_unknown_section,
    get_taxonomy_unknown_kind,
    get_taxonomy_url_unknown_term,
    figure_missing_source,
    figure_sign_not_in_quote,
    figure_value_not_finite,
    heading_id_collides_with_theme,
    image_at_link_missing,
    image_missing,
    images_quality_out_of_range,
    images_unknown_key,
    invalid_source_id_no_cascade,
    invalid_utf8,
    link_missing_heading,
    link_relative_md_missing,
    link_root_relative_missing,
    link_to_draft,
    load_data_bad_json,
    load_data_outside_the_site,
    load_data_unknown_format,
    missing_front_matter,
    missing_template,
    missing_theme,
    missing_title,
    number_not_in_quote,
    output_not_created_by_dossier,
    page_takes_a_pager_url,
    page_takes_a_tag_url,
    period_not_a_date,
    quote_not_in_archive,
    share_image_missing,
    site_image_missing,
    resize_image_outside_site,
    site_yaml_unknown_key,
    source_file_missing,
    source_id_not_first_key,
    static_collides_with_search_index,
    static_in_search_folder,
    section_feed_takes_a_file,
    tag_without_letters,
    tags_share_a_url,
    taxonomy_slug_taken,
    taxonomy_unknown_in_front_matter,
    template_typo,
    tera_syntax_error,
    tera_undefined_variable,
    tera_unknown_function,
    unknown_figure,
    unknown_key,
    unknown_source,
    unknown_source_after_source_text,
    weight_not_a_number,
    wrong_date_type,
    yaml_missing_colon,
    yaml_syntax_error,
    yaml_tab_indentation,
);

#[test]
fn every_case_folder_has_a_test() {
    let mut on_disk = common::names(&cases_dir());
    on_disk.retain(|n| cases_dir().join(n).is_dir());
    let mut listed: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}
