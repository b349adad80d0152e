#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    dossier::allocator::tune();
    std::process::exit(dossier::cli::run());
}
