//! The `airbridge` binary. (Being written.)
mod names_cmd;
fn main() {}
