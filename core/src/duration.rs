//! GEP-2257 durations (to be written).
