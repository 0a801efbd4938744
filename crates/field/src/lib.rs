//! Field operations, pure: the pass a called-forward case carries to the gate (its code and QR
//! code), the message that calls it forward (Dari, Pashto, English, French), the rule that
//! settles what several gates did to one pass while some of them were offline, and the
//! situation report's figures.
//!
//! Nothing here reads a clock, a file or a random source: callers hand in the entropy and the
//! times.

pub mod code;
pub mod gate;
pub mod messages;
pub mod qr;
pub mod sitrep;

pub use code::{CodeError, PassCode};
pub use gate::{GateAction, GateEvent, GateFlag, Resolution, resolve};
pub use messages::{Language, Notice, is_gsm7, render, sms_segments};
pub use sitrep::Sitrep;
