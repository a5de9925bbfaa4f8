fn main() {
    // Every panic is caught and reported as an X001 finding (on its file, or below for the
    // run itself); the default hook would print a backtrace-style message to stderr in the
    // middle of the report.
    if std::env::var_os("RECELINT_DEBUG").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let cli = match recelint::cli::parse() {
        Ok(c) => c,
        Err(e) => {
            // `recelint RECEIPTC.UKE` (without `check`) is what a new user types first: say
            // what to type instead of only "unrecognized subcommand".
            let first = std::env::args_os().nth(1);
            let path_like = first.as_ref().is_some_and(|a| {
                let p = std::path::Path::new(a);
                p.exists() || p.extension().is_some()
            });
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            let hint = e.kind() == clap::error::ErrorKind::InvalidSubcommand && path_like;
            if let Some(note) = recelint::cli::error_note(&e).filter(|_| !hint) {
                eprintln!("\n{note}");
            }
            if hint {
                let p = std::path::Path::new(first.as_deref().unwrap_or_default());
                eprintln!(
                    "\nヒント: 請求ファイルを検査するには / hint: to check it, run\n  recelint check {}",
                    p.display()
                );
            }
            std::process::exit(code);
        }
    };
    let code = std::panic::catch_unwind(|| recelint::cli::run(cli)).unwrap_or_else(|p| {
        use recelint::report::Lang;
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
