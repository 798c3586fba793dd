//! The `barometer` command: parse the command line, run one subcommand, report errors with the
//! right exit code (2: usage, 1: data).

mod cli;
mod cmd;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    if let Err(err) = cmd::run(cli) {
        // A reader that stops early (`| head`) is not an error.
        let broken_pipe = err.chain().any(|e| {
            let io = e.downcast_ref::<std::io::Error>().or_else(|| {
                e.downcast_ref::<csv::Error>().and_then(|c| match c.kind() {
                    csv::ErrorKind::Io(io) => Some(io),
                    _ => None,
                })
            });
            let json = e
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind);
            io.map(std::io::Error::kind).or(json) == Some(std::io::ErrorKind::BrokenPipe)
        });
        if broken_pipe {
            std::process::exit(0);
        }
        eprintln!("error: {err:#}");
        std::process::exit(barometer::error::exit_code(&err));
    }
}
