"""The model catalog: models.json, what a model needs in memory, and whether it fits."""
