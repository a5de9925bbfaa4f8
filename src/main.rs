use clap::Parser;

fn main() {
    let cli = recelint::cli::Cli::parse();
    std::process::exit(recelint::cli::run(cli));
}
