//! Raster images at build time: their dimensions, resized copies (Markdown images' `srcset`
//! and `<picture>`, the templates' `resize_image()`), encoded in parallel and cached in
//! `.dossier-cache/images/` beside the output, keyed by the source's bytes and the operation.
//!
//! A resized copy is planned when a page or template asks for it (cheap: the source's hash
//! and header); the encoding happens once per build in `Images::produce`, and only for copies
//! the cache does not hold yet. `check` plans without encoding.

use crate::config::{ImageFormat, ImagesConfig};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The cache folder, relative to the site root: never inside the output, which a build swaps
/// away, nor in content/.
pub const CACHE_DIR: &str = ".dossier-cache/images";

/// The output folder of resized copies.
pub const OUTPUT_DIR: &str = "processed_images";

/// The raster formats dossier resizes (by file extension, lowercase).
pub const RASTER: &[&str] = &["png", "jpg", "jpeg", "webp"];

/// Whether `path` names a raster image dossier resizes.
pub fn is_raster(path: &str) -> bool {
    extension(path).is_some_and(|e| RASTER.contains(&e.as_str()))
}

fn extension(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// A source image: its size and format, and the hash of its bytes (part of every copy's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Meta {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its format.
    pub format: Encoding,
    /// xxh3 of its bytes.
    pub hash: u64,
}

/// A format a copy is encoded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    /// PNG.
    Png,
    /// JPEG (with the configured quality).
    Jpeg,
    /// WebP (lossless: the `image` crate's pure-Rust encoder has no lossy mode).
    Webp,
}

impl Encoding {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Encoding::Png => "png",
            Encoding::Jpeg => "jpg",
            Encoding::Webp => "webp",
        }
    }

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Encoding::Png => "image/png",
            Encoding::Jpeg => "image/jpeg",
            Encoding::Webp => "image/webp",
        }
    }

    fn of(f: image::ImageFormat) -> Option<Encoding> {
        match f {
            image::ImageFormat::Png => Some(Encoding::Png),
            image::ImageFormat::Jpeg => Some(Encoding::Jpeg),
            image::ImageFormat::WebP => Some(Encoding::Webp),
            _ => None,
        }
    }
}

/// How `resize_image` fits the image to the size asked for (Zola's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// To `width`, the height following the aspect ratio.
    FitWidth,
    /// To `height`, the width following the aspect ratio.
    FitHeight,
    /// Within `width` x `height`, the aspect ratio kept; never enlarged.
    Fit,
    /// To exactly `width` x `height`, cropped around the centre.
    Fill,
    /// To exactly `width` x `height`, distorted.
    Scale,
}

impl Op {
    /// The operation called `name`.
    pub fn parse(name: &str) -> Result<Op, String> {
        Ok(match name {
            "fit_width" => Op::FitWidth,
            "fit_height" => Op::FitHeight,
            "fit" => Op::Fit,
            "fill" => Op::Fill,
            "scale" => Op::Scale,
            _ => {
                return Err(format!(
                    "unknown op `{name}`: one of fit_width, fit_height, fit, fill, scale"
                ));
            }
        })
    }

    /// The size of the result for a `w` x `h` source; `width`/`height` as the op needs them.
    fn target(
        self,
        (w, h): (u32, u32),
        width: Option<u32>,
        height: Option<u32>,
    ) -> Result<(u32, u32), String> {
        let need = |v: Option<u32>, what: &str| {
            v.filter(|&v| v > 0)
                .ok_or_else(|| format!("op `{self:?}` needs a positive `{what}`"))
        };
        let scale = |a: u32, num: u32, den: u32| {
            ((a as u64 * num as u64 + den as u64 / 2) / den as u64).max(1) as u32
        };
        Ok(match self {
            Op::FitWidth => {
                let tw = need(width, "width")?;
                (tw, scale(h, tw, w))
            }
            Op::FitHeight => {
                let th = need(height, "height")?;
                (scale(w, th, h), th)
            }
            Op::Fit => {
                let (tw, th) = (need(width, "width")?, need(height, "height")?);
                if w <= tw && h <= th {
                    (w, h)
                } else if w as u64 * th as u64 > h as u64 * tw as u64 {
                    (tw, scale(h, tw, w))
                } else {
                    (scale(w, th, h), th)
                }
            }
            Op::Fill | Op::Scale => (need(width, "width")?, need(height, "height")?),
        })
    }
}

