//! Unit tests of the CSL reader and writers.
