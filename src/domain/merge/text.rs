//! Free text changed on both sides, merged line by line.
//!
//! A three-way line merge (diff3): regions only one side changed take that
//! side; regions both changed alike take it once; regions both changed
//! differently keep both versions between markers, inside the text, so the
//! file stays valid TOML and a person resolves it. The two versions are
//! written in a fixed order (by their text), not ours-then-theirs, so the
//! result is the same whichever side git calls ours.

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// The markers written around the two versions of a conflicting region.
pub const OPEN: &str = "<<<<<<< one version";
pub const MIDDLE: &str = "=======";
pub const CLOSE: &str = ">>>>>>> the other version";

/// A merged text, and whether a region kept both versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMerge {
    pub text: String,
    pub conflicted: bool,
}

/// Merges `ours` and `theirs`, both changed from `base`.
pub fn merge_lines(base: &str, ours: &str, theirs: &str) -> TextMerge {
    let clean = |text: &str| TextMerge {
        text: text.to_owned(),
        conflicted: false,
    };
    if ours == theirs || base == theirs {
        return clean(ours);
    }
    if base == ours {
        return clean(theirs);
    }
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let to_o = matches(&b, &o);
    let to_t = matches(&b, &t);
    let mut out = String::new();
    let mut conflicted = false;
    let (mut i, mut j, mut k) = (0, 0, 0);
    loop {
        // The next base line both sides kept: a stable point.
        let stable = (i..b.len()).find_map(|x| Some((x, to_o[x]?, to_t[x]?)));
        let (bi, oj, tk) = stable.unwrap_or((b.len(), o.len(), t.len()));
        conflicted |= region(&b[i..bi], &o[j..oj], &t[k..tk], &mut out);
        let Some((bi, oj, tk)) = stable else { break };
        out.push_str(b[bi]);
        (i, j, k) = (bi + 1, oj + 1, tk + 1);
    }
    // A region closed by a marker line adds a newline neither side ended with.
    if !ours.ends_with('\n') && !theirs.ends_with('\n') && out.ends_with(&format!("{CLOSE}\n")) {
        out.pop();
    }
    TextMerge {
        text: out,
        conflicted,
    }
}

/// For each base line, the line of `side` it is kept as, if any.
fn matches(base: &[&str], side: &[&str]) -> Vec<Option<usize>> {
    let mut kept = vec![None; base.len()];
    for op in capture_diff_slices(Algorithm::Myers, base, side) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for n in 0..len {
                kept[old_index + n] = Some(new_index + n);
            }
        }
    }
    kept
}

/// Writes one region between stable points; true when it conflicts.
fn region(base: &[&str], ours: &[&str], theirs: &[&str], out: &mut String) -> bool {
    if ours == theirs || base == theirs {
        out.extend(ours.iter().copied());
        return false;
    }
    if base == ours {
        out.extend(theirs.iter().copied());
        return false;
    }
    let (first, second) = {
        let (a, b) = (ours.concat(), theirs.concat());
        if a <= b { (a, b) } else { (b, a) }
    };
    for (marker, body) in [(OPEN, first.as_str()), (MIDDLE, second.as_str())] {
        out.push_str(marker);
        out.push('\n');
        out.push_str(body);
        if !body.is_empty() && !body.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(CLOSE);
    out.push('\n');
    true
}

/// True when `text` holds a line that looks like a conflict marker, from git
/// or from this merge.
pub fn has_markers(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_end_matches('\r');
        line.starts_with("<<<<<<<")
            || line.starts_with(">>>>>>>")
            || line.starts_with("|||||||")
            || line == MIDDLE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_regions_merge_cleanly() {
        let m = merge_lines("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n");
        assert_eq!(m.text, "A\nb\nC\n");
        assert!(!m.conflicted);
    }

    #[test]
    fn the_same_region_keeps_both_in_a_fixed_order() {
        let one = merge_lines("a\nb\n", "a\nx\n", "a\ny\n");
        let two = merge_lines("a\nb\n", "a\ny\n", "a\nx\n");
        assert_eq!(one, two);
        assert!(one.conflicted);
        assert_eq!(one.text, format!("a\n{OPEN}\nx\n{MIDDLE}\ny\n{CLOSE}\n"));
        assert!(has_markers(&one.text));
    }

    #[test]
    fn single_lines_without_newline_stay_without() {
        let m = merge_lines("t", "t1", "t2");
        assert_eq!(m.text, format!("{OPEN}\nt1\n{MIDDLE}\nt2\n{CLOSE}"));
    }
}
