//! redirect filter (to be written).
