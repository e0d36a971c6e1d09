//! Request path normalisation (to be written).
