use clap::Parser;

fn main() {
    // A panic inside a check becomes an X001 finding on its file; the default hook would
    // also print a backtrace-style message to stderr in the middle of the report.
    if std::env::var_os("RECELINT_DEBUG").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let cli = recelint::cli::Cli::parse();
    std::process::exit(recelint::cli::run(cli));
}
