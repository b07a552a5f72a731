"""Bringup for the ARM4R stack: launch files, per-cell configuration and RViz layouts."""
