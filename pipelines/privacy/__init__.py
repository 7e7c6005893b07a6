"""GDPR erasure (art. 17) and export (art. 15) of one person, and the tombstones that
keep an erased person from coming back (see docs/privacy.md)."""
