// mimalloc: a large sync import or export makes millions of small
// allocations, which glibc's allocator serves about a fifth slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    stationdesk::cli::main()
}
