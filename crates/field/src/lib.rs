//! Field operations, pure: the pass a called-forward case carries to the gate, and the rule
//! that settles what several gates did to one pass while some of them were offline.
//!
//! Nothing here reads a clock, a file or a random source: callers hand in the entropy and the
//! times.

pub mod code;
pub mod gate;

pub use code::{CodeError, PassCode};
pub use gate::{GateAction, GateEvent, GateFlag, Resolution, resolve};
