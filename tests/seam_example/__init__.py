"""A test-only example app that uses the seam (docs/ARCHITECTURE.md, "The seam"): street-lamp
outages reported by a sensor become work orders of a registered kind, and the app follows
their events to know which lamps are repaired."""
