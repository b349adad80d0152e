//! The memory allocator of the `dossier` binary (and of the benchmarks, which must measure
//! what users run): mimalloc. glibc's malloc slows down as the heap grows (longer free
//! lists, busier arena locks): with it a 50k-page build took 6.6 times as long as a 10k-page
//! one on tmpfs; with mimalloc (and the other changes of that day) about 5.3 (see README,
//! Performance).
//!
//! Each binary declares `#[global_allocator] static GLOBAL: mimalloc::MiMalloc =
//! mimalloc::MiMalloc;` and calls `tune` first thing in `main`.

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e`, as bundled by libmimalloc-sys
/// 0.1.49 (pinned with `=` in Cargo.toml, with mimalloc itself, for this number). mimalloc's
/// own switch for huge pages (`mi_option_allow_thp`) is read only as the process starts,
/// before `main` can set it: the process-wide switch below is the kernel's.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Return freed memory to the system after 10 ms instead of mimalloc 3's default of a
/// second, and in 4 KiB pages rather than transparent huge pages (which the kernel zeroes
/// 2 MiB at a time whenever they are faulted in again): a 10k-page build then peaks at
/// ~217 MB instead of ~320 MB (~250 MB with huge pages), at no measurable cost in time.
/// `MIMALLOC_PURGE_DELAY` in the environment still wins. Call it before starting any thread.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option, before any other thread exists (see above).
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
    // mimalloc reads its own huge-page option (MIMALLOC_ALLOW_THP) only as the process
    // starts; the kernel's per-process switch applies to every later page fault.
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // Best effort: a kernel without the switch keeps its huge pages.
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
}
