//! git-secure-release as a library: the binary in `main.rs` is a thin shell around
//! [`commands::run`]; integration tests reach the pure parts (layouts, bumps) directly.

pub mod cli;
pub mod commands;
pub mod docs;
pub mod doctor;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod git;
mod hex;
pub mod process;
pub mod project;
pub mod release;
pub mod report;
pub mod reproduce;
pub mod signing;
pub mod version;
