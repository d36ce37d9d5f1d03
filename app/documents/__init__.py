"""Local documents: reading files into text for the model."""
