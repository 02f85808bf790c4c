use std::collections::VecDeque;

use pretty_assertions::assert_eq;

use super::summarize;

fn lines(text: &[&str]) -> VecDeque<String> {
    text.iter().map(|line| (*line).to_owned()).collect()
}

#[test]
fn error_lines_are_preferred_over_chatter() {
    assert_eq!(
        summarize(&lines(&[
            "Cloning into 'x'...",
            "fatal: repository 'http://h/r.git/' not found",
        ])),
        "fatal: repository 'http://h/r.git/' not found"
    );
}

#[test]
fn without_error_lines_the_last_three_lines_are_kept() {
    assert_eq!(summarize(&lines(&["a", "", "b", "c", "d"])), "b c d");
    assert_eq!(summarize(&lines(&[])), "git printed no error message");
}
