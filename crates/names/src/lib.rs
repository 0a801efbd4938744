//! The names engine: parse, romanise, key and compare personal names. (Being written.)
