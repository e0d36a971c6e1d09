//! header filter (to be written).
