//! Integration tests of berth-analytics against a real HTTP server on 127.0.0.1.

mod backpressure;
mod capture;
mod delivery;
mod gating;
mod harness;
mod outbox;
mod retry;
