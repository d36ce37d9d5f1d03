"""Shared test helpers: tiny GGUF models, fixtures."""
