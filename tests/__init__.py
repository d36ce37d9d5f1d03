"""Tests for Hearth."""
