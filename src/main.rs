fn main() -> std::process::ExitCode {
    git_incident::run(std::env::args_os())
}