/// A resized copy to write: the source, how, and its name in the cache and the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    source: PathBuf,
    op: Op,
    width: u32,
    height: u32,
    encoding: Encoding,
    quality: u8,
    /// `{stem}.{key:016x}.{ext}`: the file's name in the cache and under `processed_images/`.
    name: String,
}

/// A resized copy as templates see it (`resize_image`'s value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resized {
    /// Its URL (with the site's base path).
    pub url: String,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// The source's width.
    pub orig_width: u32,
    /// The source's height.
    pub orig_height: u32,
}

/// A Markdown image's responsive markup: the original's size, and `srcset`s of its copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The original's width.
    pub width: u32,
    /// The original's height.
    pub height: u32,
    /// `srcset` in the original's format (empty when no copy is smaller than the original).
    pub srcset: String,
    /// Other formats' `<source>`s: MIME type and `srcset`.
    pub sources: Vec<(&'static str, String)>,
    /// The `sizes` attribute.
    pub sizes: String,
}

impl Picture {
    /// The HTML for this picture of `src` (already a URL), with `alt` and `title` as plain
    /// text (escaped here).
    pub fn html(&self, src: &str, alt: &str, title: &str) -> String {
        let esc = crate::html::escape;
        let mut img = format!("<img src=\"{}\"", esc(src));
        if !self.srcset.is_empty() {
            img.push_str(&format!(
                " srcset=\"{}\" sizes=\"{}\"",
                esc(&self.srcset),
                esc(&self.sizes)
            ));
        }
        img.push_str(&format!(
            " width=\"{}\" height=\"{}\" alt=\"{}\"",
            self.width,
            self.height,
            esc(alt)
        ));
        if !title.is_empty() {
            img.push_str(&format!(" title=\"{}\"", esc(title)));
        }
        img.push_str(" />");
        if self.sources.is_empty() {
            return img;
        }
        let mut out = String::from("<picture>");
        for (mime, set) in &self.sources {
            out.push_str(&format!(
                "<source type=\"{mime}\" srcset=\"{}\" sizes=\"{}\" />",
                esc(set),
                esc(&self.sizes)
            ));
        }
        out.push_str(&img);
        out.push_str("</picture>");
        out
    }
}

/// The copies planned across builds (kept by `serve`'s cache: a memoised page still shows
/// its copies), by name.
pub type Jobs = Arc<Mutex<BTreeMap<String, Job>>>;

/// What `produce` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Produced {
    /// Copies encoded by this build.
    pub encoded: usize,
    /// Copies found in the cache.
    pub reused: usize,
}

/// A site's images during one build.
pub struct Images {
    root: PathBuf,
    cache_dir: PathBuf,
    config: ImagesConfig,
    base_path: String,
    meta: Mutex<HashMap<PathBuf, Result<Meta, String>>>,
    jobs: Jobs,
}

impl Images {
    /// The images of the site at `root` with site.yaml's `images:`; `jobs` are the copies
    /// planned so far (empty for a one-off build).
    pub fn new(root: &Path, config: &ImagesConfig, base_path: &str, jobs: Jobs) -> Images {
        Images {
            root: root.to_path_buf(),
            cache_dir: root.join(CACHE_DIR),
            config: config.clone(),
            base_path: base_path.to_string(),
            meta: Mutex::new(HashMap::new()),
            jobs,
        }
    }

    /// How many copies are planned.
    pub fn planned(&self) -> usize {
        lock(&self.jobs).len()
    }

    /// site.yaml's `images:`.
    pub fn config(&self) -> &ImagesConfig {
        &self.config
    }

    /// The file of the content path `path` (one the site's links resolve).
    pub fn content_file(&self, path: &str) -> PathBuf {
        self.root.join("content").join(path)
    }

