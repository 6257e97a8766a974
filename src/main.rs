fn main() -> std::process::ExitCode {
    stationdesk::cli::main()
}
