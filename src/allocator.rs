//! The memory allocator of the `dossier` binary (and of the benchmarks, which must measure
//! what users run): mimalloc. glibc's malloc slows down as the heap grows (longer free
//! lists, busier arena locks): with it a 50k-page build took 6.5 times as long as a 10k-page
//! one on tmpfs; with mimalloc about 5.2 (see README, Performance).
//!
//! Each binary declares `#[global_allocator] static GLOBAL: mimalloc::MiMalloc =
//! mimalloc::MiMalloc;` and calls `tune` first thing in `main`.

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (libmimalloc-sys 0.1.49).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Return freed memory to the system after 10 ms instead of mimalloc 3's default of a second:
/// a 10k-page build then peaks at ~250 MB instead of ~320 MB, at no measurable cost in
/// time. `MIMALLOC_PURGE_DELAY` in the environment still wins. Call it before starting any
/// thread.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option, before any other thread exists (see above).
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
}
