//! A look at a file as a whole before its rows are read (issue: "diagnose the file, not only the
//! row"): a file in another encoding or with another delimiter is said once, for the file, with
//! the setting that reads it, instead of thousands of identical row rejections.

use super::profile::{Encoding, Format, Profile};
use super::Role;
use crate::base::word::Word;
use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// How much of a file is looked at.
const SAMPLE_BYTES: u64 = 1 << 16;

/// Checks the start of the input of `role` at `path`, read through `profile` (none: the
/// canonical CSV layout).
pub fn check(path: &Path, role: Role, profile: Option<&Profile>) -> Result<()> {
    let mut sample = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(SAMPLE_BYTES).read_to_end(&mut sample))
        .map_err(|e| Error::io(path, e))?;
    let shown = path.display().to_string();
    let wrong = |message: String| {
        Err(Error::WrongFile {
            path: shown.clone(),
            message,
        })
    };
    match profile {
        Some(p) if p.format == Format::Csv => {
            if matches!(p.encoding, Encoding::Gbk | Encoding::Gb18030)
                && sample.starts_with(b"\xEF\xBB\xBF")
            {
                return wrong(format!(
                    "starts with a UTF-8 byte order mark, but profile {} reads {}: the file is UTF-8 text; set encoding = \"utf-8\" in the profile (or read it in the canonical layout)",
                    p.shown(),
                    p.encoding.as_str()
                ));
            }
            Ok(())
        }
        Some(_) => Ok(()),
        None => canonical(&sample, role, wrong),
    }
}

fn canonical(sample: &[u8], role: Role, wrong: impl Fn(String) -> Result<()>) -> Result<()> {
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return wrong(
            "is UTF-16 text (Excel's \"Unicode text\"), not UTF-8 CSV: save it as \"CSV UTF-8\", or read it through a profile with encoding = \"utf-16le\" and delimiter = \"\\t\""
                .into(),
        );
    }
    let body = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    // A multi-byte character may be cut at the end of the sample.
    let valid = match std::str::from_utf8(body) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    if !valid {
        let (_, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
        let cut = body.len() as u64 >= SAMPLE_BYTES;
        if !had_errors || cut && gb18030_but_for_the_tail(body) {
            let through = match role {
                Role::Calls | Role::Tickets | Role::Surveys => format!(
                    "Read it through cn-excel (--{}-profile cn-excel, or a profile with encoding = \"gbk\"), or save it",
                    role.as_str()
                ),
                Role::Orders | Role::Claim | Role::ClaimRecords => format!(
                    "Read it through a profile file with encoding = \"gbk\" (--{}-profile FILE.toml), or save it",
                    role.as_str().replace('_', "-")
                ),
                // The register is read in the canonical layout only.
                Role::Incidents => "Save it".to_string(),
            };
            return wrong(format!(
                "is not UTF-8 text: it reads as GBK (GB18030), as Excel on Chinese Windows saves CSV. {through} as \"CSV UTF-8\""
            ));
        }
    }
    let header_end = memchr::memchr2(b'\n', b'\r', body).unwrap_or(body.len());
    let header = &body[..header_end];
    if !header.contains(&b',') && role.columns().len() > 1 {
        for (sep, name) in [(b';', ";"), (b'\t', "a tab"), (b'|', "|")] {
            if header.contains(&sep) {
                return wrong(format!(
                    "its header separates columns with {name}, not a comma: save it as comma-separated CSV, or read it through a profile with delimiter = \"{}\"",
                    if sep == b'\t' { "\\t".to_string() } else { name.to_string() }
                ));
            }
        }
    }
    Ok(())
}

/// Whether `bytes` decode as GB18030 once the last few bytes (a character cut by the sample's
/// end) are left off.
fn gb18030_but_for_the_tail(bytes: &[u8]) -> bool {
    (1..4).any(|cut| {
        bytes.len() > cut
            && !encoding_rs::GB18030
                .decode_without_bom_handling(&bytes[..bytes.len() - cut])
                .1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose(bytes: &[u8]) -> Option<String> {
        canonical(bytes, Role::Calls, |m| {
            Err(Error::WrongFile {
                path: "calls.csv".into(),
                message: m,
            })
        })
        .err()
        .map(|e| e.to_string())
    }

    #[test]
    fn a_gbk_file_is_named_once() {
        let (gbk, _, _) = encoding_rs::GBK.encode("contact_id,vendor\nc1,手机\n");
        let m = diagnose(&gbk).unwrap();
        assert!(m.contains("reads as GBK") && m.contains("cn-excel"), "{m}");
        assert_eq!(diagnose("contact_id,vendor\nc1,手机\n".as_bytes()), None);
        // A claim has no cn-excel profile: the hint names the flag that reads one.
        let (gbk, _, _) = encoding_rs::GBK.encode("item,quantity,amount\n售后电话,1,2\n");
        let claim = canonical(&gbk, Role::Claim, |m| Err(Error::Usage(m)))
            .err()
            .map(|e| e.to_string())
            .unwrap();
        assert!(
            claim.contains("--claim-profile FILE.toml") && !claim.contains("cn-excel"),
            "{claim}"
        );
    }

    #[test]
    fn another_delimiter_or_utf16_is_named() {
        let m = diagnose(b"contact_id;vendor;channel\nc1;acme;phone\n").unwrap();
        assert!(m.contains("with ;, not a comma"), "{m}");
        assert!(diagnose(b"\xFF\xFEc\x00").unwrap().contains("UTF-16"));
        // A semicolon inside a comma-separated header is not a delimiter.
        assert_eq!(diagnose(b"contact_id,vendor;x\n"), None);
    }
}
