//! [`LineReader`]: newline-delimited messages from the client, each at most a cap long. A
//! longer line is discarded as it arrives (never buffered whole), and the buffer a large
//! message needed is released afterwards, so one hostile line cannot pin memory.

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Buffer capacity kept between messages; anything larger is given back after use.
const RETAINED_CAPACITY: usize = 64 * 1024;

/// What [`LineReader::next_line`] read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// One line without its newline (the last line may lack one).
    Message(&'a [u8]),
    /// A line longer than the cap; it was read and dropped up to its newline.
    TooLong,
    /// End of input.
    End,
}

/// Reads capped lines from `input`.
pub(crate) struct LineReader<R> {
    reader: BufReader<R>,
    max: usize,
    line: Vec<u8>,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    /// A reader of lines of at most `max` bytes (newline excluded).
    pub(crate) fn new(input: R, max: usize) -> Self {
        Self {
            reader: BufReader::new(input),
            max,
            line: Vec::new(),
        }
    }

    /// The next line. Errors are the input's read errors.
    pub(crate) async fn next_line(&mut self) -> std::io::Result<Line<'_>> {
        if self.line.capacity() > RETAINED_CAPACITY {
            self.line = Vec::with_capacity(RETAINED_CAPACITY);
        }
        self.line.clear();
        let mut discarding = false;
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                return Ok(if discarding {
                    Line::TooLong
                } else if self.line.is_empty() {
                    Line::End
                } else {
                    Line::Message(&self.line)
                });
            }
            let newline = available.iter().position(|byte| *byte == b'\n');
            let taken = newline.unwrap_or(available.len());
            if !discarding {
                if self.line.len() + taken > self.max {
                    discarding = true;
                    self.line = Vec::new();
                } else {
                    self.line.extend_from_slice(&available[..taken]);
                }
            }
            match newline {
                Some(at) => {
                    self.reader.consume(at + 1);
                    return Ok(if discarding {
                        Line::TooLong
                    } else {
                        Line::Message(&self.line)
                    });
                }
                None => self.reader.consume(taken),
            }
        }
    }
}

#[cfg(test)]
#[path = "line_reader_tests.rs"]
mod tests;
