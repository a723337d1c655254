//! What the example programs share: their command-line conventions, reading
//! files, the `--json` pipe and line protocol ([`json_mode`], with the
//! programs' own parts in [`detach_json`] and [`unassign_json`]), and text
//! tables. A folder without `main.rs`,
//! so Cargo does not take it for an example; each program has `mod common;`.
//!
//! The conventions, the same for every program:
//!
//! - options may come in any order;
//! - `-h` or `--help` anywhere prints the usage on stdout and exits 0;
//! - an unknown or incomplete argument prints `PROGRAM: REASON` and the
//!   usage on stderr and exits 2;
//! - a file that cannot be read prints `PROGRAM: REASON` on stderr (no
//!   usage: the arguments were right) and exits 2. (What a program makes
//!   of a file it could read is its own: `lint` exits 2 for a schema that
//!   does not load; `detach` and `unassign` report a snapshot that does not
//!   load as a refused request, exit 1.)

// Each program uses a part of this module.
#![allow(dead_code)]

pub mod detach_json;
pub mod json_mode;
pub mod unassign_json;

use catalog_filter::Limits;
use json_mode::Document;
use std::io::{self, Write};
use std::process::ExitCode;

/// A program's name (the prefix of its messages) and usage text.
pub struct Program {
    /// The name, `detach`.
    pub name: &'static str,
    /// The usage text, printed for `--help` and after a bad argument.
    pub usage: &'static str,
}

impl Program {
    /// Parses the command line with `parse` (given the arguments after the
    /// program's name), following the conventions of the module docs. On
    /// `--help` or a bad argument, prints what the conventions say and
    /// returns the exit code to end with.
    pub fn options<T>(
        &self,
        parse: impl FnOnce(&mut Args) -> Result<T, String>,
    ) -> Result<T, ExitCode> {
        self.options_from(std::env::args().skip(1).collect(), parse)
    }

    /// [`Program::options`] on the given arguments.
    pub fn options_from<T>(
        &self,
        args: Vec<String>,
        parse: impl FnOnce(&mut Args) -> Result<T, String>,
    ) -> Result<T, ExitCode> {
        if args.iter().any(|a| a == "-h" || a == "--help") {
            println!("{}", self.usage);
            return Err(ExitCode::SUCCESS);
        }
        parse(&mut Args(args.into())).map_err(|reason| {
            eprintln!("{}: {reason}\n{}", self.name, self.usage);
            ExitCode::from(2)
        })
    }

    /// Prints `PROGRAM: REASON` on stderr; the exit code is 2.
    pub fn fail(&self, reason: &str) -> ExitCode {
        eprintln!("{}: {reason}", self.name);
        ExitCode::from(2)
    }

    /// `--json`: reads stdin with [`json_mode::read_document`] (at most
    /// `max_snapshot_bytes` + 1 bytes: an input over the limit is answered
    /// with the library's 400 without reading the rest), writes `answer`'s
    /// line and a newline to stdout (buffered), exits 0 whatever the
    /// answer's status (it is in the line), 2 when stdin or stdout fails.
    pub fn json_pipe(
        &self,
        answer: impl FnOnce(Document, &Limits, &mut dyn Write) -> io::Result<()>,
    ) -> ExitCode {
        let limits = Limits::default();
        let input = match json_mode::read_document(io::stdin().lock(), &limits) {
            Ok(input) => input,
            Err(e) => return self.fail(&format!("cannot read stdin: {e}")),
        };
        let stdout = io::stdout();
        let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
        let written = answer(input, &limits, &mut out)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        match written {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => self.fail(&format!("cannot write stdout: {e}")),
        }
    }
}

/// The arguments left to parse.
pub struct Args(std::collections::VecDeque<String>);

impl Args {
    /// The next argument.
    pub fn next(&mut self) -> Option<String> {
        self.0.pop_front()
    }

    /// The arguments not parsed yet.
    pub fn rest(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The value of `option` (the next argument, whatever it is), or
    /// `OPTION needs WHAT`.
    pub fn value(&mut self, option: &str, what: &str) -> Result<String, String> {
        self.0
            .pop_front()
            .ok_or_else(|| format!("{option} needs {what}"))
    }

    /// The values of `option`: the arguments up to the next one starting
    /// with `--`, at least one, or `OPTION needs at least one id`.
    pub fn values(&mut self, option: &str) -> Result<Vec<String>, String> {
        let mut values = Vec::new();
        while let Some(value) = self.0.pop_front() {
            if value.starts_with("--") {
                self.0.push_front(value);
                break;
            }
            values.push(value);
        }
        if values.is_empty() {
            return Err(format!("{option} needs at least one id"));
        }
        Ok(values)
    }
}

/// Sets `slot` to `value`, or refuses `OPTION given twice`: an option
/// that takes one value may appear once (the last one silently winning
/// would hide a mistake in a command line).
pub fn once<T>(slot: &mut Option<T>, option: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{option} given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// What a program with a `--json` mode was asked to do.
pub enum Mode<T> {
    /// `--json`, given alone.
    Json,
    /// The readable mode, with its options.
    Text(T),
}

impl Program {
    /// For a program whose `--json` takes no other argument: [`Mode::Json`]
    /// for `--json` alone, `--json takes no other arguments` when it has
    /// company, else the readable mode's options (parsed by `parse`), all
    /// as [`Program::options`] does.
    pub fn mode<T>(
        &self,
        parse: impl FnOnce(&mut Args) -> Result<T, String>,
    ) -> Result<Mode<T>, ExitCode> {
        self.options(|args| {
            if !args.rest().any(|a| a == "--json") {
                return parse(args).map(Mode::Text);
            }
            if args.rest().count() > 1 {
                return Err("--json takes no other arguments".to_owned());
            }
            Ok(Mode::Json)
        })
    }
}

/// `PROGRAM: unknown argument `ARG``'s reason.
pub fn unknown(arg: &str) -> String {
    format!("unknown argument `{arg}`")
}

/// The text of the file at `path`, or `cannot read PATH: REASON`.
pub fn read_file(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Left-aligned columns, two spaces apart, indented by two; widths count
/// characters.
pub fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (cell, width) in row.iter().zip(widths) {
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 1));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
