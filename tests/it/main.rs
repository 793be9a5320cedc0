//! The one integration-test binary: every test drives the real program (or its library) in a
//! throw-away folder, with its own HOME and git configuration.

mod common;
mod concurrency;
mod doctor;
mod epoch;
mod formats;
mod generated;
mod hostile;
mod layouts;
mod real_projects;
mod recovery;
mod release;
mod reproduce;
mod reproduce_backends;
mod verify;
mod verify_hostile;
mod version_cmd;
mod wheel;
