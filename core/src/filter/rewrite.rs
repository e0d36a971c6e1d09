//! rewrite filter (to be written).
