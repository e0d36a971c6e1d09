//! cors filter (to be written).