    /// The file of `path` as a template names it: relative to content/ (`@/` allowed), else to
    /// static/. A path that leaves the site (`..` above it, an absolute path, a symlink out of
    /// it) is an error, as is a missing file.
    pub fn locate(&self, path: &str) -> Result<PathBuf, String> {
        let rel = path.strip_prefix("@/").unwrap_or(path);
        if Path::new(rel).is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
            return Err(format!(
                "image path `{path}` is absolute: paths are relative to content/ or static/"
            ));
        }
        let mut depth = 0i32;
        for c in Path::new(rel).components() {
            match c {
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
                _ => return Err(format!("image path `{path}` is not a relative path")),
            }
            if depth < 0 {
                return Err(format!(
                    "image path `{path}` leaves the site: paths are relative to content/ or static/"
                ));
            }
        }
        let candidates = [
            self.root.join("content").join(rel),
            self.root.join("static").join(rel),
        ];
        let Some(file) = candidates.iter().find(|p| p.is_file()) else {
            return Err(format!(
                "image `{path}` not found: no file content/{rel} or static/{rel}"
            ));
        };
        self.confined(file)?;
        Ok(file.clone())
    }

    /// `file` (a path under the site root) must resolve inside it, symlinks followed.
    fn confined(&self, file: &Path) -> Result<(), String> {
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        match file.canonicalize() {
            Ok(real) if real.starts_with(&root) => Ok(()),
            Ok(real) => Err(format!(
                "image {} leads out of the site (to {})",
                file.display(),
                real.display()
            )),
            Err(e) => Err(format!("cannot read image {}: {e}", file.display())),
        }
    }

    /// The size, format and hash of the image `file` (read once per build).
    pub fn metadata(&self, file: &Path) -> Result<Meta, String> {
        if let Some(m) = lock(&self.meta).get(file) {
            return m.clone();
        }
        let shown = file.strip_prefix(&self.root).unwrap_or(file);
        let m = read_meta(file, &shown.display().to_string());
        lock(&self.meta).insert(file.to_path_buf(), m.clone());
        m
    }

    /// Plan a copy of `file` by `op` (see `Op::target`) in `format` ("auto": the source's
    /// format; "jpg", "png", "webp"), a JPEG at `quality` (default: `images.quality`).
    pub fn resize(
        &self,
        file: &Path,
        op: Op,
        (width, height): (Option<u32>, Option<u32>),
        format: &str,
        quality: Option<u8>,
    ) -> Result<Resized, String> {
        let quality = quality.unwrap_or(self.config.quality);
        if !(1..=100).contains(&quality) {
            return Err(format!("quality {quality} is not between 1 and 100"));
        }
        let meta = self.metadata(file)?;
        let encoding = match format {
            "auto" => meta.format,
            "jpg" | "jpeg" => Encoding::Jpeg,
            "png" => Encoding::Png,
            "webp" => Encoding::Webp,
            _ => {
                return Err(format!(
                    "unknown format `{format}`: one of auto, jpg, png, webp"
                ));
            }
        };
        let (w, h) = op.target((meta.width, meta.height), width, height)?;
        let name = self.plan(file, &meta, op, (w, h), (encoding, quality));
        Ok(Resized {
            url: format!("{}/{OUTPUT_DIR}/{name}", self.base_path),
            width: w,
            height: h,
            orig_width: meta.width,
            orig_height: meta.height,
        })
    }

    /// Record a copy; its name.
    fn plan(
        &self,
        file: &Path,
        meta: &Meta,
        op: Op,
        (w, h): (u32, u32),
        (e, quality): (Encoding, u8),
    ) -> String {
        // Only JPEG's bytes depend on the quality: changing it re-encodes only JPEG copies.
        let quality = if e == Encoding::Jpeg { quality } else { 0 };
        let key = xxhash_rust::xxh3::xxh3_64(
            format!("{:016x} {op:?} {w} {h} {e:?} {quality}", meta.hash).as_bytes(),
        );
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem: String = slug::slugify(&stem);
        let name = format!("{stem}.{key:016x}.{}", e.ext());
        lock(&self.jobs).entry(name.clone()).or_insert_with(|| Job {
            source: file.to_path_buf(),
            op,
            width: w,
            height: h,
            encoding: e,
            quality,
            name: name.clone(),
        });
        name
    }

    /// A Markdown image's markup for the raster file `file`: the widths of site.yaml's
    /// `images.widths` smaller than the original in its own format, and the same with the
    /// original's width in each of `images.formats`.
    pub fn picture(&self, file: &Path, src_url: &str) -> Result<Picture, String> {
        let meta = self.metadata(file)?;
        let widths: BTreeSet<u32> = self
            .config
            .widths
            .iter()
            .copied()
            .filter(|&w| w > 0 && w < meta.width)
            .collect();
        let size = (meta.width, meta.height);
        let q = self.config.quality;
        let set = |e: Encoding, own: Option<&str>| -> String {
            let mut parts: Vec<String> = widths
                .iter()
                .map(|&w| {
                    let h = Op::FitWidth.target(size, Some(w), None).map_or(0, |t| t.1);
                    let name = self.plan(file, &meta, Op::FitWidth, (w, h), (e, q));
                    format!("{}/{OUTPUT_DIR}/{name} {w}w", self.base_path)
                })
                .collect();
            let full = match own {
                Some(url) => url.to_string(),
                None => {
                    let name = self.plan(file, &meta, Op::FitWidth, size, (e, q));
                    format!("{}/{OUTPUT_DIR}/{name}", self.base_path)
                }
            };
            parts.push(format!("{full} {}w", meta.width));
            parts.join(", ")
        };
        let srcset = if widths.is_empty() {
            String::new()
        } else {
            set(meta.format, Some(src_url))
        };
        let sources = self
            .config
            .formats
            .iter()
            .map(|f| match f {
                ImageFormat::Webp => Encoding::Webp,
            })
            .filter(|&e| e != meta.format)
            .map(|e| (e.mime(), set(e, None)))
            .collect();
        Ok(Picture {
            width: meta.width,
            height: meta.height,
            srcset,
            sources,
            sizes: self.config.sizes.clone(),
        })
    }

    /// Every planned copy as (output path, cached file), encoding those the cache lacks when
    /// `encode` (a build that writes them; `check` does not), in parallel. Errors are
    /// messages naming the source.
    pub fn produce(&self, encode: bool) -> (Vec<(String, PathBuf)>, Produced, Vec<String>) {
        let jobs: Vec<Job> = lock(&self.jobs).values().cloned().collect();
        let mut done = Produced::default();
        let mut errors = Vec::new();
        if encode {
            let missing: Vec<&Job> = jobs
                .iter()
                .filter(|j| !self.cache_dir.join(&j.name).is_file())
                .collect();
            done.reused = jobs.len() - missing.len();
            if !missing.is_empty()
                && let Err(e) = std::fs::create_dir_all(&self.cache_dir)
            {
                errors.push(format!("cannot create {}: {e}", self.cache_dir.display()));
                return (Vec::new(), done, errors);
            }
            // One decode per source, its copies encoded in parallel too.
            let mut by_source: BTreeMap<&Path, Vec<&Job>> = BTreeMap::new();
            for j in missing {
                by_source.entry(&j.source).or_default().push(j);
            }
            let results: Vec<Result<usize, String>> = by_source
                .into_par_iter()
                .map(|(source, jobs)| {
                    let img = decode(source)?;
                    jobs.par_iter()
                        .map(|j| encode_one(&img, j, &self.cache_dir))
                        .collect::<Result<Vec<()>, String>>()
                        .map(|v| v.len())
                })
                .collect();
            for r in results {
                match r {
                    Ok(n) => done.encoded += n,
                    Err(e) => errors.push(e),
                }
            }
        }
        let files = jobs
            .iter()
            .map(|j| {
                (
                    format!("{OUTPUT_DIR}/{}", j.name),
                    self.cache_dir.join(&j.name),
                )
            })
            .collect();
        (files, done, errors)
    }

    /// Remove the cache's copies no planned copy names: only files of the cache's own naming
    /// (`{stem}.{16 hex digits}.{png|jpg|webp}`), so nothing else put there is touched.
    pub fn prune(&self) -> usize {
        let keep: BTreeSet<String> = lock(&self.jobs).keys().cloned().collect();
        let Ok(entries) = std::fs::read_dir(&self.cache_dir) else {
            return 0;
        };
        let mut removed = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_cache_name(&name)
                && !keep.contains(&name)
                && e.file_type().is_ok_and(|t| t.is_file())
                && std::fs::remove_file(e.path()).is_ok()
            {
                removed += 1;
            }
        }
        removed
    }
}

