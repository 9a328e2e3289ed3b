//! RIS tests.
