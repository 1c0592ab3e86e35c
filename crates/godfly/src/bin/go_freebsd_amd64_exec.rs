fn main() {
    std::process::exit(godfly::cli::exec_wrapper_main());
}