/// A name the cache writes: `{stem}.{16 hex}.{ext}`.
fn is_cache_name(name: &str) -> bool {
    let mut parts = name.rsplitn(3, '.');
    let (Some(ext), Some(key), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    ["png", "jpg", "webp"].contains(&ext)
        && key.len() == 16
        && key.bytes().all(|b| b.is_ascii_hexdigit())
        && !stem.is_empty()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `file`'s metadata; `shown` names it in errors (relative to the site).
fn read_meta(file: &Path, shown: &str) -> Result<Meta, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read image {shown}: {e}"))?;
    let reader = image::ImageReader::new(Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read image {shown}: {e}"))?;
    let format = reader
        .format()
        .and_then(Encoding::of)
        .ok_or_else(|| format!("{shown} is not a PNG, JPEG or WebP image"))?;
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| format!("cannot read image {shown}: {e}"))?;
    Ok(Meta {
        width,
        height,
        format,
        hash: xxhash_rust::xxh3::xxh3_64(&bytes),
    })
}

fn decode(file: &Path) -> Result<image::DynamicImage, String> {
    image::ImageReader::open(file)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| format!("cannot read image {}: {e}", file.display()))?
        .decode()
        .map_err(|e| format!("cannot decode image {}: {e}", file.display()))
}

/// Resize and encode one copy into the cache (through a temporary file, so that a build
/// interrupted midway leaves no truncated copy under the final name).
fn encode_one(img: &image::DynamicImage, j: &Job, cache_dir: &Path) -> Result<(), String> {
    use image::imageops::FilterType::Lanczos3;
    let out = match j.op {
        _ if (img.width(), img.height()) == (j.width, j.height) => img.clone(),
        Op::Fill => img.resize_to_fill(j.width, j.height, Lanczos3),
        _ => img.resize_exact(j.width, j.height, Lanczos3),
    };
    let mut bytes = Vec::new();
    let w = Cursor::new(&mut bytes);
    let failed = |e: image::ImageError| format!("cannot encode {}: {e}", j.name);
    match j.encoding {
        Encoding::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(w, j.quality);
            image::DynamicImage::ImageRgb8(out.to_rgb8())
                .write_with_encoder(enc)
                .map_err(failed)?;
        }
        Encoding::Png => {
            out.write_with_encoder(image::codecs::png::PngEncoder::new(w))
                .map_err(failed)?;
        }
        Encoding::Webp => {
            let rgba = if out.color().has_alpha() {
                image::DynamicImage::ImageRgba8(out.to_rgba8())
            } else {
                image::DynamicImage::ImageRgb8(out.to_rgb8())
            };
            rgba.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(w))
                .map_err(failed)?;
        }
    }
    let tmp = cache_dir.join(format!(".{}.tmp", j.name));
    let dest = cache_dir.join(&j.name);
    std::fs::write(&tmp, &bytes)
        .and_then(|_| std::fs::rename(&tmp, &dest))
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Op::FitWidth.target((1000, 500), Some(480), None),
            Ok((480, 240))
        );
        assert_eq!(
            Op::Fit.target((1000, 500), Some(300), Some(300)),
            Ok((300, 150))
        );
        assert_eq!(
            Op::Fit.target((100, 50), Some(300), Some(300)),
            Ok((100, 50))
        );
        assert_eq!(
            Op::Fill.target((1000, 500), Some(300), Some(300)),
            Ok((300, 300))
        );
        assert!(Op::Fill.target((1000, 500), Some(300), None).is_err());
    }

    #[test]
    fn cache_names() {
        assert!(is_cache_name("map.0123456789abcdef.webp"));
        assert!(!is_cache_name("notes.txt"));
        assert!(!is_cache_name("map.0123.webp"));
    }
}
