use clap::Parser;

fn main() {
    // Every panic is caught and reported as an X001 finding (on its file, or below for the
    // run itself); the default hook would print a backtrace-style message to stderr in the
    // middle of the report.
    if std::env::var_os("RECELINT_DEBUG").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let cli = recelint::cli::Cli::parse();
    let code = std::panic::catch_unwind(|| recelint::cli::run(cli)).unwrap_or_else(|p| {
        use recelint::diag::Lang;
        use recelint::rules::internal::{x001_args, Stage, X001};
        let args = x001_args(Stage::Run, &*p);
        eprintln!(
            "recelint: X001 {} / {}",
            X001.message(Lang::Ja, &args),
            X001.message(Lang::En, &args)
        );
        2
    });
    std::process::exit(code);
}
