//! Normalises PDFs to A4 portrait and merges them into one letter, optionally behind a
//! cover sheet.
//!
//! ```text
//! cargo run --release -p outbox-pdf --example bundle -- -o OUT.pdf [--cover COVER.json] IN.pdf...
//! ```
//!
//! Prints `pages`, `sheets` (duplex) and `bytes` of the letter on stdout, what was changed on
//! stderr, and exits with status 1 and a one-line reason when an input is unusable
//! (status 2 for wrong arguments).
//!
//! `COVER.json` holds the cover sheet data:
//!
//! ```json
//! {
//!   "sender": "Hausverwaltung Muster GmbH · Hauptstraße 1 · 10115 Berlin",
//!   "recipient": ["Frau Jördis Müßig", "Königsallee 12", "40212 Düsseldorf"],
//!   "date": "04.12.2026",
//!   "reference": "WEG Lindenhof / ETV 2026"
//! }
//! ```
//!
//! `sender` (one line), `recipient` (up to 6 lines) and `date` are required, `reference` is
//! optional. `documents` ([{"title": "...", "pages": 3}]) may be given; when it is left out,
//! the list of enclosed documents is filled from the input file names and page counts.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use outbox_pdf::{Bundler, CoverSheet, EnclosedDocument, LetterSummary, Limits};

struct Args {
    output: PathBuf,
    cover: Option<PathBuf>,
    inputs: Vec<PathBuf>,
}

const USAGE: &str = "usage: bundle -o OUT.pdf [--cover COVER.json] IN.pdf...";

fn parse_args() -> Result<Args, String> {
    let mut output = None;
    let mut cover = None;
    let mut inputs = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("-o" | "--output") => {
                output = Some(args.next().ok_or("-o needs a file name")?.into())
            }
            Some("--cover") => cover = Some(args.next().ok_or("--cover needs a JSON file")?.into()),
            Some("-h" | "--help") => return Err(USAGE.to_string()),
            _ => inputs.push(PathBuf::from(arg)),
        }
    }
    let output = output.ok_or_else(|| format!("no output file given; {USAGE}"))?;
    if inputs.is_empty() {
        return Err(format!("no input PDF given; {USAGE}"));
    }
    Ok(Args {
        output,
        cover,
        inputs,
    })
}

fn read_cover(path: &Path) -> Result<CoverSheet, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a valid cover sheet: {e}", path.display()))
}

fn title_of(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn run(args: &Args) -> Result<(), String> {
    let cover = args.cover.as_deref().map(read_cover).transpose()?;
    let file = std::fs::File::create(&args.output)
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    // The letter is written while the inputs are read; a failure leaves no half file behind.
    let result = write_letter(args, cover, BufWriter::new(file));
    if result.is_err() {
        let _ = std::fs::remove_file(&args.output);
    }
    let summary = result?;
    for warning in &summary.warnings {
        eprintln!("note: {warning}");
    }
    println!("pages: {}", summary.pages);
    println!("sheets: {}", summary.sheets);
    println!("bytes: {}", summary.bytes);
    Ok(())
}

fn write_letter(
    args: &Args,
    cover: Option<CoverSheet>,
    out: BufWriter<std::fs::File>,
) -> Result<LetterSummary, String> {
    let mut bundler = Bundler::writing_to(out, Limits::default());
    let mut enclosed = Vec::new();
    for input in &args.inputs {
        // Each input's bytes are dropped once its pages are in the letter.
        let bytes = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
        let pages = bundler
            .add_pdf(&bytes)
            .map_err(|e| format!("{}: {e}", input.display()))?;
        enclosed.push(EnclosedDocument {
            title: title_of(input),
            pages,
        });
    }
    if let Some(mut cover) = cover {
        if cover.documents.is_empty() {
            cover.documents = enclosed;
        }
        bundler
            .add_cover(&cover)
            .map_err(|e| format!("cover sheet: {e}"))?;
    }
    let (mut out, summary) = bundler
        .close()
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    out.flush()
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    Ok(summary)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
