//! `git-secure-release`: parse the command line, run the command, map the result to an exit
//! code (0 ok, 1 refused, 2 bad command line). A closed pipe stops the output quietly; the
//! exit code is still the verdict.

use std::process::ExitCode;

use clap::Parser as _;

use git_secure_release::cli::{Cli, ColorWhen};
use git_secure_release::error::{self, UserError, EXIT_REFUSED};
use git_secure_release::{commands, report};

fn main() -> ExitCode {
    report::start_clock();
    git_secure_release::git::anchor_location_variables();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
            } else {
                // The arguments it quotes may hold anything: shown escaped, as all output.
                report::note(e.render().to_string().trim_end());
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(error::EXIT_USAGE));
        }
    };
    let choice = match cli.color {
        _ if no_color => anstream::ColorChoice::Never,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    let json = cli.wants_json();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                // Output is stopped quietly where it is written (report); a closed pipe met
                // anywhere else leaves the verdict unknown, which is not a success.
                return ExitCode::from(EXIT_REFUSED);
            }
            let user = match e.downcast::<UserError>() {
                Ok(user) => user,
                Err(other) => UserError::refused(format!("{other:#}")),
            };
            if json && !user.reported {
                let _ = report::json(&user.to_json());
            }
            report::error(&user);
            ExitCode::from(if user.code == 0 {
                EXIT_REFUSED
            } else {
                user.code
            })
        }
    }
}
