use pretty_assertions::assert_eq;
use proptest::prelude::*;

use super::{Line, LineReader};

/// Reads every line of `input` with cap `max`, as owned values.
fn read_all(input: &[u8], max: usize) -> Vec<Option<Vec<u8>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        // A tiny buffer makes lines straddle reads.
        let mut reader = LineReader::new(tokio::io::BufReader::with_capacity(7, input), max);
        let mut lines = Vec::new();
        loop {
            match reader.next_line().await.unwrap() {
                Line::Message(bytes) => lines.push(Some(bytes.to_vec())),
                Line::TooLong => lines.push(None),
                Line::End => return lines,
            }
        }
    })
}

#[test]
fn lines_over_the_cap_are_reported_once_and_the_next_line_is_intact() {
    assert_eq!(
        read_all(b"short\nthis one is too long\nok\nlast", 8),
        vec![
            Some(b"short".to_vec()),
            None,
            Some(b"ok".to_vec()),
            Some(b"last".to_vec())
        ]
    );
    assert_eq!(read_all(b"exactly8\n", 8), vec![Some(b"exactly8".to_vec())]);
    assert_eq!(read_all(b"123456789", 8), vec![None]);
    assert_eq!(read_all(b"", 8), Vec::<Option<Vec<u8>>>::new());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Fuzzing the line reader (issue 11 "Proof"): for any input and cap, the lines read are
    /// exactly the input's newline-separated lines, each over-long one reported as too long.
    #[test]
    fn the_reader_splits_any_input_like_a_reference_split(
        input in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'{'), any::<u8>()],
            0..400,
        ),
        max in 0usize..40,
    ) {
        let mut expected: Vec<Option<Vec<u8>>> = input
            .split(|byte| *byte == b'\n')
            .map(|line| (line.len() <= max).then(|| line.to_vec()))
            .collect();
        // A trailing newline ends the last line; it does not start an empty one.
        if input.is_empty() || input.last() == Some(&b'\n') {
            expected.pop();
        }
        prop_assert_eq!(read_all(&input, max), expected);
    }
}
