//! Auditing written statements: comparing two runs ([`diff`]), re-deriving a statement from its
//! recorded inputs ([`verify`]), and the digests and signatures that seal a run ([`seal`]).

pub mod diff;
pub mod seal;
pub mod verify;
