//! Markdown images and `resize_image()`: size attributes, `srcset`s of resized copies that
//! exist with the sizes they claim, WebP copies that decode, the cache beside the output
//! (reused by the next build, pruned of what no page uses), and the errors.

mod common;

use common::{Site, tag_attributes};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const PHOTOS: &str = "\
---
title: Photos
date: 2022-10-03
---

A wide photo:

![A wide photo of the border](@/img/wide.jpg)

![A small map](small.png \"The map\")

![An icon](@/img/icon.gif)
";

/// A JPEG of `w` x `h` with a gradient (so a resize has something to average).
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A PNG with transparency.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([
            (x * 3 % 256) as u8,
            (y * 5 % 256) as u8,
            90,
            (x % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn site() -> Site {
    let s = Site::new();
    s.write_bytes("content/img/wide.jpg", &jpeg(2000, 1000));
    s.write_bytes("content/stories/small.png", &png(300, 200));
    // Not resized: a GIF is left as it is written.
    s.write_bytes(
        "content/img/icon.gif",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    );
    s.write("content/stories/photos.md", PHOTOS);
    s
}

/// The attributes of the start tags of `html` that have attribute `key`.
fn tags_with<'a>(
    tags: &'a [BTreeMap<String, String>],
    key: &str,
) -> Vec<&'a BTreeMap<String, String>> {
    tags.iter().filter(|t| t.contains_key(key)).collect()
}

/// Each `url width` of a srcset.
fn srcset(set: &str) -> Vec<(String, u32)> {
    set.split(", ")
        .map(|c| {
            let (url, w) = c.rsplit_once(' ').unwrap();
            (url.to_string(), w.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

/// The output file of a URL under the test site's base path `/sub`.
fn out_file(s: &Site, url: &str) -> PathBuf {
    s.path("public").join(url.strip_prefix("/sub/").unwrap())
}

fn decoded_size(p: &Path) -> (u32, u32) {
    let img = image::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (img.width(), img.height())
}

fn cache_files(s: &Site) -> BTreeMap<String, std::time::SystemTime> {
    fs::read_dir(s.path(".dossier-cache/images"))
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        e.metadata().unwrap().modified().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn markdown_images_get_their_size_and_resized_copies() {
    let s = site();
    s.build_ok(&[]);
    let html = s.out("stories/photos/index.html");
    let tags = tag_attributes(&html);
    let imgs = tags_with(&tags, "alt");
    let wide = imgs
        .iter()
        .find(|t| t["alt"] == "A wide photo of the border")
        .expect("the wide photo's <img>");
    assert_eq!(
        (wide["width"].as_str(), wide["height"].as_str()),
        ("2000", "1000")
    );
    assert_eq!(wide["src"], "/sub/img/wide.jpg");
    assert!(!wide["sizes"].is_empty());
    let set = srcset(&wide["srcset"]);
    assert_eq!(
        set.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        vec![480, 800, 1200, 1600, 2000],
        "{set:?}"
    );
    for (url, w) in &set[..4] {
        assert!(url.ends_with(".jpg"), "{url}");
        assert_eq!(decoded_size(&out_file(&s, url)), (*w, w / 2), "{url}");
    }
    assert!(
        html.contains("<picture><source type=\"image/webp\""),
        "{html}"
    );
    let sources: Vec<_> = tags
        .iter()
        .filter(|t| t.get("type").is_some_and(|v| v == "image/webp"))
        .collect();
    assert_eq!(sources.len(), 2, "one <source> per raster image: {html}");
    let webp = srcset(&sources[0]["srcset"]);
    assert_eq!(
        webp.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        vec![480, 800, 1200, 1600, 2000]
    );
    for (url, w) in &webp {
        let f = out_file(&s, url);
        assert_eq!(&fs::read(&f).unwrap()[8..12], b"WEBP", "{url}");
        assert_eq!(decoded_size(&f), (*w, w / 2), "{url}");
    }

    // Smaller than every width: no copy in its own format, its size, a full-size WebP.
    let small = imgs.iter().find(|t| t["alt"] == "A small map").unwrap();
    assert_eq!(
        (small["width"].as_str(), small["height"].as_str()),
        ("300", "200")
    );
    assert_eq!(small["title"], "The map");
    assert!(!small.contains_key("srcset"), "{small:?}");
    let small_webp = srcset(&sources[1]["srcset"]);
    assert_eq!(small_webp.len(), 1);
    let img = image::open(out_file(&s, &small_webp[0].0)).unwrap();
    assert_eq!((img.width(), img.height()), (300, 200));
    assert!(img.color().has_alpha(), "the PNG's transparency is kept");

    // A GIF is printed as Markdown prints it.
    let gif = imgs.iter().find(|t| t["alt"] == "An icon").unwrap();
    assert!(
        !gif.contains_key("width") && !gif.contains_key("srcset"),
        "{gif:?}"
    );
    assert!(!s.path("content/.dossier-cache").exists());
    assert!(!s.has_out(".dossier-cache"));
    common::assert_links_resolve(&s.path("public"), "/sub");
}

#[test]
fn the_next_build_reuses_the_cache_and_prunes_what_is_unused() {
    let s = site();
    s.build_ok(&[]);
    let first = cache_files(&s);
    assert_eq!(first.len(), 4 + 5 + 1, "{first:?}");
    s.write(".dossier-cache/images/notes.txt", "mine");
    std::thread::sleep(std::time::Duration::from_millis(20));
    s.build_ok(&[]);
    let second = cache_files(&s);
    for (name, mtime) in &first {
        assert_eq!(second.get(name), Some(mtime), "{name} was written again");
    }
    // The page no longer shows the wide photo: its copies leave the cache, nothing else does.
    s.write(
        "content/stories/photos.md",
        &PHOTOS.replace("![A wide photo of the border](@/img/wide.jpg)", ""),
    );
    s.build_ok(&[]);
    let third = cache_files(&s);
    assert_eq!(third.len(), 1 + 1, "{third:?}");
    assert!(third.contains_key("notes.txt"));
    assert!(
        third
            .keys()
            .any(|k| k.starts_with("small.") && k.ends_with(".webp"))
    );
}

#[test]
fn check_reads_sizes_without_encoding() {
    let s = site();
    s.run(&["check"]).assert_ok();
    assert!(cache_files(&s).is_empty(), "check encoded images");
    // A file that is no image, under an image's name, is written as it is, with a warning
    // at the image.
    s.write("content/stories/small.png", "not a png");
    let r = s.run(&["check"]);
    r.assert_ok();
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("content/stories/photos.md:10:1: warning")
                && l.contains("content/stories/small.png is not a PNG, JPEG or WebP image")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_image_is_an_error_at_its_line() {
    let s = site();
    s.write(
        "content/stories/photos.md",
        &PHOTOS.replace("@/img/wide.jpg", "@/img/gone.jpg"),
    );
    let r = s.build(&[]);
    r.assert_fails();
    assert!(
        r.error_lines()
            .iter()
            .any(|l| l.contains("content/stories/photos.md:8:") && l.contains("img/gone.jpg")),
        "{}",
        r.stderr
    );
    let s = site();
    s.write(
        "content/stories/photos.md",
        &PHOTOS.replace("small.png", "smal.png"),
    );
    let r = s.build(&[]);
    r.assert_fails();
    assert!(
        r.error_lines()
            .iter()
            .any(|l| l.contains("content/stories/photos.md:10:") && l.contains("smal.png")),
        "{}",
        r.stderr
    );
}

const THUMB: &str = "\
{%- set r = resize_image(path=path, width=width, height=height, op=op) -%}
{%- set m = get_image_metadata(path=path) -%}
<img class=\"thumb\" src=\"{{ r.url }}\" data-w=\"{{ r.width }}\" data-h=\"{{ r.height }}\" \
data-ow=\"{{ r.orig_width }}\" data-oh=\"{{ r.orig_height }}\" data-mw=\"{{ m.width }}\" \
data-format=\"{{ m.format }}\" alt=\"\">";

#[test]
fn resize_image_returns_the_copy_and_its_size() {
    let s = site();
    s.write("templates/shortcodes/thumb.html", THUMB);
    s.write_bytes("static/logo.png", &png(640, 480));
    s.write(
        "content/stories/thumbs.md",
        "---\ntitle: Thumbs\ndate: 2022-10-04\n---\n\n\
         {{ thumb(path=\"img/wide.jpg\", width=300, height=300, op=\"fill\") }}\n\n\
         {{ thumb(path=\"img/wide.jpg\", width=500, height=500, op=\"fit\") }}\n\n\
         {{ thumb(path=\"logo.png\", width=320, height=0, op=\"fit_width\") }}\n",
    );
    s.build_ok(&[]);
    let html = s.out("stories/thumbs/index.html");
    let tags = tag_attributes(&html);
    let thumbs: Vec<_> = tags
        .iter()
        .filter(|t| t.get("class").is_some_and(|c| c == "thumb"))
        .collect();
    assert_eq!(thumbs.len(), 3, "{html}");
    let want = [
        ((300, 300), (2000, 1000), "jpg"),
        ((500, 250), (2000, 1000), "jpg"),
        ((320, 240), (640, 480), "png"),
    ];
    for (t, ((w, h), (ow, oh), format)) in thumbs.iter().zip(want) {
        assert_eq!(t["data-w"], w.to_string(), "{t:?}");
        assert_eq!(t["data-h"], h.to_string(), "{t:?}");
        assert_eq!(t["data-ow"], ow.to_string());
        assert_eq!(t["data-oh"], oh.to_string());
        assert_eq!(t["data-mw"], ow.to_string());
        assert_eq!(t["data-format"], format);
        assert!(t["src"].starts_with("/sub/processed_images/"), "{t:?}");
        assert!(t["src"].ends_with(&format!(".{format}")), "{t:?}");
        assert_eq!(decoded_size(&out_file(&s, &t["src"])), (w, h));
    }
}

#[test]
fn resize_image_paths_stay_in_the_site() {
    for (path, message) in [
        ("../outside.png", "leaves the site"),
        ("img/../../outside.png", "leaves the site"),
        ("/etc/passwd", "is absolute"),
        ("img/nothing.png", "not found"),
    ] {
        let s = site();
        s.write("outside.png", "x");
        s.write("templates/shortcodes/thumb.html", THUMB);
        s.write(
            "content/stories/thumbs.md",
            &format!(
                "---\ntitle: Thumbs\ndate: 2022-10-04\n---\n\nText.\n\n\
                 {{{{ thumb(path=\"{path}\", width=300, height=300, op=\"fill\") }}}}\n"
            ),
        );
        let r = s.build(&[]);
        r.assert_fails();
        assert!(
            r.error_lines()
                .iter()
                .any(|l| l.contains("content/stories/thumbs.md:8:1") && l.contains(message)),
            "{path}: {}",
            r.stderr
        );
        assert!(!s.has_out("index.html"));
    }
}

#[test]
fn serve_and_build_agree_on_images() {
    let s = site();
    let opts = dossier::site::BuildOptions::default();
    let built = common::disk_build(s.root(), &opts).unwrap();
    let mem = dossier::site::Site::build(s.root(), &opts).unwrap();
    let names = |site: &dossier::site::Site| site.files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&built), names(&mem));
    let copies: Vec<_> = built
        .files
        .keys()
        .filter(|k| k.starts_with("processed_images/"))
        .collect();
    assert_eq!(copies.len(), 10, "{copies:?}");
    for (k, v) in &built.files {
        assert_eq!(
            common::output_bytes(v),
            common::output_bytes(&mem.files[k]),
            "{k}"
        );
    }
}
