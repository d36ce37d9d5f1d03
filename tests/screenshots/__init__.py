"""Screenshots of the window's main states, for review (not run by the test suite)."""
