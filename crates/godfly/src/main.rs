fn main() {
    std::process::exit(godfly::cli::main());
}
